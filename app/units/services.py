"""Changes to the unit tree."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from app.core.errors import DomainError
from app.extensions import db
from app.units.models import UNIT_KINDS, Unit, UnitGroup


def set_path(unit: Unit) -> None:
    """Compute the materialised path from the parent's (the unit must have an id)."""
    unit.path = (unit.parent.path if unit.parent else "/") + f"{unit.id}/"


def upsert_unit(slug: str, name: str, kind: str, parent: Unit | None) -> tuple[Unit, bool]:
    """Create or update a unit by slug; returns it and whether it is new."""
    if kind not in UNIT_KINDS:
        raise DomainError(f"Loại đơn vị không hợp lệ: {kind}")
    unit = db.session.scalar(db.select(Unit).where(Unit.slug == slug))
    created = unit is None
    if created:
        unit = Unit(slug=slug)
        db.session.add(unit)
    unit.name, unit.kind, unit.parent = name, kind, parent
    db.session.flush()
    set_path(unit)
    return unit, created


def import_units_csv(path: Path) -> int:
    """Load units from a CSV of slug,name,kind,parent (parents before children; lines starting with '#' are
    comments, e.g. the source of the list); returns new ones."""
    created = 0
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            parent = None
            if row.get("parent"):
                parent = db.session.scalar(db.select(Unit).where(Unit.slug == row["parent"].strip()))
                if parent is None:
                    raise DomainError(f"Không tìm thấy đơn vị cấp trên: {row['parent']}")
            _, is_new = upsert_unit(row["slug"].strip(), row["name"].strip(), row["kind"].strip(), parent)
            created += is_new
    return created


def save_group(owner: Unit, name: str, unit_ids: list[int]) -> UnitGroup:
    """Save (or replace) a named list of units below `owner`."""
    name = (name or "").strip()
    if not name:
        raise DomainError("Vui lòng đặt tên cho nhóm đơn vị.")
    members = list(db.session.scalars(db.select(Unit.id).where(
        Unit.id.in_(unit_ids), Unit.path.startswith(owner.path), Unit.id != owner.id)))
    if not members:
        raise DomainError("Nhóm phải có ít nhất một đơn vị trực thuộc.")
    group = group_named(owner, name) or _new_group(owner, name, sorted(members))
    group.unit_ids = sorted(members)
    return group


def group_named(owner: Unit, name: str) -> UnitGroup | None:
    """The owner's unit group of that name, if any."""
    return db.session.scalar(db.select(UnitGroup).where(UnitGroup.owner_unit_id == owner.id, UnitGroup.name == name))


def _new_group(owner: Unit, name: str, unit_ids: list[int]) -> UnitGroup:
    """A new group; the one another request saved meanwhile when the database refuses a second of that name."""
    try:
        with db.session.begin_nested():
            group = UnitGroup(owner_unit_id=owner.id, name=name, unit_ids=unit_ids)
            db.session.add(group)
    except IntegrityError:  # names are unique per owner in the database
        group = group_named(owner, name)
        if group is None:  # refused for another reason
            raise
    return group
