"""The figures of the board: report groups per unit (and requirement), compliance with monthly reports."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, literal_column, select

from app.core import clock
from app.core.permissions import visible_unit_ids
from app.directives.models import Requirement
from app.extensions import db
from app.tasks.groups import GROUPS
from app.tasks.models import Task
from app.tasks.queries import task_group
from app.units.models import Unit


def empty_groups() -> dict[str, int]:
    """Every group at zero, in the order reports print them."""
    return dict.fromkeys(GROUPS, 0)


def summary(user, directive=None, today: date | None = None) -> dict:
    """Tasks per unit and group (one GROUP BY in the database), for one directive or all, and the totals."""
    group = task_group(today or clock.today())
    query = select(Task.unit_id, group, func.count())
    if directive is not None:
        query = query.where(Task.directive_id == directive.id)
    if not (directive is not None and _oversees(user, directive)):
        query = query.where(Task.unit_id.in_(visible_unit_ids(user)))
    units: dict[int, dict[str, int]] = {}
    totals, zero = empty_groups(), empty_groups()
    # Core rows, not ORM ones: thousands of units per call, and nothing here needs an entity.
    # GROUP BY positions: written out, the CASE's bound date would count as a second expression on PostgreSQL.
    by_position = query.group_by(literal_column("1"), literal_column("2"))
    # fetchall: iterating a psycopg result fetches row by row, which costs more than the query itself.
    for unit_id, name, count in db.session.connection().execute(by_position).all():
        groups = units.get(unit_id)
        if groups is None:
            groups = units[unit_id] = zero.copy()
        groups[name] = count
        totals[name] += count
    return {"units": [{"unit_id": unit_id, "groups": units[unit_id]} for unit_id in sorted(units)],
            "totals": totals}


def _oversees(user, directive) -> bool:
    """Whether every task of the directive is the user's to see (it was issued in their subtree).

    Then the count needs no filter on units: a directive's tasks belong to units below its issuer.
    The issuer is already loaded by the access check that let the user see the directive.
    """
    if user.role == "admin":
        return True
    return not user.is_commune_user and directive.issuer.path.startswith(user.unit.path)


def unit_names(unit_ids) -> dict[int, str]:
    """Names of units by id."""
    ids = list(unit_ids)
    return dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all()) if ids else {}


def board(user, directive_id: int, unit_ids: list[int], period: str | None = None, today: date | None = None):
    """The cells of a board page: for each unit, each requirement's task (id, group, period, due)."""
    group = task_group(today or clock.today())
    query = (select(Task.id, Task.unit_id, Task.requirement_id, Task.period, Task.due_on, Task.state, group)
             .where(Task.directive_id == directive_id, Task.unit_id.in_(unit_ids),
                    Task.unit_id.in_(visible_unit_ids(user))))
    if period:
        query = query.where(Task.period.in_((period, "")))
    cells: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for task_id, unit_id, requirement_id, task_period, due_on, state, name in db.session.execute(query):
        cells[unit_id][requirement_id].append({"id": task_id, "group": name, "period": task_period,
                                               "due_on": due_on, "state": state})
    return cells


def board_units(user, directive_id: int, group: str | None = None, unit_text: str = "", today: date | None = None):
    """A select of the units on a directive's board (filtered by a group they have, or by name)."""
    tasks = select(Task.unit_id).where(Task.directive_id == directive_id)
    if group:
        tasks = tasks.where(task_group(today or clock.today()) == group)
    query = select(Unit).where(Unit.id.in_(tasks), Unit.id.in_(visible_unit_ids(user))).order_by(Unit.name)
    if unit_text:
        query = query.where(Unit.name.ilike(f"%{unit_text}%"))
    return query


def requirements_of(directive_id: int) -> list[Requirement]:
    """A directive's requirements in order, for the board's columns."""
    return list(db.session.scalars(select(Requirement).where(Requirement.directive_id == directive_id)
                                   .order_by(Requirement.position)))


def compliance(user, directive_id: int | None = None) -> tuple[list[str], dict[int, dict[str, str]]]:
    """Monthly reports: for each unit and month, ``on_time``, ``late``, ``missing`` (due passed) or ``open``."""
    today = clock.today()
    query = (select(Task.unit_id, Task.period, Task.due_on, Task.state, Task.submitted_on)
             .join(Requirement, Requirement.id == Task.requirement_id)
             .where(Task.period.like("____-__"), Requirement.kind == "figures",
                    Task.unit_id.in_(visible_unit_ids(user))))
    if directive_id:
        query = query.where(Task.directive_id == directive_id)
    table: dict[int, dict[str, str]] = defaultdict(dict)
    periods: set[str] = set()
    for unit_id, period, due_on, state, submitted_on in db.session.execute(query):
        periods.add(period)
        table[unit_id][period] = _compliance(state, due_on, submitted_on, today)
    return sorted(periods), table


def _compliance(state: str, due_on, submitted_on, today: date) -> str:
    if submitted_on and state in ("submitted", "done"):
        return "on_time" if due_on is None or submitted_on <= due_on else "late"
    return "missing" if due_on and today > due_on else "open"


COMPLIANCE_LABELS = {"on_time": "Đúng hạn", "late": "Muộn", "missing": "Không nộp", "open": "Chưa đến hạn"}


def missed_months(table_row: dict[str, str]) -> list[str]:
    """The months a unit missed its periodic report."""
    return sorted(period for period, status in table_row.items() if status == "missing")


def unit_directives(user, unit_id: int) -> list[dict]:
    """For one unit: each directive with the unit's tasks counted per group."""
    from app.directives.models import Directive

    group = task_group(clock.today())
    rows = db.session.execute(
        select(Task.directive_id, group, func.count())
        .where(Task.unit_id == unit_id, Task.unit_id.in_(visible_unit_ids(user)))
        .group_by(Task.directive_id, group))
    per: dict[int, dict[str, int]] = defaultdict(empty_groups)
    for directive_id, name, count in rows:
        per[directive_id][name] = count
    directives = {d.id: d for d in db.session.scalars(select(Directive).where(Directive.id.in_(list(per))))}
    return [{"directive": directives[d], "groups": g} for d, g in sorted(per.items(), reverse=True)]


def overdue_over_time(user, directive_id: int, days: int = 60, today: date | None = None) -> dict[str, int]:
    """For each of the last `days` days, how many of the directive's tasks were overdue that day.

    A task was overdue on day D when its due date had passed and it had not been handed in by D
    (its hand-in day, kept on the task, tells when).
    """
    from datetime import timedelta

    today = today or clock.today()
    rows = db.session.connection().execute(
        select(Task.due_on, Task.submitted_on, func.count())
        .where(Task.directive_id == directive_id, Task.due_on.is_not(None),
               Task.unit_id.in_(visible_unit_ids(user)))
        .group_by(Task.due_on, Task.submitted_on)).all()
    series = {}
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        series[day.strftime("%d/%m")] = sum(count for due_on, handed_in, count in rows
                                            if due_on < day and (handed_in is None or handed_in > day))
    return series
