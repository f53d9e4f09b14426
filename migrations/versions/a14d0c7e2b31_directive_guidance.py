"""directive guidance: a leader's instruction on a whole directive, to named or overdue units

Revision ID: a14d0c7e2b31
Revises: c3a9e5f17b20
Create Date: 2026-12-01 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.core.types


# revision identifiers, used by Alembic.
revision = 'a14d0c7e2b31'
down_revision = 'c3a9e5f17b20'
branch_labels = None
depends_on = None


def upgrade():
    pass  # filled in by the guidance work (issue 14)


def downgrade():
    pass
