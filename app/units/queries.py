"""Reads of the unit tree."""

from __future__ import annotations

import re

from app.core.text import fold
from app.extensions import db
from app.units.models import Unit, UnitGroup
from app.units.policy import unit_filter


def visible_units(user):
    """A select of the units the user may see, in tree order."""
    return db.select(Unit).where(unit_filter(user)).order_by(Unit.path)


def children_of(unit: Unit) -> list[Unit]:
    """The units directly below a unit that still stand (not merged away: they take no new work), by name."""
    return list(db.session.scalars(db.select(Unit).where(Unit.parent_id == unit.id, Unit.merged_into_id.is_(None))
                                   .order_by(Unit.name)))


def by_slug(slug: str) -> Unit | None:
    """A unit by its slug."""
    return db.session.scalar(db.select(Unit).where(Unit.slug == slug))


def _bare(name: str) -> str:
    """A unit's name folded, without its level word: "Xã Tái Sơn" -> "tai son"."""
    # Strip the level word before folding: "phường" and the name "Phượng" fold alike.
    bare = re.sub(r"^(?:UBND\s+)?(?:xã|phường|thị trấn|thị xã|đặc khu|huyện|quận|thành phố|tỉnh)\s+", "",
                  name.strip(), flags=re.IGNORECASE)
    return " ".join(fold(bare).split())


def match_names(names: list[str], within: Unit) -> list[dict]:
    """Each name with the id of the unit below `within` it most likely means, or None.

    Matching ignores diacritics and level words and tolerates small typos
    ("Tái Sơn", "Tai Son", "xã Tái Sơn" all mean Xã Tái Sơn).
    """
    from rapidfuzz import fuzz, process

    candidates = {
        unit.id: _bare(unit.name)
        for unit in db.session.scalars(db.select(Unit).where(Unit.path.startswith(within.path), Unit.id != within.id))
    }
    result = []
    for name in names:
        found = process.extractOne(_bare(name), candidates, scorer=fuzz.ratio, score_cutoff=85)
        result.append({"name": name, "unit_id": found[2] if found else None})
    return result


def groups_of(unit: Unit) -> list:
    """The saved unit groups of a unit's office, by name."""
    return list(db.session.scalars(
        db.select(UnitGroup).where(UnitGroup.owner_unit_id == unit.id).order_by(UnitGroup.name)))
