"""Reads of tasks, scoped to what the user may see and eager-loaded."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import joinedload

from app.core import clock
from app.core.errors import DomainError
from app.core.permissions import visible_unit_ids
from app.extensions import db
from app.tasks.groups import GROUPS, group_case
from app.tasks.models import TASK_STATES, Task


def task_group(today: date | None = None):
    """The report group of each task, as a SQL expression."""
    return group_case(Task.state, Task.due_on, Task.submitted_on, today or clock.today())


def tasks_for(user, *, directive: int | None = None, unit: int | None = None, state: str | None = None,
              group: str | None = None, period: str | None = None):
    """A select of the tasks the user may see, filtered, soonest due first."""
    if state and state not in TASK_STATES:
        raise DomainError(f"Trạng thái không hợp lệ: {state}. Dùng một trong: {', '.join(TASK_STATES)}.")
    if group and group not in GROUPS:
        raise DomainError(f"Nhóm không hợp lệ: {group}. Dùng một trong: {', '.join(GROUPS)}.")
    query = (
        db.select(Task)
        .where(Task.unit_id.in_(visible_unit_ids(user)))
        .options(joinedload(Task.unit), joinedload(Task.requirement), joinedload(Task.directive))
        .order_by(Task.due_on.is_(None), Task.due_on, Task.id)
    )
    for column, value in ((Task.directive_id, directive), (Task.unit_id, unit), (Task.state, state),
                          (Task.period, period)):
        if value not in (None, ""):
            query = query.where(column == value)
    if group:
        query = query.where(task_group() == group)
    return query


def task_json(task: Task, today: date | None = None) -> dict:
    """A task as the API lists it (CONTRACT.md)."""
    return {
        "id": task.id,
        "directive_id": task.directive_id,
        "requirement_id": task.requirement_id,
        "label": task.requirement.label,
        "unit_id": task.unit_id,
        "period": task.period or None,
        "due_on": task.due_on.isoformat() if task.due_on else None,
        "state": task.state,
        "group": task.group(today),
    }
