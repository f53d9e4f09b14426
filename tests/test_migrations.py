"""The migrations build exactly the models' schema, go down and up again, and upgrade databases holding data."""

from datetime import date, datetime, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import JSON, Date, bindparam, func, inspect, select, text

from app.auth.models import User
from app.core.models import AuditLog
from app.core.types import UTCDateTime
from app.directives.models import Directive
from app.escalation.models import EscalationPolicy
from app.extensions import db
from app.reports.queries import summary
from app.tasks.models import Task
from app.units.models import UnitGroup


def _differences():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def test_migrations_match_the_models():
    assert _differences() == []


def test_migrations_go_down_and_up():
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert "tasks" in inspect(db.engine).get_table_names()
    assert _differences() == []


# --- Upgrading a database that holds data ---------------------------------------------------------------

#: The revision before submitted_on existed, and the last one before the migration that fills it.
BEFORE_SUBMITTED_ON, BEFORE_FILL, BEFORE_RULES = "55df744942d3", "6dcdb9c6287b", "17c1047a2e7e"
DUE = date(2022, 5, 25)
#: 01:30 on 26/05 in Vietnam: handed in a day late, although still the 25th in UTC.
LATE = datetime(2022, 5, 25, 18, 30, tzinfo=timezone.utc)
#: 23:59 on 25/05 in Vietnam: the last minute of the due day.
LAST_MINUTE = datetime(2022, 5, 25, 16, 59, tzinfo=timezone.utc)


def _insert(table: str, **values) -> int:
    """Insert a row with raw SQL, each value stored as the app's column types store it; returns its id."""
    types = {datetime: UTCDateTime(), date: Date(), dict: JSON(), list: JSON()}
    statement = text(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join(':' + k for k in values)}) "
                     "RETURNING id").bindparams(*(bindparam(k, type_=types[type(v)])
                                                  for k, v in values.items() if type(v) in types))
    with db.engine.begin() as conn:
        return conn.execute(statement, values).scalar_one()


def _old_directive() -> dict:
    """A district, a commune, an admin and a published directive with one requirement, as raw rows."""
    district = _insert("units", slug="huyen", name="UBND huyện", kind="district", path="/")
    commune = _insert("units", slug="xa-a", name="Xã A", kind="commune", parent_id=district, path="/")
    admin = _insert("users", username="admin", full_name="Quản trị", role="admin", unit_id=district,
                    password_hash="x", active=True, alt_id="admin-alt", created_at=LATE)
    directive = _insert("directives", issuer_unit_id=district, number="1/UBND", body="", addressees=[], recipients=[],
                        named_units=[], state="published", read_by_ocr=False, created_at=LATE, version=1)
    requirement = _insert("requirements", directive_id=directive, position=0, text="Báo cáo", kind="action")
    return {"district": district, "commune": commune, "admin": admin, "directive": directive,
            "requirement": requirement}


def _old_task(rows: dict, period: str, state: str, submitted_at: datetime | None, **more) -> int:
    return _insert("tasks", directive_id=rows["directive"], requirement_id=rows["requirement"],
                   unit_id=rows["commune"], period=period, due_on=DUE, state=state, data={}, created_at=LATE,
                   updated_at=LATE, version=1, **({"submitted_at": submitted_at} if submitted_at else {}), **more)


@pytest.mark.parametrize("start", [BEFORE_SUBMITTED_ON, BEFORE_FILL])
def test_upgrade_gives_tasks_handed_in_before_it_their_vietnamese_hand_in_day(start):
    downgrade(revision=start)
    rows = _old_directive()
    late = _old_task(rows, "a", "done", LATE)
    on_time = _old_task(rows, "b", "done", LAST_MINUTE)
    waiting = _old_task(rows, "c", "submitted", LATE)
    not_handed_in = _old_task(rows, "d", "open", None)
    upgrade()
    tasks = {key: db.session.get(Task, task_id)
             for key, task_id in (("late", late), ("on_time", on_time), ("waiting", waiting),
                                  ("not_handed_in", not_handed_in))}
    assert {key: task.submitted_on for key, task in tasks.items()} == {
        "late": date(2022, 5, 26), "on_time": date(2022, 5, 25), "waiting": date(2022, 5, 26), "not_handed_in": None}
    today = date(2022, 6, 1)
    assert {key: task.group(today) for key, task in tasks.items()} == {
        "late": "done_late", "on_time": "done_on_time", "waiting": "open_overdue", "not_handed_in": "open_overdue"}
    admin, directive = db.session.get(User, rows["admin"]), db.session.get(Directive, rows["directive"])
    totals = summary(admin, directive, today)["totals"]
    assert (totals["done_late"], totals["done_on_time"], totals["open_overdue"]) == (1, 1, 2)


def test_upgrade_keeps_a_hand_in_day_already_recorded():
    downgrade(revision=BEFORE_FILL)
    rows = _old_directive()
    task_id = _old_task(rows, "a", "done", LATE, submitted_on=date(2022, 5, 20))
    upgrade()
    assert db.session.get(Task, task_id).submitted_on == date(2022, 5, 20)


def test_upgrade_keeps_the_latest_default_ladder_and_numbers_same_named_groups():
    downgrade(revision=BEFORE_RULES)
    rows = _old_directive()
    older = _insert("escalation_policies", issuer_unit_id=rows["district"], steps=[{"key": "old"}])
    latest = _insert("escalation_policies", issuer_unit_id=rows["district"], steps=[{"key": "new"}])
    override = _insert("escalation_policies", issuer_unit_id=rows["district"], directive_id=rows["directive"],
                       steps=[{"key": "own"}])
    names = ["9 xã chậm", "9 xã chậm", "9 xã chậm (2)", "9 xã chậm", "x" * 120, "x" * 120]
    groups = [_insert("unit_groups", owner_unit_id=rows["district"], name=name, unit_ids=[]) for name in names]
    other_owner = _insert("unit_groups", owner_unit_id=rows["commune"], name="9 xã chậm", unit_ids=[])
    upgrade()
    policies = db.session.scalars(select(EscalationPolicy).order_by(EscalationPolicy.id)).all()
    assert [(p.id, p.steps) for p in policies] == [(latest, [{"key": "new"}]), (override, [{"key": "own"}])]
    removed = db.session.scalar(select(AuditLog).where(AuditLog.action == "escalation_policy_removed"))
    assert (removed.object_id, removed.detail["steps"], removed.detail["kept"]) == (older, [{"key": "old"}], latest)
    named = dict(db.session.execute(select(UnitGroup.id, UnitGroup.name)).all())
    assert [named[g] for g in groups] == ["9 xã chậm", "9 xã chậm (3)", "9 xã chậm (2)", "9 xã chậm (4)",
                                          "x" * 120, "x" * 116 + " (2)"]
    assert named[other_owner] == "9 xã chậm"  # another office's group may bear the name
    assert db.session.scalar(select(func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "unit_group_renamed")) == 3


def test_upgrade_stops_on_rows_that_break_a_rule_and_changes_nothing():
    downgrade(revision=BEFORE_RULES)
    rows = _old_directive()
    broken = _old_task(rows, "a", "lost", None)
    _insert("escalation_policies", issuer_unit_id=rows["district"], steps=[])
    _insert("escalation_policies", issuer_unit_id=rows["district"], steps=[])
    config = current_app.extensions["migrate"].migrate.get_config()
    with pytest.raises(RuntimeError, match=rf"tasks \(ck_tasks_state: .*\): id {broken}\b"):
        command.upgrade(config, "head")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == BEFORE_RULES
        assert conn.execute(text("SELECT count(*) FROM escalation_policies")).scalar() == 2  # not resolved yet
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE tasks SET state = 'open' WHERE id = :id"), {"id": broken})
    upgrade()
    assert _differences() == []
