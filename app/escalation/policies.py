"""Which ladder applies, and the office's changes to it."""

from __future__ import annotations

from sqlalchemy import select

from app.core import audit
from app.escalation.ladder import DEFAULT_LADDER, validate_ladder
from app.escalation.models import EscalationPolicy
from app.extensions import db


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
    row = policy_row(issuer_unit_id, directive_id)
    if row is None:
        row = EscalationPolicy(issuer_unit_id=issuer_unit_id, directive_id=directive_id)
        db.session.add(row)
    row.steps = steps
    db.session.flush()
    audit.record("escalation_policy_saved", row, user=user, detail={"directive_id": directive_id})
    return row


def remove_override(directive_id: int, user) -> None:
    """Let a directive follow its unit's default ladder again."""
    row = policy_row(0, directive_id)
    if row is not None:
        audit.record("escalation_policy_removed", row, user=user)
        db.session.delete(row)
