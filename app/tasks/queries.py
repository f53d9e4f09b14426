"""Reads of tasks, scoped to what the user may see and eager-loaded."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case
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
              group: str | None = None, period: str | None = None, mine_first: bool = False):
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
    if mine_first:  # what the chair gave this user comes before the rest of the unit's tasks
        mine = case((Task.assignee_id == user.id, 0), else_=1)  # NULL-safe on every database
        query = query.order_by(None).order_by(mine, Task.due_on.is_(None),
                                              Task.due_on, Task.id)
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


def review_queue(user):
    """Submitted tasks of the units the office oversees, the longest waiting first."""
    from app.directives.models import Directive
    from app.units.models import Unit

    issuers = db.select(Unit.id).where(Unit.path.startswith(user.unit.path))
    return (
        db.select(Task)
        .join(Directive, Directive.id == Task.directive_id)
        .where(Task.state == "submitted", Directive.issuer_unit_id.in_(issuers))
        .options(joinedload(Task.unit), joinedload(Task.requirement), joinedload(Task.directive))
        .order_by(Task.submitted_at, Task.id)
    )


def task_page_data(task: Task) -> dict:
    """What the task page shows besides the task: evidence, comments, history, requests."""
    from app.evidence.models import Evidence
    from app.tasks.models import Comment, TaskHistory, TaskRequest

    def rows(model, order):
        return list(db.session.scalars(db.select(model).where(model.task_id == task.id).order_by(order)))

    from app.auth.models import User
    from app.tasks.models import HISTORY_LABELS

    assignee = db.session.get(User, task.assignee_id) if task.assignee_id else None
    return {
        "action_labels": HISTORY_LABELS,
        "assignee_name": (assignee.full_name or assignee.username) if assignee else None,
        "evidence": rows(Evidence, Evidence.uploaded_at),
        "comments": list(db.session.scalars(db.select(Comment).where(Comment.task_id == task.id)
                                            .options(joinedload(Comment.user)).order_by(Comment.at))),
        "history": list(db.session.scalars(db.select(TaskHistory).where(TaskHistory.task_id == task.id)
                                           .options(joinedload(TaskHistory.user)).order_by(TaskHistory.at, TaskHistory.id))),
        "requests": rows(TaskRequest, TaskRequest.requested_at),
    }


def inbox_filters(user) -> dict:
    """The directives and periods the user's tasks come in, for the inbox filters."""
    from app.directives.models import Directive

    visible = Task.unit_id.in_(visible_unit_ids(user))
    directives = db.session.execute(
        db.select(Directive.id, Directive.number, Directive.subject).where(
            Directive.id.in_(db.select(Task.directive_id).where(visible))).order_by(Directive.id.desc()).limit(100)
    ).all()
    periods = db.session.scalars(db.select(Task.period).where(visible, Task.period != "").distinct()
                                 .order_by(Task.period.desc()).limit(36)).all()
    return {"directives": directives, "periods": periods, "states": TASK_STATES}


def recent_activity(user, limit: int = 15) -> list:
    """Who in the chair's unit did what lately."""
    from app.tasks.models import TaskHistory

    return list(db.session.scalars(
        db.select(TaskHistory).join(Task, Task.id == TaskHistory.task_id)
        .where(Task.unit_id == user.unit_id).options(joinedload(TaskHistory.user))
        .order_by(TaskHistory.at.desc()).limit(limit)))
