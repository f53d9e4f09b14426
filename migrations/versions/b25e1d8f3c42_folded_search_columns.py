"""folded search columns: names without tone marks, so "tai son" finds Tái Sơn on every database

Revision ID: b25e1d8f3c42
Revises: a14d0c7e2b31
Create Date: 2026-12-01 17:31:00.000000

"""
import sqlalchemy as sa
from alembic import op

from app.core.text import search_keys

# revision identifiers, used by Alembic.
revision = 'b25e1d8f3c42'
down_revision = 'a14d0c7e2b31'
branch_labels = None
depends_on = None

#: Each table's folded column and the columns it folds (as app.core.search.keep_folded does from now on).
#: No index: a search matches anywhere in the text (LIKE '%…%'), which no b-tree index serves.
FOLDED = {
    'units': ('search_name', ('name',)),
    'users': ('search_text', ('username', 'full_name', 'email')),
    'directives': ('search_text', ('number', 'subject')),
}


def upgrade():
    for table, (column, _sources) in FOLDED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.Text(), server_default='', nullable=False))
    connection = op.get_bind()
    for table, (column, sources) in FOLDED.items():
        _backfill(connection, table, column, sources)


def _backfill(connection, table: str, column: str, sources: tuple) -> None:
    """Fold what the rows already hold, the same way the models fold new and edited rows."""
    rows = connection.execute(sa.text(f"SELECT id, {', '.join(sources)} FROM {table}")).all()
    update = sa.text(f"UPDATE {table} SET {column} = :folded WHERE id = :id")
    values = [{'id': row[0], 'folded': search_keys(*row[1:])} for row in rows]
    if values:
        connection.execute(update, values)


def downgrade():
    for table, (column, _sources) in FOLDED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
