"""folded search columns: names without tone marks, so "tai son" finds Tái Sơn on every database

Revision ID: b25e1d8f3c42
Revises: a14d0c7e2b31
Create Date: 2026-12-01 17:31:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b25e1d8f3c42'
down_revision = 'a14d0c7e2b31'
branch_labels = None
depends_on = None


def upgrade():
    pass  # filled in by the search work (issue 14)


def downgrade():
    pass
