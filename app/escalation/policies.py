"""Which ladder applies, and the office's changes to it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core import audit
from app.core.errors import DomainError
from app.core.models import AuditLog
from app.escalation.ladder import DEFAULT_LADDER, validate_ladder
from app.escalation.models import EscalationPolicy
from app.extensions import db

#: The audit action of a ladder the sweep could not use; the ladder's page shows it until the ladder is saved.
LADDER_FAILED = "escalation_ladder_failed"


def policy_row(issuer_unit_id: int, directive_id: int | None = None) -> EscalationPolicy | None:
    """The stored policy of a unit (default) or of a directive (override), if any."""
    if directive_id:
        return db.session.scalar(select(EscalationPolicy).where(EscalationPolicy.directive_id == directive_id))
    return db.session.scalar(select(EscalationPolicy).where(EscalationPolicy.issuer_unit_id == issuer_unit_id,
                                                            EscalationPolicy.directive_id.is_(None)))


def ladder_for(issuer_unit_id: int, directive_id: int | None = None) -> list[dict]:
    """The ladder in force: the directive's override, else the unit's default, else the built-in one."""
    row = (policy_row(issuer_unit_id, directive_id) if directive_id else None) or policy_row(issuer_unit_id)
    return row.steps if row else DEFAULT_LADDER


def save_policy(issuer_unit_id: int, steps: list[dict], user, directive_id: int | None = None) -> EscalationPolicy:
    """Store a unit's default ladder, or a directive's override."""
    steps = validate_ladder(steps)
    row = policy_row(issuer_unit_id, directive_id) or _new_policy(issuer_unit_id, directive_id, steps)
    row.steps = steps
    db.session.flush()
    audit.record("escalation_policy_saved", row, user=user, detail={"directive_id": directive_id})
    return row


def _new_policy(issuer_unit_id: int, directive_id: int | None, steps: list[dict]) -> EscalationPolicy:
    """A new policy row; the one another request stored meanwhile when the database refuses a second."""
    try:
        with db.session.begin_nested():
            row = EscalationPolicy(issuer_unit_id=issuer_unit_id, directive_id=directive_id, steps=steps)
            db.session.add(row)
    except IntegrityError:  # one default per unit, one override per directive (unique in the database)
        row = policy_row(issuer_unit_id, directive_id)
        if row is None:  # refused for another reason
            raise
    return row


def remove_override(directive_id: int, user) -> None:
    """Let a directive follow its unit's default ladder again."""
    row = policy_row(0, directive_id)
    if row is not None:
        audit.record("escalation_policy_removed", row, user=user)
        db.session.delete(row)


def ladder_problem(issuer_unit_id: int, directive_id: int | None = None) -> str | None:
    """Why the sweep cannot use the stored ladder (what it says now, else its last failure since saved), or None."""
    row = policy_row(issuer_unit_id, directive_id)
    if row is None:
        return None
    try:
        validate_ladder(row.steps)
    except DomainError as exc:
        return exc.message
    last = db.session.scalar(
        select(AuditLog).where(AuditLog.object_type == "escalationpolicy", AuditLog.object_id == row.id,
                               AuditLog.action.in_((LADDER_FAILED, "escalation_policy_saved")))
        .order_by(AuditLog.id.desc()).limit(1))
    return (last.detail or {}).get("error") if last is not None and last.action == LADDER_FAILED else None
