"""api_tokens: label, hint and last use, so a user can tell tokens apart and revoke one

Revision ID: c3a9e5f17b20
Revises: b7d2e4a1c9f0
Create Date: 2026-12-01 14:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

import app.core.types

# revision identifiers, used by Alembic.
revision = 'c3a9e5f17b20'
down_revision = 'b7d2e4a1c9f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label', sa.String(length=80), server_default='', nullable=False))
        batch_op.add_column(sa.Column('hint', sa.String(length=8), server_default='', nullable=False))
        batch_op.add_column(sa.Column('last_used_at', app.core.types.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('hint')
        batch_op.drop_column('label')
