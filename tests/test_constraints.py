"""Rules the database holds (CHECKs, one default ladder per unit, group names unique per owner), and the
services that say why in Vietnamese before the database would refuse."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import CheckConstraint, inspect, select, text
from sqlalchemy.exc import IntegrityError

from app.admin.services import create_user
from app.core.errors import DomainError
from app.escalation import policies
from app.escalation.ladder import DEFAULT_LADDER
from app.escalation.models import EscalationPolicy
from app.extensions import db
from app.indicators.models import MonthlyFigures, Target
from app.indicators.services import record_figures, set_target
from app.notices.models import Mail, Notice
from app.tasks.models import Comment, TaskHistory, TaskRequest
from app.tasks.services import request_change
from app.units import services as unit_services
from app.units.models import Unit, UnitGroup
from app.units.services import upsert_unit
from tests import factories

FIGURES = {"total": 10, "online_level3": 2, "online_level4": 3, "settled_online": 4}


@pytest.fixture
def rows(tree):
    """One valid row in every table with a rule (the fixture itself proves valid rows pass)."""
    directive = factories.make_directive(tree.district)
    requirement = factories.make_requirement(directive)
    task = factories.make_task(requirement, tree.commune_a, date(2022, 6, 15))
    rows = SimpleNamespace(
        tree=tree, directive=directive, requirement=requirement, task=task,
        history=TaskHistory(task_id=task.id, action="saved", from_state="open", to_state="open"),
        comment=Comment(task_id=task.id, kind="comment", body="Góp ý"),
        request=TaskRequest(task_id=task.id, kind="extension", reason="Cần thêm thời gian"),
        notice=Notice(key="assigned:1", kind="assigned", unit_id=tree.commune_a.id),
        mail=Mail(key="step:1", kind="step", to_address="ct.xa-a@test.example"),
        figures=MonthlyFigures(unit_id=tree.commune_a.id, period="2022-05", **FIGURES),
        target=Target(issuer_unit_id=tree.district.id, period="2022-05", rate=0.1),  # level rates NULL: allowed
        policy=EscalationPolicy(issuer_unit_id=tree.district.id, steps=DEFAULT_LADDER),
        # A directive's override beside the unit's default: the one-default rule leaves it alone.
        override=EscalationPolicy(issuer_unit_id=tree.district.id, directive_id=directive.id, steps=DEFAULT_LADDER),
        group=UnitGroup(owner_unit_id=tree.district.id, name="9 xã chậm", unit_ids=[tree.commune_a.id]),
        # The same name for another owner is allowed.
        other_group=UnitGroup(owner_unit_id=tree.commune_a.id, name="9 xã chậm", unit_ids=[]),
    )
    db.session.add_all([rows.history, rows.comment, rows.request, rows.notice, rows.mail, rows.figures, rows.target,
                        rows.policy, rows.override, rows.group, rows.other_group])
    db.session.commit()
    return rows


def _figures_sql(**values):
    return lambda r: db.session.execute(text(
        "INSERT INTO monthly_figures (unit_id, period, total, online_level3, online_level4, settled_online, source, "
        "updated_at) VALUES (:unit_id, '2022-06', :total, :online_level3, :online_level4, :settled_online, 'task', "
        "CURRENT_TIMESTAMP)"), {"unit_id": r.tree.commune_b.id, **FIGURES, **values})


#: (table, a write that breaks one rule).
BREAKS = {
    "users.role": ("users", lambda r: setattr(r.tree.users["staff_a"], "role", "boss")),
    "units.kind": ("units", lambda r: setattr(r.tree.commune_a, "kind", "village")),
    "directives.state": ("directives", lambda r: setattr(r.directive, "state", "archived")),
    "requirements.kind": ("requirements", lambda r: setattr(r.requirement, "kind", "other")),
    "tasks.state": ("tasks", lambda r: setattr(r.task, "state", "lost")),
    "task_history.from_state": ("task_history", lambda r: db.session.add(
        TaskHistory(task_id=r.task.id, action="saved", from_state="lost", to_state="open"))),
    "task_history.to_state": ("task_history", lambda r: setattr(r.history, "to_state", "lost")),
    "comments.kind": ("comments", lambda r: setattr(r.comment, "kind", "note")),
    "task_requests.kind": ("task_requests", lambda r: setattr(r.request, "kind", "cancel")),
    "task_requests.state": ("task_requests", lambda r: setattr(r.request, "state", "maybe")),
    "notices.kind": ("notices", lambda r: setattr(r.notice, "kind", "gossip")),
    "notices.channel": ("notices", lambda r: setattr(r.notice, "channel", "sms")),
    "notices.status": ("notices", lambda r: setattr(r.notice, "status", "lost")),
    "mails.kind": ("mails", lambda r: db.session.execute(text("UPDATE mails SET kind = 'spam'"))),
    "mails.status": ("mails", lambda r: db.session.execute(text("UPDATE mails SET status = 'lost'"))),
    "monthly_figures.total < 0": ("monthly_figures", _figures_sql(total=-1, online_level3=0, online_level4=0,
                                                                  settled_online=0)),
    "monthly_figures.online_level3 < 0": ("monthly_figures", lambda r: setattr(r.figures, "online_level3", -1)),
    "monthly_figures.online_level4 < 0": ("monthly_figures", lambda r: setattr(r.figures, "online_level4", -1)),
    "monthly_figures.settled_online < 0": ("monthly_figures", _figures_sql(settled_online=-1)),
    "monthly_figures online > total": ("monthly_figures", lambda r: setattr(r.figures, "online_level3", 8)),
    "monthly_figures settled > total": ("monthly_figures", _figures_sql(settled_online=11)),
    "monthly_figures.source": ("monthly_figures", lambda r: setattr(r.figures, "source", "manual")),
    "targets.rate > 1": ("targets", lambda r: setattr(r.target, "rate", 1.5)),
    "targets.rate < 0": ("targets", lambda r: setattr(r.target, "rate", -0.01)),
    "targets.level3_rate": ("targets", lambda r: setattr(r.target, "level3_rate", 1.01)),
    "targets.level4_rate": ("targets", lambda r: setattr(r.target, "level4_rate", -1.0)),
    "a second default ladder": ("escalation_policies", lambda r: db.session.add(
        EscalationPolicy(issuer_unit_id=r.tree.district.id, steps=[]))),
    "a second group of that name": ("unit_groups", lambda r: db.session.add(
        UnitGroup(owner_unit_id=r.tree.district.id, name="9 xã chậm", unit_ids=[]))),
}


def _snapshot(table: str) -> list:
    """Every row of a table, in id order."""
    db.session.rollback()
    columns = db.metadata.tables[table]
    return [tuple(row) for row in db.session.execute(select(columns).order_by(columns.c.id))]


@pytest.mark.parametrize("rule", list(BREAKS))
def test_the_database_refuses_a_write_that_breaks_a_rule_and_keeps_what_it_had(rows, rule):
    table, write = BREAKS[rule]
    before = _snapshot(table)
    with pytest.raises(IntegrityError):
        write(rows)
        db.session.flush()
    assert _snapshot(table) == before


def _quoted(sql: str) -> set[str]:
    """The string literals of a CHECK: the allowed values of an enumeration (none for a numeric rule)."""
    return set(re.findall(r"'([^']*)'", sql))


def test_the_database_checks_the_values_of_the_python_constants():
    """The models' CHECKs take their values from ROLES, TASK_STATES…; a value added there needs a migration."""
    dialect, inspector = db.engine.dialect, inspect(db.engine)
    in_models, in_database = {}, {}
    for table in db.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, CheckConstraint):
                sql = constraint.sqltext.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
                in_models[(table.name, constraint.name)] = _quoted(str(sql))
        for check in inspector.get_check_constraints(table.name):
            in_database[(table.name, check["name"])] = _quoted(check["sqltext"])
    assert ("tasks", "ck_tasks_state") in in_models and len(in_models) == 22  # 22 rules in 12 tables
    assert in_database == in_models


def test_saving_a_units_default_ladder_again_updates_it(rows):
    office = rows.tree.users["office"]
    policies.save_policy(rows.tree.district.id, DEFAULT_LADDER[:1], office)
    db.session.commit()
    defaults = db.session.scalars(select(EscalationPolicy).where(EscalationPolicy.directive_id.is_(None))).all()
    assert [(p.id, len(p.steps)) for p in defaults] == [(rows.policy.id, 1)]


def test_a_ladder_saved_meanwhile_by_another_request_is_updated_not_doubled(rows, monkeypatch):
    """Both requests found no default ladder; the second one's insert is refused and it updates the first's."""
    db.session.delete(rows.policy)
    db.session.commit()
    first = policies.save_policy(rows.tree.district.id, DEFAULT_LADDER, rows.tree.users["office"])
    db.session.commit()
    lookups = iter([None])  # the second request's lookup ran before the first one committed
    real = policies.policy_row
    monkeypatch.setattr(policies, "policy_row", lambda *args: next(lookups, real(*args)))
    saved = policies.save_policy(rows.tree.district.id, DEFAULT_LADDER[:2], rows.tree.users["office"])
    db.session.commit()
    assert saved.id == first.id
    defaults = db.session.scalars(select(EscalationPolicy).where(EscalationPolicy.directive_id.is_(None))).all()
    assert [(p.id, len(p.steps)) for p in defaults] == [(first.id, 2)]


def test_saving_a_group_under_a_name_taken_replaces_its_units(rows):
    group = unit_services.save_group(rows.tree.district, " 9 xã chậm ", [rows.tree.commune_b.id])
    db.session.commit()
    assert group.id == rows.group.id
    assert _groups_named("9 xã chậm", rows.tree.district) == [[rows.tree.commune_b.id]]


def test_a_group_saved_meanwhile_by_another_request_is_replaced_not_doubled(rows, monkeypatch):
    lookups = iter([None])
    real = unit_services.group_named
    monkeypatch.setattr(unit_services, "group_named", lambda *args: next(lookups, real(*args)))
    group = unit_services.save_group(rows.tree.district, "9 xã chậm", [rows.tree.commune_b.id])
    db.session.commit()
    assert group.id == rows.group.id
    assert _groups_named("9 xã chậm", rows.tree.district) == [[rows.tree.commune_b.id]]


def _groups_named(name: str, owner: Unit) -> list[list[int]]:
    return list(db.session.scalars(select(UnitGroup.unit_ids).where(UnitGroup.owner_unit_id == owner.id,
                                                                     UnitGroup.name == name)))


#: Services refusing, in Vietnamese, what the database would refuse: (table, call, words of the message).
REFUSALS = {
    "a role": ("users", lambda r: create_user("ong.a", "Ông A", None, "boss", r.tree.district, "mat-khau-dai-123"),
               "Vai trò không hợp lệ"),
    "a unit kind": ("units", lambda r: upsert_unit("thon-1", "Thôn 1", "village", r.tree.commune_a),
                    "Loại đơn vị không hợp lệ"),
    "a request kind": ("task_requests", lambda r: request_change(r.task, r.tree.users["staff_a"], "cancel", "Lý do",
                                                                 None), "Loại đề nghị không hợp lệ"),
    "negative figures": ("monthly_figures", lambda r: record_figures(
        r.tree.commune_b.id, "2022-06", {**FIGURES, "total": -1}, "task"), "phải là số nguyên không âm"),
    "online above total": ("monthly_figures", lambda r: record_figures(
        r.tree.commune_a.id, "2022-05", {**FIGURES, "online_level4": 9}, "import"),
        "không được lớn hơn tổng số hồ sơ"),
    "settled above total": ("monthly_figures", lambda r: record_figures(
        r.tree.commune_a.id, "2022-05", {**FIGURES, "settled_online": 11}, "task"),
        "Số hồ sơ giải quyết trực tuyến không được lớn hơn"),
    "a target above 100 %": ("targets", lambda r: set_target(r.tree.district.id, "2022-05", 1.5),
                             "Chỉ tiêu tỷ lệ phải nằm trong khoảng 0–100 %"),
    "a target below 0": ("targets", lambda r: set_target(r.tree.district.id, "2022-06", -0.1),
                         "Chỉ tiêu tỷ lệ phải nằm trong khoảng 0–100 %"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_services_refuse_in_vietnamese_before_the_database_would(rows, case):
    table, call, words = REFUSALS[case]
    before = _snapshot(table)
    with pytest.raises(DomainError, match=words):
        call(rows)
    assert _snapshot(table) == before

