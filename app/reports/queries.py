"""The figures of the board: report groups per unit (and requirement), compliance with monthly reports."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import and_, func, literal_column, or_, select
from sqlalchemy.orm import aliased, joinedload

from app.core import clock
from app.core.permissions import oversees_directive
from app.core.search import folded_match
from app.core.text import search_key
from app.directives.models import Directive, Requirement
from app.extensions import db
from app.mergers.lineage import successors
from app.tasks.groups import GROUPS, overdue_on
from app.tasks.models import Task
from app.tasks.queries import task_group
from app.units.models import Unit
from app.units.policy import visible_unit_ids


def empty_groups() -> dict[str, int]:
    """Every group at zero, in the order reports print them."""
    return dict.fromkeys(GROUPS, 0)


def summary(user, directive=None, today: date | None = None) -> dict:
    """Tasks per unit and group (one GROUP BY in the database), for one directive or all, and the totals."""
    group = task_group(today or clock.today())
    query = select(Task.unit_id, group, func.count())
    if directive is not None:
        query = query.where(Task.directive_id == directive.id)
    # A directive's tasks belong to units below its issuer: who oversees it needs no filter on units.
    if not (directive is not None and oversees_directive(user, directive)):
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


def unit_names(unit_ids) -> dict[int, str]:
    """Names of units by id."""
    ids = list(unit_ids)
    return dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all()) if ids else {}


#: The board's colours as app.css draws them (.badge-<group>, .badge-state-<state>), for the Excel copy of the
#: board: background, then text. A test holds them equal to app.css.
COLOURS = {
    "done_on_time": ("198754", "FFFFFF"), "done_late": ("6F42C1", "FFFFFF"), "open_on_time": ("0D6EFD", "FFFFFF"),
    "open_overdue": ("DC3545", "FFFFFF"), "no_deadline": ("6C757D", "FFFFFF"),
    "state-submitted": ("0F7B8A", "FFFFFF"), "state-returned": ("FFC107", "212529"),
}
#: Tasks waiting for someone's eye (the office's review, the commune's rework) are coloured by their state, so
#: they stand out from untouched ones of the same group.
MARKED_STATES = {"submitted": "Chờ duyệt", "returned": "Thực hiện lại"}


def board(user, directive_id: int, unit_ids: list[int] | None, period: str | None = None,
          today: date | None = None):
    """The cells of the board: for each unit (all when `unit_ids` is None), each requirement's tasks
    (id, group, period, due, state, and the colour ``mark`` and ``text`` a cell shows)."""
    group = task_group(today or clock.today())
    query = (select(Task.id, Task.unit_id, Task.requirement_id, Task.period, Task.due_on, Task.state, group)
             .where(Task.directive_id == directive_id, Task.unit_id.in_(visible_unit_ids(user)))
             .order_by(Task.period, Task.id))
    if unit_ids is not None:
        query = query.where(Task.unit_id.in_(unit_ids))
    if period:
        query = query.where(Task.period.in_((period, "")))
    cells: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for task_id, unit_id, requirement_id, task_period, due_on, state, name in db.session.execute(query):
        cells[unit_id][requirement_id].append({
            "id": task_id, "group": name, "period": task_period, "due_on": due_on, "state": state,
            "mark": f"state-{state}" if state in MARKED_STATES else name,
            "text": MARKED_STATES.get(state) or (f"{due_on:%d/%m/%Y}" if due_on else "—")})
    return cells


def column_labels(requirements: list[Requirement], words: int = 6) -> list[dict]:
    """The board's column headers in order: ``{"id", "short", "full"}``.

    A numbered requirement is headed by its label ("1", "a"); an unnumbered one (no label, or a bullet such as
    "-") by the first `words` words of its text, so two of them never show as two identical columns. Headers
    that would still be alike take more words, then a number.
    """
    labels = [(r.label or "").strip() for r in requirements]
    numbered = [any(ch.isalnum() for ch in label) for label in labels]
    counts = defaultdict(int)
    for label, has_number in zip(labels, numbered):
        counts[label] += has_number
    heads = [label if has_number and counts[label] == 1
             else ((f"{label}. " if has_number else "") + _first_words(r.text, words))
             for r, label, has_number in zip(requirements, labels, numbered)]
    for more in range(words + 1, words + 20):  # alike headers take one more word each round
        alike = {h for h in heads if heads.count(h) > 1}
        if not alike:
            break
        heads = [((f"{label}. " if has_number else "") + _first_words(r.text, more)) if h in alike else h
                 for r, h, label, has_number in zip(requirements, heads, labels, numbered)]
    seen: dict[str, int] = defaultdict(int)
    columns = []
    for r, head in zip(requirements, heads):
        seen[head] += 1
        columns.append({"id": r.id, "short": head if seen[head] == 1 else f"{head} ({seen[head]})",
                        "full": r.text})
    return columns


def _first_words(text: str, count: int) -> str:
    """The first `count` words of `text`, with "…" when there is more."""
    words = (text or "").split()
    head = " ".join(words[:count]).rstrip(",;:.")
    return head + ("…" if len(words) > count else "") if head else "(không tiêu đề)"


def board_units(user, directive: Directive, group: str | None = None, unit_text: str = "",
                today: date | None = None):
    """A select of the rows of a directive's board (filtered by a group their tasks have, or by name): the units
    standing with tasks in it, and the units merged ones became, even with no task of their own. A merged unit is
    not a row: it shows under its new one (`board_parts`), unless the user does not see that one. "tai son" finds
    Xã Tái Sơn, or the unit it merged into."""
    tasks = select(Task.unit_id).where(Task.directive_id == directive.id)
    if group:
        tasks = tasks.where(task_group(today or clock.today()) == group)
    merged = _merged_rows(user, tasks)
    shown = and_(Unit.id.in_(tasks), Unit.merged_into_id.is_(None))
    if merged:
        shown = or_(shown, Unit.id.in_({row for row, _ in merged.values()}))
    query = select(Unit).where(shown, Unit.id.in_(visible_unit_ids(user))).order_by(Unit.name)
    if unit_text:
        key = search_key(unit_text)
        named = [folded_match(Unit.search_name, unit_text),
                 Unit.id.in_({row for row, name in merged.values() if key in name})]
        if directive.published_at is not None:  # a part merged since, its tasks now the new unit's
            part = aliased(Unit)
            named.append(Unit.id.in_(select(part.merged_into_id).where(
                folded_match(part.search_name, unit_text), part.merged_on >= clock.local_date(directive.published_at))))
        query = query.where(or_(*named))
    return query


def board_parts(user, directive: Directive, unit_ids: list[int]) -> dict[int, list[Unit]]:
    """The merged units shown under each of the board's rows `unit_ids`, by name: those with tasks in the directive
    that became that unit (their cells and counts are their own: done tasks stay with who did them), and those
    whose open tasks of the directive a merger gathered into the row's (they are its now). A commune that merged
    in but was never given the directive is not shown under it."""
    rows = {part: row for part, (row, _) in _merged_rows(user, select(Task.unit_id).where(
        Task.directive_id == directive.id)).items() if row != part and row in set(unit_ids)}
    gathered = {unit_id for (ids,) in db.session.execute(select(Task.merged_from).where(
        Task.directive_id == directive.id, Task.unit_id.in_(unit_ids))) for unit_id in ids or []}
    shown = or_(Unit.id.in_(list(rows)), and_(Unit.id.in_(gathered), Unit.merged_into_id.in_(unit_ids)))
    parts: dict[int, list[Unit]] = defaultdict(list)
    for unit in db.session.scalars(select(Unit).options(joinedload(Unit.merged_into))
                                   .where(shown, Unit.id.in_(visible_unit_ids(user)))
                                   .order_by(Unit.search_name, Unit.id)):
        parts[rows.get(unit.id, unit.merged_into_id)].append(unit)
    return parts


def opened_rows(parts: dict[int, list[Unit]], unit_text: str) -> set[int]:
    """The rows whose parts the board shows opened: those found through a part's name."""
    key = search_key(unit_text) if unit_text else None
    return {row for row, units in parts.items() if key and any(key in unit.search_name for unit in units)}


def _merged_rows(user, tasks) -> dict[int, tuple[int, str]]:
    """Each merged unit the user sees with tasks among `tasks` (a select of their unit ids): the board row it shows
    under (the unit it became, or itself when the user does not see that one) and its folded name."""
    names = dict(db.session.execute(select(Unit.id, Unit.search_name).where(
        Unit.id.in_(tasks), Unit.merged_into_id.is_not(None), Unit.id.in_(visible_unit_ids(user)))).all())
    if not names:
        return {}
    became = successors(list(names))
    seen = set(db.session.scalars(select(Unit.id).where(Unit.id.in_(set(became.values())),
                                                        Unit.id.in_(visible_unit_ids(user)))))
    return {part: (into if into in seen else part, names[part]) for part, into in became.items()}


def board_export(user, directive, today: date | None = None) -> dict:
    """Everything the board shows, for all its units at once (the Excel copy): the rows in the board's order (each
    unit's merged parts right under it), the column headers, the cells, and the counts per row and group with the
    totals. A row is ``{"unit", "name", "part"}``: `part` is True for a merged unit under its new one."""
    today = today or clock.today()
    units = list(db.session.scalars(board_units(user, directive, today=today)))
    parts = board_parts(user, directive, [unit.id for unit in units])
    rows = [row for unit in units for row in [
        {"unit": unit, "name": unit.name, "part": False},
        *({"unit": part, "name": f"{part.name} (đã sáp nhập từ {part.merged_on:%d/%m/%Y})", "part": True}
          for part in parts.get(unit.id, []))]]
    data = summary(user, directive, today)
    per_unit = {row["unit_id"]: row["groups"] for row in data["units"]}
    return {"directive": directive, "today": today, "rows": rows,
            "columns": column_labels(requirements_of(directive.id)),
            "cells": board(user, directive.id, None, today=today),
            "counts": [(row["name"], per_unit.get(row["unit"].id, empty_groups())) for row in rows],
            "totals": data["totals"]}


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


def overdue_over_time(user, directive_id: int, days: int = 60,
                      today: date | None = None) -> list[tuple[str, int]]:
    """For each of the last `days` days, oldest first, ("dd/mm", how many of the directive's tasks were overdue).

    A list, not a dict keyed by "dd/mm": such keys sort as text (01/06 before 31/05) wherever they are sorted.
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
    series = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        series.append((f"{day:%d/%m}", int(sum(count for due_on, handed_in, count in rows
                                                if overdue_on(due_on, handed_in, day)))))
    return series
