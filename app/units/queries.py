"""Reads of the unit tree."""

from __future__ import annotations

from app.core.permissions import unit_filter
from app.extensions import db
from app.units.models import Unit


def visible_units(user):
    """A select of the units the user may see, in tree order."""
    return db.select(Unit).where(unit_filter(user)).order_by(Unit.path)


def children_of(unit: Unit) -> list[Unit]:
    """The units directly below a unit, by name."""
    return list(db.session.scalars(db.select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.name)))


def by_slug(slug: str) -> Unit | None:
    """A unit by its slug."""
    return db.session.scalar(db.select(Unit).where(Unit.slug == slug))
