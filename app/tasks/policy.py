"""Permission rules that read tasks, added to the permissions module's `RULES` (roles are judged there)."""

from __future__ import annotations

from sqlalchemy import and_, exists

from app.core.permissions import can_see_task, oversees_directive, rule
from app.extensions import db
from app.tasks.models import Task
from app.units.policy import visible_unit_ids


@rule("see_directive")
def can_see_directive(user, directive) -> bool:
    """Issuers see their own (drafts too); units see published ones that gave them tasks."""
    if oversees_directive(user, directive):
        return True
    if directive.state == "draft":
        return False
    return db.session.scalar(
        db.select(exists().where(and_(Task.directive_id == directive.id,
                                      Task.unit_id.in_(visible_unit_ids(user)))))
    )


@rule("see_evidence")
def can_see_evidence(user, evidence) -> bool:
    """An evidence file is seen by whoever sees its task."""
    return can_see_task(user, db.session.get(Task, evidence.task_id))
