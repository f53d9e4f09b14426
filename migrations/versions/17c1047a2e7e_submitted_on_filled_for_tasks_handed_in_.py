"""submitted_on filled for tasks handed in before 73dfcfe800b0 added it

73dfcfe800b0 added ``tasks.submitted_on`` empty, and a task with no hand-in day
counts as done on time whatever its due date: every task handed in before it
looked on time. This gives each the Vietnamese day of its ``submitted_at``, as
the application writes it (app.core.clock.today() when handed in).

Revision ID: 17c1047a2e7e
Revises: 6dcdb9c6287b
Create Date: 2026-12-01 11:32:22.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '17c1047a2e7e'
down_revision = '6dcdb9c6287b'
branch_labels = None
depends_on = None

#: The Vietnamese day of ``submitted_at`` (stored in UTC); Vietnam keeps UTC+7 all year, with no summer time.
LOCAL_DAY = {
    # SQLite holds the UTC instant as text, 'YYYY-MM-DD HH:MM:SS.ffffff'.
    "sqlite": "date(submitted_at, '+7 hours')",
    # PostgreSQL holds a timestamptz: its UTC wall time, moved 7 hours, whatever the session's time zone.
    "postgresql": "CAST((submitted_at AT TIME ZONE 'UTC') + INTERVAL '7 hours' AS DATE)",
}


def upgrade():
    """Fill the hand-in day of every task handed in without one."""
    local_day = LOCAL_DAY[op.get_bind().dialect.name]
    op.execute(f"UPDATE tasks SET submitted_on = {local_day} "
               "WHERE submitted_on IS NULL AND submitted_at IS NOT NULL")


def downgrade():
    """Nothing to undo: the days filled are the ones the application would have written."""
