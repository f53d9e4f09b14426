"""Reads of the monthly figures, with the rate and the target each unit is held to."""

from __future__ import annotations

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.indicators.models import MonthlyFigures, Target, online_rate
from app.units.models import COMMUNE_LEVEL, Unit
from app.units.policy import visible_unit_ids


def figures_for(user, period: str | None = None):
    """A select of (figures, target rate) for the units the user sees; the target is the parent unit's."""
    parent = aliased(Unit)
    query = (
        select(MonthlyFigures, Target.rate, Unit)
        .join(Unit, Unit.id == MonthlyFigures.unit_id)
        .outerjoin(parent, parent.id == Unit.parent_id)
        .outerjoin(Target, and_(Target.issuer_unit_id == parent.id, Target.period == MonthlyFigures.period))
        .where(MonthlyFigures.unit_id.in_(visible_unit_ids(user)))
        .order_by(MonthlyFigures.period.desc(), Unit.name)
    )
    if period:
        query = query.where(MonthlyFigures.period == period)
    return query


def figures_json(figures: MonthlyFigures, target: float | None) -> dict:
    """A unit's month as CONTRACT.md lists it."""
    rate = online_rate(figures.total, figures.online_level3, figures.online_level4)
    return {"unit_id": figures.unit_id, "period": figures.period, "total": figures.total,
            "online_level3": figures.online_level3, "online_level4": figures.online_level4,
            "settled_online": figures.settled_online, "rate": rate, "target": target,
            "below_target": bool(target is not None and rate is not None and rate < target)}


def ranking(user, period: str) -> list[dict]:
    """Units by online rate for a month, lowest first: who is below target, who has no online dossiers."""
    rows = db.session.execute(figures_for(user, period)).all()
    out = []
    for figures, target, unit in rows:
        row = figures_json(figures, target)
        row.update(unit=unit, no_online=figures.online_level3 + figures.online_level4 == 0 and figures.total > 0)
        out.append(row)
    return sorted(out, key=lambda r: (r["rate"] is None, r["rate"] or 0))


def trend(user, unit_ids: list[int] | None = None) -> dict[str, dict[int, float | None]]:
    """Rate per month per unit, for the month-over-month chart."""
    series: dict[str, dict[int, float | None]] = {}
    for figures, _target, _unit in db.session.execute(figures_for(user)).all():
        if unit_ids and figures.unit_id not in unit_ids:
            continue
        series.setdefault(figures.period, {})[figures.unit_id] = online_rate(
            figures.total, figures.online_level3, figures.online_level4)
    return dict(sorted(series.items()))


def figure_periods(user) -> list[str]:
    """The months with figures of units the user sees, latest first (one DISTINCT query, no rows loaded)."""
    return list(db.session.scalars(
        select(MonthlyFigures.period).where(MonthlyFigures.unit_id.in_(visible_unit_ids(user)))
        .distinct().order_by(MonthlyFigures.period.desc())))


def latest_period(user) -> str | None:
    """The latest month with figures of a unit the user sees, YYYY-MM, or None when there are none."""
    return db.session.scalar(
        select(MonthlyFigures.period).where(MonthlyFigures.unit_id.in_(visible_unit_ids(user)))
        .order_by(MonthlyFigures.period.desc()).limit(1))


def has_figures(user, period: str) -> bool:
    """Whether any unit the user sees has figures for the month."""
    return bool(db.session.scalar(select(exists().where(MonthlyFigures.period == period,
                                                        MonthlyFigures.unit_id.in_(visible_unit_ids(user))))))


def template_units(user) -> list[Unit]:
    """The commune-level units below the user's unit, the rows of the import template: each district's in the
    order they were entered (the district's official list, Thị trấn first), not by name."""
    return list(db.session.scalars(
        select(Unit).where(Unit.id.in_(visible_unit_ids(user)), Unit.id != user.unit_id, Unit.kind.in_(COMMUNE_LEVEL))
        .order_by(Unit.parent_id, Unit.id)))


def units_for_import(user) -> tuple[set[int], dict[str, Unit]]:
    """The units a user may import figures for, by id and by slug."""
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(visible_unit_ids(user)))))
    return {u.id for u in units}, {u.slug: u for u in units}
