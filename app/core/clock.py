"""The one clock of the application: aware datetimes, Vietnamese local dates.

Tests fake time through `freeze`, never by patching callers.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_frozen: datetime | None = None


def now() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return _frozen if _frozen is not None else datetime.now(timezone.utc)


def wall_now() -> datetime:
    """The real instant even while tests freeze `now` (for what other processes compare with their own clock)."""
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's date in Asia/Ho_Chi_Minh."""
    return local_date(now())


def local_date(moment: datetime) -> date:
    """The Vietnamese calendar date of an instant (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(VN).date()


def parse_instant(text: str) -> datetime:
    """An ISO-8601 instant; with no offset it is read as Vietnamese local time."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN)
    return moment.astimezone(timezone.utc)


def freeze(moment: datetime | None) -> None:
    """Pin the clock to an instant (None releases it); for tests and `--at`."""
    global _frozen
    _frozen = moment.astimezone(timezone.utc) if moment else None


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored datetime as aware UTC (SQLite returns naive values)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)
