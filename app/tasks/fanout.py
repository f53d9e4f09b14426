"""A directive's tasks: made when it is published or given to more units, moved when a deadline changes, and
opened for each new period of a recurring requirement.

Services change state and flush; the caller commits (one commit per request or job).
"""

from __future__ import annotations

import functools
import uuid
from datetime import date

from sqlalchemy import func, insert, literal, select

from app.core import audit, clock
from app.core.errors import DomainError
from app.directives import deadlines
from app.directives.models import Directive, Requirement
from app.directives.services import check_publishable, vn_day
from app.extensions import db
from app.notices.models import Notice
from app.notices.services import notify_units_assigned
from app.tasks.models import Task, TaskHistory
from app.units.models import Unit


def publish(directive: Directive, user, unit_ids: list[int], deadline_overrides: dict | None = None) -> int:
    """Publish a draft: one task per requirement per unit (current period when recurring); returns the count."""
    check_publishable(directive)
    _apply_deadline_overrides(directive, deadline_overrides or {})
    directive.state, directive.published_at = "published", clock.now()
    count = _create_tasks(directive, directive.requirements, unit_ids, clock.today())
    notify_units_assigned(directive, unit_ids)
    audit.record("directive_published", directive, user=user, detail={"units": len(unit_ids), "tasks": count})
    return count


def _apply_deadline_overrides(directive: Directive, overrides: dict) -> None:
    by_id = {str(r.id): r for r in directive.requirements}
    for key, rule in overrides.items():
        requirement = by_id.get(str(key))
        if requirement is None:
            raise DomainError(f"Không có yêu cầu mã {key} trong văn bản này.")
        requirement.deadline = deadlines.validate_rule(rule)


def due_on_for(directive: Directive, rule: dict | None, received_on: date) -> date | None:
    """A one-off rule's due day for a unit that received the directive that day: a relative rule counts from the
    issue date, unless it says "from": "receipt" or the directive has no date."""
    anchor = directive.issued_on if deadlines.counts_from_issue(rule, directive.issued_on) else received_on
    return deadlines.due_date(rule, anchor)


def _create_tasks(directive: Directive, requirements, unit_ids: list[int], received_on: date) -> int:
    """Insert the tasks with one INSERT … SELECT per requirement: the database builds the rows itself."""
    created = 0
    for requirement in requirements:
        rule = requirement.deadline
        if deadlines.is_recurring(rule):
            period = deadlines.first_period(rule, received_on)
            key, due_on = period.key, period.due_on
        else:
            key, due_on = "", due_on_for(directive, rule, received_on)
        created += _insert_tasks(requirement, unit_ids, key, due_on)
    return created


def _insert_tasks(requirement: Requirement, unit_ids: list[int], period: str, due_on) -> int:
    """One task per unit for a requirement and period, fresh (open, empty)."""
    if not unit_ids:
        return 0
    table = Task.__table__
    now = clock.now()
    values = {"directive_id": requirement.directive_id, "requirement_id": requirement.id, "period": period,
              "due_on": due_on, "state": "open", "data": {}, "created_at": now, "updated_at": now, "version": 1}
    columns = [*values, "unit_id"]
    # A unit merged away (sáp nhập) takes no new work: its successor does.
    source = select(*(literal(value, table.c[name].type) for name, value in values.items()), Unit.id).where(
        Unit.id.in_(unit_ids), Unit.merged_into_id.is_(None))
    statement = insert(table).from_select(columns, source).execution_options(preserve_rowcount=True)
    return db.session.execute(statement).rowcount


def _new_units(directive: Directive, unit_ids: list[int]) -> list[int]:
    """The units of the list that have no task of the directive yet (a published directive only)."""
    if directive.state != "published":
        raise DomainError("Chỉ thêm đơn vị cho văn bản đã ban hành và chưa kết thúc.", status=409)
    have = set(db.session.scalars(select(Task.unit_id).where(Task.directive_id == directive.id).distinct()))
    return [unit_id for unit_id in unit_ids if unit_id not in have]


def add_units_preview(directive: Directive, unit_ids: list[int]) -> dict:
    """What giving the directive to these units would create; units that already have its tasks are skipped."""
    new_ids = _new_units(directive, unit_ids)
    return {"tasks": len(directive.requirements) * len(new_ids), "units": len(new_ids),
            "skipped": len(unit_ids) - len(new_ids)}


def add_units(directive: Directive, user, unit_ids: list[int]) -> int:
    """Give a published directive's tasks to more units (received today); returns the tasks created."""
    new_ids = _new_units(directive, unit_ids)
    count = _create_tasks(directive, directive.requirements, new_ids, clock.today()) if new_ids else 0
    notify_units_assigned(directive, new_ids)
    if new_ids:
        audit.record("directive_units_added", directive, user=user, detail={"unit_ids": new_ids})
    return count


def _check_not_closed(directive: Directive) -> None:
    if directive.state == "closed":
        raise DomainError("Văn bản đã kết thúc, không sửa được thời hạn.", status=409)


def deadline_changes(directive: Directive, requirement: Requirement, rule) -> list[tuple[Task, date | None]]:
    """The unfinished tasks (of the current period, when recurring) a rule gives another due day, with that day."""
    rule = deadlines.validate_rule(rule)
    if directive.state != "published":
        return []
    query = select(Task).where(Task.requirement_id == requirement.id, Task.state.in_(("open", "returned")))
    if deadlines.is_recurring(rule):
        period = deadlines.first_period(rule, clock.today())
        query, due_for = query.where(Task.period == period.key), (lambda _day: period.due_on)
    else:
        due_for = functools.cache(lambda received_on: due_on_for(directive, rule, received_on))
    changes = [(task, due_for(clock.local_date(task.created_at)))
               for task in db.session.scalars(query.order_by(Task.unit_id, Task.id))]
    return [(task, due) for task, due in changes if due != task.due_on]


def deadline_preview(directive: Directive, requirement: Requirement, rule) -> dict:
    """What a new rule would change, said before it is done: the rule before and after, and per pair of days
    a line "22 nhiệm vụ của 22 đơn vị: hạn 31/05/2022 → 15/06/2022"."""
    _check_not_closed(directive)
    rule = deadlines.validate_rule(rule)
    changes = deadline_changes(directive, requirement, rule)
    pairs: dict[tuple, list[Task]] = {}
    for task, due in changes:
        pairs.setdefault((task.due_on, due), []).append(task)
    lines = [f"{len(tasks)} nhiệm vụ của {len({t.unit_id for t in tasks})} đơn vị: hạn {vn_day(old)} → {vn_day(new)}"
             for (old, new), tasks in pairs.items()]
    return {"before": deadlines.describe(requirement.deadline, directive.issued_on),
            "after": deadlines.describe(rule, directive.issued_on), "lines": lines, "tasks": len(changes),
            "removes": rule is None and requirement.deadline is not None}


def change_deadline(directive: Directive, requirement: Requirement, rule, user) -> int:
    """Set a new deadline rule; each unfinished task it moves gets the new day and a history row, and each unit
    an in-app notice; returns how many tasks moved."""
    _check_not_closed(directive)
    old, requirement.deadline = requirement.deadline, deadlines.validate_rule(rule)
    changes = deadline_changes(directive, requirement, requirement.deadline)
    now, batch = clock.now(), uuid.uuid4().hex[:12]
    history, notices = [], {}
    for task, due in changes:
        history.append({"task_id": task.id, "at": now, "user_id": getattr(user, "id", None),
                        "action": "deadline_changed", "from_state": task.state, "to_state": task.state,
                        "comment": f"{vn_day(task.due_on)} → {vn_day(due)}", "address": audit.client_address()})
        notices.setdefault(task.unit_id, _deadline_notice(directive, requirement, task, due, now, batch))
        task.due_on = due
    if history:
        db.session.execute(insert(TaskHistory), history)
        db.session.execute(insert(Notice), list(notices.values()))
    audit.record("deadline_changed", requirement, user=user, detail={"from": old, "to": requirement.deadline,
                                                                     "tasks": len(changes)})
    return len(changes)


def _deadline_notice(directive: Directive, requirement: Requirement, task: Task, due, now, batch: str) -> dict:
    """The in-app notice telling a unit its task has a new due day."""
    item = f" mục {requirement.label}" if requirement.label else ""
    return {"key": f"deadline:{requirement.id}:{task.unit_id}:{batch}", "kind": "deadline_changed",
            "channel": "in_app", "unit_id": task.unit_id, "directive_id": directive.id, "task_id": task.id,
            "status": "sent", "attempts": 0, "created_at": now, "sent_at": now,
            "subject": f"Đổi hạn {directive.number or 'văn bản'}{item}: hạn mới {vn_day(due)} "
                       f"(trước đây {vn_day(task.due_on)})"[:300],
            "body": requirement.text[:500]}


def open_new_periods(today: date | None = None) -> int:
    """Create each recurring requirement's task for every period opened since its last one.

    Run by a periodic job; it is idempotent (the UNIQUE requirement, unit, period
    key) and catches up every period missed while it was not running. Each new
    period's task starts fresh: open, empty, never copying a closed state.
    """
    today = today or clock.today()
    created = 0
    for requirement in _recurring_requirements():
        latest = _latest_period_by_unit(requirement.id)
        # Units that started on the same period move on together: one insert per period.
        by_key: dict[str, list[int]] = {}
        for unit_id, key in latest.items():
            by_key.setdefault(key, []).append(unit_id)
        for key, unit_ids in by_key.items():
            start = deadlines.period_from_key(requirement.deadline, key)
            for period in deadlines.periods_through(requirement.deadline, start, today):
                created += _insert_tasks(requirement, unit_ids, period.key, period.due_on)
    return created


def _recurring_requirements() -> list[Requirement]:
    rows = db.session.scalars(
        select(Requirement).join(Directive).where(Directive.state == "published")
    )
    return [r for r in rows if deadlines.is_recurring(r.deadline)]


def _latest_period_by_unit(requirement_id: int) -> dict[int, str]:
    """The latest period key each unit has a task for (keys sort in time order); a merged unit's periods count
    for the unit it was merged into, which carries on its recurring reports."""
    rows = db.session.execute(
        select(Task.unit_id, func.max(Task.period)).where(Task.requirement_id == requirement_id).group_by(Task.unit_id)
    ).all()
    successor = dict(db.session.execute(select(Unit.id, Unit.merged_into_id).where(Unit.merged_into_id.is_not(None))
                                        ).all()) if rows else {}
    latest: dict[int, str] = {}
    for unit_id, period in rows:
        while unit_id in successor:  # merged, perhaps more than once
            unit_id = successor[unit_id]
        latest[unit_id] = max(latest.get(unit_id, period), period)
    return latest
