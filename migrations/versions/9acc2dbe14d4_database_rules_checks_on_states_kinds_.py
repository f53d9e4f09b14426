"""database rules: CHECKs on states, kinds, roles, statuses, figures, targets; one default ladder; unique group names

Until now only Python held these rules. Rows that already break them stop the
upgrade with a list to correct (nobody can guess the right state or figure),
except the two duplicates nothing prevented so far, which are resolved here:
of two default ladders of a unit the most recent is kept (the others go to the
audit log), and a unit group named like an older one of its owner gets " (2)".

The value lists are copied from the Python constants of this day (ROLES,
TASK_STATES, ...): a migration must build the same schema whenever it runs.
A new value needs a new migration; tests/test_constraints.py says when one is missing.

Revision ID: 9acc2dbe14d4
Revises: 17c1047a2e7e
Create Date: 2026-12-01 11:40:00.000000

"""
from contextlib import contextmanager
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

import app.core.types

# revision identifiers, used by Alembic.
revision = '9acc2dbe14d4'
down_revision = '17c1047a2e7e'
branch_labels = None
depends_on = None


def _one_of(column, *values):
    """The CHECK condition the models' one_of() renders."""
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


TASK_STATES = ("open", "submitted", "returned", "done")
#: Table -> constraint name (after ``ck_<table>_``) -> condition.
CHECKS = {
    "users": {"role": _one_of("role", "admin", "district_office", "district_leader", "unit_chair", "unit_staff",
                              "observer")},
    "units": {"kind": _one_of("kind", "province", "department", "district", "commune", "ward", "town",
                              "special_zone")},
    "directives": {"state": _one_of("state", "draft", "published", "closed")},
    "requirements": {"kind": _one_of("kind", "action", "figures", "inventory", "written_report")},
    "tasks": {"state": _one_of("state", *TASK_STATES)},
    "task_history": {"from_state": _one_of("from_state", *TASK_STATES),
                     "to_state": _one_of("to_state", *TASK_STATES)},
    "comments": {"kind": _one_of("kind", "comment", "guidance", "return")},
    "task_requests": {"kind": _one_of("kind", "extension", "not_applicable"),
                      "state": _one_of("state", "pending", "granted", "refused")},
    "notices": {"kind": _one_of("kind", "assigned", "returned", "reminder", "escalation", "digest",
                                "deadline_changed"),
                "channel": _one_of("channel", "in_app", "email"),
                "status": _one_of("status", "pending", "sent", "failed")},
    "mails": {"kind": _one_of("kind", "step", "digest", "office", "assigned", "returned", "reminder", "escalation",
                              "deadline_changed"),
              "status": _one_of("status", "pending", "sending", "sent", "failed", "in_app")},
    "monthly_figures": {
        "non_negative": "total >= 0 AND online_level3 >= 0 AND online_level4 >= 0 AND settled_online >= 0",
        "online_within_total": "online_level3 <= total - online_level4",
        "settled_within_total": "settled_online <= total",
        "source": _one_of("source", "task", "import"),
    },
    "targets": {"rate": "rate BETWEEN 0 AND 1", "level3_rate": "level3_rate BETWEEN 0 AND 1",
                "level4_rate": "level4_rate BETWEEN 0 AND 1"},
}
DEFAULT_LADDER = "directive_id IS NULL"
GROUP_NAME_LENGTH = 120


def upgrade():
    """Resolve the duplicates, refuse other broken rows, then let the database hold the rules."""
    _keep_latest_default_ladders()
    _number_duplicate_group_names()
    _refuse_broken_rows()
    with op.batch_alter_table('escalation_policies', schema=None) as batch_op:
        batch_op.create_index('uq_escalation_policies_default', ['issuer_unit_id'], unique=True,
                              sqlite_where=sa.text(DEFAULT_LADDER), postgresql_where=sa.text(DEFAULT_LADDER))
    with _sqlite_foreign_keys_off():
        with op.batch_alter_table('unit_groups', schema=None) as batch_op:
            batch_op.create_unique_constraint(batch_op.f('uq_unit_groups_owner_unit_id_name'),
                                              ['owner_unit_id', 'name'])
        for table, checks in CHECKS.items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                for name, condition in checks.items():
                    batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), condition)


def downgrade():
    """Drop the rules; the duplicates resolved stay resolved."""
    with _sqlite_foreign_keys_off():
        for table, checks in reversed(CHECKS.items()):
            with op.batch_alter_table(table, schema=None) as batch_op:
                for name in checks:
                    batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
        with op.batch_alter_table('unit_groups', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('uq_unit_groups_owner_unit_id_name'), type_='unique')
    with op.batch_alter_table('escalation_policies', schema=None) as batch_op:
        batch_op.drop_index('uq_escalation_policies_default')


def _keep_latest_default_ladders():
    """Of a unit's default ladders, keep the one saved last; the others are written to the audit log."""
    policies = sa.table('escalation_policies', sa.column('id', sa.Integer), sa.column('issuer_unit_id', sa.Integer),
                        sa.column('directive_id', sa.Integer), sa.column('steps', sa.JSON))
    rows = op.get_bind().execute(sa.select(policies.c.id, policies.c.issuer_unit_id, policies.c.steps)
                                 .where(policies.c.directive_id.is_(None))
                                 .order_by(policies.c.issuer_unit_id, policies.c.id.desc())).all()
    kept = {}
    for policy_id, unit_id, steps in rows:
        if unit_id not in kept:  # highest id first: the most recent
            kept[unit_id] = policy_id
            continue
        _audit('escalation_policy_removed', 'escalationpolicy', policy_id, unit_id,
               {"reason": "duplicate default ladder", "kept": kept[unit_id], "steps": steps})
        op.execute(policies.delete().where(policies.c.id == policy_id))


def _number_duplicate_group_names():
    """A unit group named like an older one of its owner gets the first free " (n)", n from 2."""
    groups = sa.table('unit_groups', sa.column('id', sa.Integer), sa.column('owner_unit_id', sa.Integer),
                      sa.column('name', sa.String))
    rows = op.get_bind().execute(sa.select(groups.c.id, groups.c.owner_unit_id, groups.c.name)
                                 .order_by(groups.c.owner_unit_id, groups.c.id)).all()
    taken = {(owner, name) for _, owner, name in rows}
    seen = set()
    for group_id, owner, name in rows:
        if (owner, name) not in seen:
            seen.add((owner, name))
            continue
        new_name = _free_name(name, lambda candidate: (owner, candidate) in taken)
        taken.add((owner, new_name))
        seen.add((owner, new_name))
        _audit('unit_group_renamed', 'unitgroup', group_id, owner, {"from": name, "to": new_name})
        op.execute(groups.update().where(groups.c.id == group_id).values(name=new_name))


def _free_name(name, is_taken):
    """`name` with the first " (n)" not taken, cut to fit the column."""
    number = 2
    while True:
        suffix = f" ({number})"
        candidate = name[:GROUP_NAME_LENGTH - len(suffix)] + suffix
        if not is_taken(candidate):
            return candidate
        number += 1


def _audit(action, object_type, object_id, unit_id, detail):
    """An audit row, as app.core.audit.record writes them, so the office can see what the upgrade changed."""
    log = sa.table('audit_log', sa.column('at', app.core.types.UTCDateTime), sa.column('unit_id', sa.Integer),
                   sa.column('action', sa.String), sa.column('object_type', sa.String),
                   sa.column('object_id', sa.Integer), sa.column('detail', sa.JSON))
    op.execute(log.insert().values(at=datetime.now(timezone.utc), unit_id=unit_id, action=action,
                                   object_type=object_type, object_id=object_id, detail=detail))


def _refuse_broken_rows():
    """Stop, listing the rows, when existing data breaks a rule: adding the CHECK would fail less clearly."""
    bind = op.get_bind()
    broken = []
    for table, checks in CHECKS.items():
        for name, condition in checks.items():
            query = sa.text(f"SELECT id FROM {table} WHERE NOT ({condition}) ORDER BY id")
            ids = bind.execute(query).scalars().all()
            if ids:
                broken.append(f"{table} (ck_{table}_{name}: {condition}): id {_first(ids)}")
    if broken:
        raise RuntimeError("Dữ liệu hiện có vi phạm quy tắc mới; hãy sửa các dòng sau rồi chạy lại "
                           "`flask db upgrade`:\n" + "\n".join(broken))


def _first(ids, shown=20):
    """Up to `shown` ids, and how many more."""
    more = f" và {len(ids) - shown} dòng khác" if len(ids) > shown else ""
    return ", ".join(map(str, ids[:shown])) + more


@contextmanager
def _sqlite_foreign_keys_off():
    """Batch mode rebuilds a SQLite table and drops the old one; with foreign keys on, that DROP would
    delete (ON DELETE CASCADE) or refuse every row referring to it. The pragma is ignored inside a
    transaction, so the one open is committed first and a new one runs the rebuilds."""
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
