"""The ladder of escalation steps and which step a task has reached on a given day."""

from __future__ import annotations

from datetime import date, timedelta

from app.core.calendar import WorkingCalendar, calendar_between
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
#: The earliest reminder, in days before the due date: three months ahead is as early as an office plans a task.
MIN_OFFSET = -90
#: The latest escalation, in days after the due date: a year late is the last time anyone is still told.
MAX_OFFSET = 365
#: Why an offset outside the bounds is refused, beside the field and in the sweep's record.
OFFSET_MESSAGE = (f"Số ngày phải từ {MIN_OFFSET} đến {MAX_OFFSET}: nhắc sớm nhất {-MIN_OFFSET} ngày trước hạn, "
                  f"báo quá hạn muộn nhất {MAX_OFFSET} ngày sau hạn.")


def offset_allowed(offset: int) -> bool:
    """Whether an office may use this offset (days, calendar or working, from the due date)."""
    return MIN_OFFSET <= offset <= MAX_OFFSET


def validate_ladder(steps) -> list[dict]:
    """Check and normalise a ladder; a Vietnamese message says what is wrong."""
    if not isinstance(steps, list) or not steps:
        raise DomainError("Cần ít nhất một bước nhắc việc.")
    seen, out = set(), []
    for index, step in enumerate(steps, start=1):
        if not isinstance(step, dict):
            raise DomainError(f"Bước {index}: không đọc được bước này.")
        key = str(step.get("key") or f"step{index}")[:20]
        offset = _offset(step.get("offset"), index)
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


def _offset(value, index: int) -> int:
    """A step's offset as a whole number within the bounds."""
    try:
        offset = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite float stored as JSON
        raise DomainError(f"Bước {index}: số ngày phải là số nguyên (âm là trước hạn).") from None
    if not offset_allowed(offset):
        raise DomainError(f"Bước {index}: {OFFSET_MESSAGE}")
    return offset


class WorkingDays:
    """The working days around one day, found once: the n-th one before or after it is then a lookup.

    It holds as many as the bounds allow a step to count, so a sweep's work on
    the calendar is the same whatever offsets its ladders use.
    """

    def __init__(self, today: date, calendar: WorkingCalendar):
        self.today = today
        #: Calendar days looked at; fixed by the bounds, never by a ladder.
        self.examined = 0
        self._on_or_before = self._walk(calendar, today, -1, MAX_OFFSET)
        self._after = self._walk(calendar, today + timedelta(days=1), 1, -MIN_OFFSET)

    def _walk(self, calendar: WorkingCalendar, day: date, direction: int, count: int) -> list[date]:
        """The first `count` working days from `day` on, walking forward (1) or back (-1)."""
        found, idle = [], 0
        while len(found) < count:
            self.examined += 1
            if calendar.is_working_day(day):
                found.append(day)
                idle = 0
            elif idle >= 366:  # a year of days off is a data-entry mistake, not a calendar
                raise ValueError("no working day within a year: check the calendar overrides")
            else:
                idle += 1
            day += timedelta(days=direction)
        return found

    def nth_on_or_before(self, n: int) -> date:
        """The n-th working day counting back from today, today included (n ≥ 1)."""
        return self._on_or_before[n - 1]

    def nth_after(self, n: int) -> date:
        """The n-th working day after today (n ≥ 1)."""
        return self._after[n - 1]


def working_days_around(today: date) -> WorkingDays:
    """The working-day index of a sweep, reading the calendar and its overrides once."""
    # Seven calendar days per five working days, and two months of slack for Tết and long holidays.
    back = today - timedelta(days=MAX_OFFSET * 7 // 5 + 60)
    ahead = today + timedelta(days=-MIN_OFFSET * 7 // 5 + 60)
    return WorkingDays(today, calendar_between(back, ahead))


def uses_working_days(ladder: list[dict]) -> bool:
    """Whether a step of the ladder counts working days (then the sweep needs the calendar)."""
    return any(s.get("working_days") and s["offset"] for s in ladder)


def last_due_reached(step: dict, today: date, days: WorkingDays | None) -> date:
    """The latest due date whose step is reached by `today`: every earlier due date has reached it too."""
    offset = step["offset"]
    if not offset_allowed(offset):
        raise ValueError(f"offset {offset} outside {MIN_OFFSET}..{MAX_OFFSET}")
    if not step.get("working_days") or offset == 0:
        return today - timedelta(days=offset)
    if days is None:
        raise ValueError("a step counting working days needs the working-day index")
    if offset > 0:  # reached on the offset-th working day after the due date
        return days.nth_on_or_before(offset) - timedelta(days=1)
    return days.nth_after(-offset)  # reached on the |offset|-th working day before the due date


def due_ranges(ladder: list[dict], today: date, days: WorkingDays | None) -> dict[str, tuple]:
    """For each step, the due dates (low exclusive, high inclusive) whose latest reached step it is today.

    Only the latest step reached is sent: after sweeps were missed, a task does
    not get every step it skipped. The last step's range is open at the bottom.
    Each step reaches every due date up to a threshold, so a step owns the due
    dates between the thresholds of the steps after it and its own: one lookup
    per step, whatever its offset.
    """
    ranges: dict[str, tuple] = {}
    claimed: date | None = None  # the latest due date a later step already reached
    for step in sorted(ladder, key=lambda s: s["offset"], reverse=True):
        high = last_due_reached(step, today, days)
        if claimed is None or high > claimed:
            ranges[step["key"]] = (claimed, high)
            claimed = high
    return ranges
