"""digital signatures (issue 19): what each incoming PDF's signatures said on intake, and the roots the admin trusts

evidence.signatures and directives.signatures hold the verified signatures of the
file (a list, empty for an unsigned one); trusted_roots the root certificates the
admin uploaded, one row per certificate (its SHA-256).

Revision ID: b7c3e9d1f4a6
Revises: e5f1a9c3d7b2
Create Date: 2026-12-03 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import app.core.types

# revision identifiers, used by Alembic.
revision = 'b7c3e9d1f4a6'
down_revision = 'e5f1a9c3d7b2'
branch_labels = None
depends_on = None

SIGNED = ('evidence', 'directives')


def upgrade():
    op.create_table(
        'trusted_roots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=500), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('der', sa.LargeBinary(), nullable=False),
        sa.Column('not_before', app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('not_after', app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('added_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_trusted_roots_added_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trusted_roots')),
        sa.UniqueConstraint('sha256', name=op.f('uq_trusted_roots_sha256')),
    )
    for table in SIGNED:
        # A plain ADD COLUMN with a constant default: no table rebuild, existing rows read as unsigned.
        op.add_column(table, sa.Column('signatures', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    for table in SIGNED:
        # Not batch mode: a rebuilt SQLite table would be dropped under the rows referring to it. SQLite (3.35 and
        # later) drops a plain column in place.
        op.drop_column(table, 'signatures')
    op.drop_table('trusted_roots')
