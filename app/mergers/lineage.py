"""A merger's lineage, read: the standing unit a merged one became, and the units a new one was formed from."""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby

from sqlalchemy import select

from app.extensions import db
from app.units.models import Unit


def successors(unit_ids) -> dict[int, int]:
    """For each of `unit_ids` (ids, or a select of them) that was merged away, the id of the unit standing in its
    place today: a unit merged again later leads on to the one it went into."""
    became = dict(db.session.execute(select(Unit.id, Unit.merged_into_id).where(
        Unit.id.in_(unit_ids), Unit.merged_into_id.is_not(None))).all())
    seen, step = set(became), became
    while step:  # one round per later merger (rarely any); `seen` ends the walk whatever the data
        targets = set(step.values()) - seen
        seen |= targets
        step = dict(db.session.execute(select(Unit.id, Unit.merged_into_id).where(
            Unit.id.in_(targets), Unit.merged_into_id.is_not(None))).all()) if targets else {}
        became = {unit: step.get(into, into) for unit, into in became.items()}
    return became


def parts_of(unit_ids) -> dict[int, list[Unit]]:
    """The units merged straight into each of `unit_ids`, by the day of the merger, then by name."""
    parts: dict[int, list[Unit]] = defaultdict(list)
    ids = list(unit_ids)
    if ids:
        for part in db.session.scalars(select(Unit).where(Unit.merged_into_id.in_(ids))
                                       .order_by(Unit.merged_on, Unit.search_name, Unit.id)):
            parts[part.merged_into_id].append(part)
    return parts


def formed_from_label(unit: Unit) -> str:
    """"Hình thành từ: Xã A, Xã B, Xã C (01/06/2022)" (each day's parts), or "" for a unit no merger formed."""
    parts = parts_of([unit.id]).get(unit.id, [])
    if not parts:
        return ""
    days = [f"{', '.join(p.name for p in group)} ({day:%d/%m/%Y})"
            for day, group in groupby(parts, key=lambda p: p.merged_on)]
    return "Hình thành từ: " + "; ".join(days)
