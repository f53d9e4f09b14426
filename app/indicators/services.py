"""Recording figures and targets."""

from __future__ import annotations

from sqlalchemy import select

from app.core.errors import DomainError
from app.core.limits import column_max
from app.core.numbers import too_large
from app.extensions import db
from app.indicators.models import MonthlyFigures, Target

FIELDS = ("total", "online_level3", "online_level4", "settled_online")
#: The largest figure the monthly_figures columns hold: a larger one saved in a task would fail its acceptance.
FIGURE_MAX = min(column_max(getattr(MonthlyFigures, name)) for name in FIELDS)


def check_figures(values: dict) -> dict:
    """Whole, non-negative numbers the columns hold, that add up: online ones cannot exceed the total."""
    checked = {}
    for name in FIELDS:
        value = values.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise DomainError(f"Số liệu “{LABELS[name]}” phải là số nguyên không âm.")
        if value > FIGURE_MAX:
            raise DomainError(f"Số liệu “{LABELS[name]}”: {too_large(FIGURE_MAX).lower()}")
        checked[name] = value
    if checked["online_level3"] + checked["online_level4"] > checked["total"]:
        raise DomainError("Số hồ sơ trực tuyến (một phần + toàn trình) không được lớn hơn tổng số hồ sơ tiếp nhận.")
    if checked["settled_online"] > checked["total"]:
        raise DomainError("Số hồ sơ giải quyết trực tuyến không được lớn hơn tổng số hồ sơ tiếp nhận.")
    return checked


LABELS = {
    "total": "Tổng số hồ sơ tiếp nhận",
    "online_level3": "Tiếp nhận trực tuyến một phần (mức độ 3)",
    "online_level4": "Tiếp nhận trực tuyến toàn trình (mức độ 4)",
    "settled_online": "Giải quyết trực tuyến",
}


def record_figures(unit_id: int, period: str, values: dict, source: str, task_id: int | None = None) -> MonthlyFigures:
    """Store a unit's figures for a month (the latest report or import wins)."""
    values = check_figures(values)
    row = db.session.scalar(select(MonthlyFigures).where(MonthlyFigures.unit_id == unit_id,
                                                         MonthlyFigures.period == period))
    if row is None:
        row = MonthlyFigures(unit_id=unit_id, period=period)
        db.session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.source, row.task_id = source, task_id
    return row


def target_for(issuer_unit_id: int, period: str) -> Target | None:
    """The target an issuing unit set for a month, if any."""
    return db.session.scalar(select(Target).where(Target.issuer_unit_id == issuer_unit_id, Target.period == period))


def set_target(issuer_unit_id: int, period: str, rate: float, level3: float | None = None,
               level4: float | None = None) -> Target:
    """Set (or change) the online-rate target for a month."""
    if not 0 <= rate <= 1:
        raise DomainError("Chỉ tiêu tỷ lệ phải nằm trong khoảng 0–100 %.")
    target = target_for(issuer_unit_id, period)
    if target is None:
        target = Target(issuer_unit_id=issuer_unit_id, period=period)
        db.session.add(target)
    target.rate, target.level3_rate, target.level4_rate = rate, level3, level4
    return target
