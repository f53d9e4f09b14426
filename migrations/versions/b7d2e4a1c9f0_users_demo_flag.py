"""users.demo: accounts made by the demo seed, refused in production

Revision ID: b7d2e4a1c9f0
Revises: 9acc2dbe14d4
Create Date: 2026-12-01 13:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d2e4a1c9f0'
down_revision = '9acc2dbe14d4'
branch_labels = None
depends_on = None


def upgrade():
    # Accounts seeded before this column are not marked; production also refuses the demo password itself.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('demo', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('demo')
