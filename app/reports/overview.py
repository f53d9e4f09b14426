"""The leaders' overview (issue 14): the few figures a district chair follows, each read with one GROUP BY or
an existing report query, and each leading to the list behind it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, literal_column, select

from app.core import clock
from app.core.periods import month_label
from app.directives.models import Directive
from app.extensions import db
from app.indicators.models import MonthlyFigures, online_rate
from app.indicators.queries import latest_period, ranking
from app.reports.queries import compliance, empty_groups, missed_months, unit_names
from app.tasks.models import Task
from app.tasks.queries import directives_for, task_group
from app.units.models import Unit
from app.units.policy import visible_unit_ids

#: Who opens "/" on the overview instead of the task list: the district's office and leaders, and the admin.
#: Directives on the overview, newest first; the rest are one link away.
DIRECTIVES_SHOWN = 6
#: Units listed at first in each ranking, worst first; the rest open under "Xem thêm".
UNITS_SHOWN = 5
#: Months of the online rate's trend.
TREND_MONTHS = 6


def overview(user, today: date | None = None) -> dict:
    """Everything the overview shows, for the units the user sees."""
    today = today or clock.today()
    return {"today": today, "shown": UNITS_SHOWN, "directives": directive_counts(user, today=today),
            "overdue": overdue_units(user, today), "reports": missed_reports(user, today),
            "online": online_ranking(user)}


def directive_counts(user, limit: int = DIRECTIVES_SHOWN, today: date | None = None) -> dict:
    """The newest published directives the user sees, each with its tasks per report group (one GROUP BY for
    all of them), and how many published directives there are in all."""
    published = directives_for(user).where(Directive.state == "published")
    total = db.session.scalar(select(func.count()).select_from(published.order_by(None).subquery()))
    newest = published.order_by(None).order_by(
        func.coalesce(Directive.published_at, Directive.created_at).desc(), Directive.id.desc()).limit(limit)
    directives = list(db.session.scalars(newest))
    counts = {d.id: empty_groups() for d in directives}
    if directives:
        query = (select(Task.directive_id, task_group(today or clock.today()), func.count())
                 .where(Task.directive_id.in_(list(counts)), Task.unit_id.in_(visible_unit_ids(user))))
        # GROUP BY positions, as in summary(): the CASE's bound date would count as another expression on PG.
        for directive_id, group, count in db.session.execute(
                query.group_by(literal_column("1"), literal_column("2"))).all():
            counts[directive_id][group] = count
    return {"rows": [{"directive": d, "groups": counts[d.id], "tasks": sum(counts[d.id].values())}
                     for d in directives], "total": total}


def overdue_units(user, today: date | None = None) -> list[dict]:
    """Units with tasks open past their due date (every directive), the most first, then by name.

    One row per unit, never per task: a scorecard's "Đang quá hạn" is the same count.
    """
    overdue = func.count().label("overdue")
    query = (select(Unit.id, Unit.name, overdue).join(Task, Task.unit_id == Unit.id)
             .where(Unit.id.in_(visible_unit_ids(user)), task_group(today or clock.today()) == "open_overdue")
             .group_by(Unit.id, Unit.name).order_by(overdue.desc(), Unit.name, Unit.id))
    return [{"unit_id": unit_id, "name": name, "overdue": count}
            for unit_id, name, count in db.session.execute(query).all()]


def report_month(periods: list[str], table: dict[int, dict[str, str]], today: date) -> str | None:
    """The month whose periodic report to show: the latest up to this one that fell due (or was handed in)
    somewhere; before any has, the latest up to this one; None when there are no periodic reports."""
    this_month = f"{today:%Y-%m}"
    candidates = [p for p in periods if p <= this_month] or periods[:1]
    for period in reversed(candidates):
        if any(row.get(period, "open") != "open" for row in table.values()):
            return period
    return candidates[-1] if candidates else None


def missed_reports(user, today: date | None = None) -> dict | None:
    """The latest due month's periodic report: how many units handed it in on time, late, not at all, and
    who missed it, the most months missed first; None when there are no periodic reports."""
    periods, table = compliance(user)
    period = report_month(periods, table, today or clock.today())
    if period is None:
        return None
    statuses = {unit_id: row[period] for unit_id, row in table.items() if period in row}
    missing = [unit_id for unit_id, status in statuses.items() if status == "missing"]
    names = unit_names(missing)
    units = [{"unit_id": unit_id, "name": names[unit_id], "months": len(missed_months(table[unit_id]))}
             for unit_id in missing]
    units.sort(key=lambda u: (-u["months"], u["name"], u["unit_id"]))
    counts = dict.fromkeys(("on_time", "late", "missing", "open"), 0)
    for status in statuses.values():
        counts[status] += 1
    return {"period": period, "label": month_label(period), "counts": counts, "units": units}


def online_ranking(user) -> dict | None:
    """The latest month with figures: the units below target, lowest rate first, with their change since the
    month before; the target; and the overall online rate of the last months; None when there are no figures."""
    period = latest_period(user)
    if period is None:
        return None
    rows = ranking(user, period)
    trend = overall_rates(user)
    earlier = [t["period"] for t in trend if t["period"] < period]
    before = {r["unit"].id: r["rate"] for r in ranking(user, earlier[-1])} if earlier else {}
    below = [{"unit_id": r["unit"].id, "name": r["unit"].name, "rate": r["rate"], "target": r["target"],
              "no_online": r["no_online"], "change": _change(r["rate"], before.get(r["unit"].id))}
             for r in rows if r["below_target"] or r["no_online"]]
    targets = {r["target"] for r in rows if r["target"] is not None}
    return {"period": period, "label": month_label(period), "units": len(rows), "below": below,
            "below_target": sum(1 for r in rows if r["below_target"]),
            "target": targets.pop() if len(targets) == 1 else None,
            "previous": month_label(earlier[-1]) if earlier else None, "trend": trend}


def _change(rate: float | None, before: float | None) -> float | None:
    """A rate's change since the month before, as a fraction (0.021 is 2,1 points); None without both."""
    return None if rate is None or before is None else rate - before


def overall_rates(user, months: int = TREND_MONTHS) -> list[dict]:
    """The online rate of all the units the user sees together, month by month, oldest first: one GROUP BY
    over the latest `months` months with figures."""
    query = (select(MonthlyFigures.period, func.sum(MonthlyFigures.total), func.sum(MonthlyFigures.online_level3),
                    func.sum(MonthlyFigures.online_level4), func.count())
             .where(MonthlyFigures.unit_id.in_(visible_unit_ids(user)))
             .group_by(MonthlyFigures.period).order_by(MonthlyFigures.period.desc()).limit(months))
    rows = db.session.execute(query).all()
    return [{"period": period, "label": month_label(period), "units": units,
             "rate": online_rate(int(total or 0), int(level3 or 0), int(level4 or 0))}
            for period, total, level3, level4, units in reversed(rows)]
