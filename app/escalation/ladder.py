"""The ladder of escalation steps and which step a task has reached on a given day."""

from __future__ import annotations

from datetime import date, timedelta

from app.core.calendar import WorkingCalendar
from app.core.errors import DomainError

#: Who a step can tell: the unit's staff, chair and Party secretary, the issuing office, its leaders.
AUDIENCES = {
    "staff": "Công chức được giao",
    "chair": "Chủ tịch UBND xã",
    "secretary": "Bí thư Đảng ủy xã",
    "office": "Văn phòng (nơi giao việc)",
    "leaders": "Lãnh đạo (nơi giao việc)",
}
#: The roles each audience means, of the unit (staff, chair, secretary) or of the issuer (office, leaders).
AUDIENCE_ROLES = {"staff": ("unit_staff",), "chair": ("unit_chair",), "secretary": ("observer",),
                  "office": ("district_office",), "leaders": ("district_leader",)}
#: Audiences that are people of the issuing unit: they get one digest, not a mail per commune.
ISSUER_AUDIENCES = frozenset({"office", "leaders"})

DEFAULT_LADDER = [
    {"key": "before3", "offset": -3, "working_days": False, "to": ["staff", "chair"], "cc": [], "channels": ["email"]},
    {"key": "due", "offset": 0, "working_days": False, "to": ["chair"], "cc": [], "channels": ["email"]},
    {"key": "after1", "offset": 1, "working_days": False, "to": ["chair"], "cc": ["secretary"], "channels": ["email"]},
    {"key": "after3", "offset": 3, "working_days": False, "to": ["leaders"], "cc": [], "channels": ["email"]},
]
#: How far back the sweep looks for due dates step by step; older ones are all at the last step.
HORIZON_DAYS = 400


def validate_ladder(steps) -> list[dict]:
    """Check and normalise a ladder; a Vietnamese message says what is wrong."""
    if not isinstance(steps, list) or not steps:
        raise DomainError("Cần ít nhất một bước nhắc việc.")
    seen, out = set(), []
    for index, step in enumerate(steps, start=1):
        key = str(step.get("key") or f"step{index}")[:20]
        try:
            offset = int(step.get("offset"))
        except (TypeError, ValueError):
            raise DomainError(f"Bước {index}: số ngày phải là số nguyên (âm là trước hạn).") from None
        to = [a for a in step.get("to") or [] if a in AUDIENCES]
        cc = [a for a in step.get("cc") or [] if a in AUDIENCES]
        if not to:
            raise DomainError(f"Bước {index}: chọn ít nhất một người nhận.")
        if key in seen or offset in {s["offset"] for s in out}:
            raise DomainError(f"Bước {index}: trùng với một bước khác.")
        seen.add(key)
        channels = [c for c in step.get("channels") or ["email"] if c in ("email", "in_app")] or ["in_app"]
        out.append({"key": key, "offset": offset, "working_days": bool(step.get("working_days")), "to": to,
                    "cc": cc, "channels": channels})
    return sorted(out, key=lambda s: s["offset"])


def trigger_date(step: dict, due_on: date, calendar: WorkingCalendar | None) -> date:
    """The day a step is reached for a due date (calendar or working days, before or after)."""
    offset = step["offset"]
    if not step.get("working_days") or offset == 0 or calendar is None:
        return due_on + timedelta(days=offset)
    if offset > 0:
        return calendar.add_working_days(due_on, offset)
    day, left = due_on, -offset
    while left:
        day -= timedelta(days=1)
        left -= calendar.is_working_day(day)
    return day


def due_ranges(ladder: list[dict], today: date, calendar: WorkingCalendar | None) -> dict[str, tuple]:
    """For each step, the due dates (low exclusive, high inclusive) whose latest reached step it is today.

    Only the latest step reached is sent: after sweeps were missed, a task does
    not get every step it skipped. The last step's range is open at the bottom.
    """
    steps = sorted(ladder, key=lambda s: s["offset"])
    latest: dict[date, str] = {}
    low_day = today - timedelta(days=HORIZON_DAYS)
    high_day = today + timedelta(days=max(0, -steps[0]["offset"]) * 2 + 10)
    day = low_day
    while day <= high_day:
        reached = [s["key"] for s in steps if trigger_date(s, day, calendar) <= today]
        if reached:
            latest[day] = reached[-1]
        day += timedelta(days=1)
    ranges: dict[str, tuple] = {}
    for day in sorted(latest):
        key = latest[day]
        low, high = ranges.get(key, (day - timedelta(days=1), day))
        ranges[key] = (min(low, day - timedelta(days=1)), max(high, day))
    last = steps[-1]["key"]
    if last in ranges:
        ranges[last] = (None, ranges[last][1])
    return ranges
