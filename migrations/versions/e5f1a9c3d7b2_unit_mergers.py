"""unit mergers (sáp nhập): which unit a unit was merged into and from when; where carried entries came from

units.merged_into_id and merged_on mark a merged unit, read-only from that day;
task_history, comments and evidence carried into the merged unit's task say
which old unit they came from (from_unit_id). monthly_figures.source gains
"merged": the new unit's sums of its parts for the months before the merger.

Revision ID: e5f1a9c3d7b2
Revises: d4e8a2b6c1f7
Create Date: 2026-12-02 03:10:00.000000

"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5f1a9c3d7b2'
down_revision = 'd4e8a2b6c1f7'
branch_labels = None
depends_on = None

#: The sources monthly_figures allowed before this revision (after it: the same and "merged").
SOURCES = ("task", "import")
CARRIED = ("task_history", "comments", "evidence")


def _one_of(column, *values):
    """The CHECK condition the models' one_of() renders."""
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade():
    with _sqlite_foreign_keys_off():  # the rebuilt tables are referred to by others
        _add_columns()
    _set_sources((*SOURCES, 'merged'))


def _add_columns():
    """The merger marks on units, the origin of carried entries."""
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('merged_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_units_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_units_merged_into_id_units'), 'units', ['merged_into_id'], ['id'])
    for table in CARRIED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('from_unit_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_from_unit_id_units'), 'units', ['from_unit_id'],
                                        ['id'], ondelete='SET NULL')


def downgrade():
    """Forget mergers: the merged sums go (the parts keep their own figures), the marks and origins with them."""
    figures = sa.table('monthly_figures', sa.column('source', sa.String))
    op.execute(figures.delete().where(figures.c.source == 'merged'))
    _set_sources(SOURCES)
    with _sqlite_foreign_keys_off():
        _drop_columns()


def _drop_columns():
    """Drop what _add_columns added."""
    for table in CARRIED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_from_unit_id_units'), type_='foreignkey')
            batch_op.drop_column('from_unit_id')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_units_merged_into_id_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_units_merged_into_id'))
        batch_op.drop_column('merged_on')
        batch_op.drop_column('merged_into_id')


def _set_sources(sources):
    """Make the CHECK on monthly_figures.source again, allowing `sources`."""
    with _sqlite_foreign_keys_off():
        with op.batch_alter_table('monthly_figures', schema=None) as batch_op:
            batch_op.drop_constraint(op.f('ck_monthly_figures_source'), type_='check')
            batch_op.create_check_constraint(op.f('ck_monthly_figures_source'), _one_of('source', *sources))


@contextmanager
def _sqlite_foreign_keys_off():
    """Batch mode rebuilds a SQLite table and drops the old one; with foreign keys on, the drop would act on
    rows that refer to it. The pragma is ignored inside a transaction, so the open one is committed first
    (as in a14d0c7e2b31)."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite' or not bind.exec_driver_sql('PRAGMA foreign_keys').scalar():
        yield
        return
    was_open = bind.connection.dbapi_connection.in_transaction
    if was_open:
        bind.exec_driver_sql('COMMIT')
    bind.exec_driver_sql('PRAGMA foreign_keys=OFF')
    bind.exec_driver_sql('BEGIN IMMEDIATE')
    try:
        yield
        bind.exec_driver_sql('COMMIT')
    except BaseException:
        bind.exec_driver_sql('ROLLBACK')
        raise
    finally:
        bind.exec_driver_sql('PRAGMA foreign_keys=ON')
        if was_open:
            bind.exec_driver_sql('BEGIN IMMEDIATE')
