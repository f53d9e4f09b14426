"""tasks.merged_from: the units whose tasks a merger gathered into this one

A task a merger (sáp nhập) made out of several communes' tasks lists their unit
ids, so that a board shows under the new unit only the communes that were given
that directive. NULL for every other task: a plain ADD COLUMN, no rebuild.

Revision ID: f2d8b4a6c9e1
Revises: b7c3e9d1f4a6
Create Date: 2026-12-02 07:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f2d8b4a6c9e1'
down_revision = 'b7c3e9d1f4a6'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('tasks', sa.Column('merged_from', sa.JSON(), nullable=True))


def downgrade():
    # Not batch mode: SQLite (3.35 and later) drops a plain column in place; a rebuilt tasks table would be dropped
    # under the rows that refer to it.
    op.drop_column('tasks', 'merged_from')
