"""Reads of accounts that other pages show."""

from __future__ import annotations

from app.auth.models import User
from app.extensions import db


def account_counts(unit_ids: list[int]) -> dict[int, int]:
    """How many accounts each of the units has (units with none are absent)."""
    return dict(db.session.execute(
        db.select(User.unit_id, db.func.count()).where(User.unit_id.in_(unit_ids)).group_by(User.unit_id)).all())
