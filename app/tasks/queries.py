"""Reads of tasks, scoped to what the user may see and eager-loaded."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from app.core.permissions import visible_unit_ids
from app.extensions import db
from app.tasks.models import Task


def tasks_for(user):
    """A select of the tasks the user may see, soonest due first."""
    return (
        db.select(Task)
        .where(Task.unit_id.in_(visible_unit_ids(user)))
        .options(joinedload(Task.unit), joinedload(Task.requirement), joinedload(Task.directive))
        .order_by(Task.due_on.is_(None), Task.due_on, Task.id)
    )
