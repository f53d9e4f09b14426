"""Which units a user sees, as a SQL condition: `can_see_unit` of the permissions module, for queries."""

from __future__ import annotations

from sqlalchemy import true

from app.core.permissions import sees_everything
from app.extensions import db
from app.units.models import Unit


def unit_filter(user):
    """The same rule as `can_see_unit`, as a SQL condition on Unit."""
    if sees_everything(user):
        return true()
    if user.is_commune_user:
        return Unit.id == user.unit_id
    return Unit.path.startswith(user.unit.path)


def visible_unit_ids(user):
    """A subquery of the ids of the units the user may see."""
    return db.select(Unit.id).where(unit_filter(user))
