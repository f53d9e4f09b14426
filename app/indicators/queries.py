"""Reads of the monthly figures, with the rate and the target each unit is held to."""

from __future__ import annotations

from sqlalchemy import String, and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.indicators.models import MonthlyFigures, Target, online_rate
from app.units.models import COMMUNE_LEVEL, Unit
from app.units.policy import visible_unit_ids


def figures_for(user, period: str | None = None, *, as_of_period: bool = False):
    """A select of (figures, target rate) for the units the user sees; the target is the parent unit's.

    `as_of_period` shows each month as the tree stood then (a report of a month before a merger names the
    communes of that month); otherwise, as it stands now: merged units give way to the unit they became,
    whose history is their sums (a trend that runs on across the merger).
    """
    parent = aliased(Unit)
    query = (
        select(MonthlyFigures, Target.rate, Unit)
        .join(Unit, Unit.id == MonthlyFigures.unit_id)
        .outerjoin(parent, parent.id == Unit.parent_id)
        .outerjoin(Target, and_(Target.issuer_unit_id == parent.id, Target.period == MonthlyFigures.period))
        .where(MonthlyFigures.unit_id.in_(visible_unit_ids(user)))
        .order_by(MonthlyFigures.period.desc(), Unit.name)
    )
    if as_of_period:
        # A merged unit stands for the months that began before its merger; its successor's sums do not.
        month_start = func.substr(func.cast(Unit.merged_on, String), 1, 7)
        query = query.where(MonthlyFigures.source != "merged",
                            or_(Unit.merged_on.is_(None), MonthlyFigures.period < month_start))
    else:
        query = query.where(Unit.merged_into_id.is_(None))
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


def ranking(user, period: str, *, as_of_period: bool = False) -> list[dict]:
    """Units by online rate for a month, lowest first: who is below target, who has no online dossiers (the
    units of today, or as the tree stood that month: see figures_for)."""
    rows = db.session.execute(figures_for(user, period, as_of_period=as_of_period)).all()
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
        select(Unit).where(Unit.id.in_(visible_unit_ids(user)), Unit.id != user.unit_id, Unit.kind.in_(COMMUNE_LEVEL),
                           Unit.merged_into_id.is_(None)).order_by(Unit.parent_id, Unit.id)))


def units_for_import(user) -> tuple[set[int], dict[str, Unit]]:
    """The units a user may import figures for, by id and by slug (units merged away report no more)."""
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(visible_unit_ids(user)),
                                                       Unit.merged_into_id.is_(None))))
    return {u.id for u in units}, {u.slug: u for u in units}
