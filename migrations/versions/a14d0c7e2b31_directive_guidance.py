"""directive guidance: a leader's instruction on a whole directive, to named or overdue units

A guidance row, the units it went to, and the notice kind "guidance" (an in-app
notice per unit, and the mails it causes): the CHECKs on notices.kind and
mails.kind are made again with the new value. As in 9acc2dbe14d4, the value
lists are copied from the Python constants of this day.

Revision ID: a14d0c7e2b31
Revises: c3a9e5f17b20
Create Date: 2026-12-01 17:30:00.000000

"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

import app.core.types

# revision identifiers, used by Alembic.
revision = 'a14d0c7e2b31'
down_revision = 'c3a9e5f17b20'
branch_labels = None
depends_on = None


def _one_of(column, *values):
    """The CHECK condition the models' one_of() renders."""
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


NOTICE_KINDS = ("assigned", "returned", "reminder", "escalation", "digest", "deadline_changed")
#: Table -> the kinds its CHECK allowed before this revision (after it: the same and "guidance").
KIND_CHECKS = {"notices": NOTICE_KINDS, "mails": ("step", "digest", "office", *NOTICE_KINDS)}


def upgrade():
    op.create_table('directive_guidance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('to_overdue', sa.Boolean(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('created_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_directive_guidance_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['directive_id'], ['directives.id'], name=op.f('fk_directive_guidance_directive_id_directives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directive_guidance')),
    sa.UniqueConstraint('key', name=op.f('uq_directive_guidance_key'))
    )
    with op.batch_alter_table('directive_guidance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directive_guidance_directive_id'), ['directive_id'], unique=False)

    op.create_table('directive_guidance_units',
    sa.Column('guidance_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['guidance_id'], ['directive_guidance.id'], name=op.f('fk_directive_guidance_units_guidance_id_directive_guidance'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_directive_guidance_units_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('guidance_id', 'unit_id', name=op.f('pk_directive_guidance_units'))
    )
    _set_kinds(lambda kinds: (*kinds, 'guidance'))


def downgrade():
    """Drop the guidance; its notices and mails go with it, since the older CHECKs refuse their kind."""
    for name in ('mails', 'notices'):
        table = sa.table(name, sa.column('kind', sa.String))
        op.execute(table.delete().where(table.c.kind == 'guidance'))
    _set_kinds(lambda kinds: kinds)
    op.drop_table('directive_guidance_units')
    with op.batch_alter_table('directive_guidance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directive_guidance_directive_id'))

    op.drop_table('directive_guidance')


def _set_kinds(kinds_of):
    """Make the CHECK on each table's kind again, allowing `kinds_of(the kinds before this revision)`."""
    with _sqlite_foreign_keys_off():
        for table, kinds in KIND_CHECKS.items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_constraint(op.f(f'ck_{table}_kind'), type_='check')
                batch_op.create_check_constraint(op.f(f'ck_{table}_kind'), _one_of('kind', *kinds_of(kinds)))


@contextmanager
def _sqlite_foreign_keys_off():
    """Batch mode rebuilds a SQLite table and drops the old one; with foreign keys on, dropping notices would
    set every mail's notice_id to NULL (ON DELETE SET NULL). The pragma is ignored inside a transaction, so
    the one open is committed first and a new one runs the rebuilds (as in 9acc2dbe14d4)."""
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
