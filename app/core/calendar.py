"""Working days in Vietnam: Monday to Friday, less public holidays, with an admin's overrides.

Public holidays come from the ``holidays`` package (Tết by the lunar calendar,
the days off in lieu, and the weekend make-up days the Government sets when it
swaps a day). Admin overrides (`CalendarDay`) win over both.

Build one `WorkingCalendar` for a date range and ask it many questions: it
reads the overrides of the years it covers in one query, and reads again only
when asked about a day outside them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import select

from app.core.models import CalendarDay
from app.extensions import db

#: Saturday and Sunday, as `date.weekday` counts them.
WEEKEND = frozenset({5, 6})
#: A year of days off in a row is not a calendar, it is a data-entry mistake.
_MAX_IDLE_DAYS = 366


@lru_cache(maxsize=64)
def public_calendar(first_year: int, last_year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Vietnam's public holidays and weekend make-up working days for these years."""
    vn = holidays.country_holidays("VN", years=range(first_year, last_year + 1))
    # `holidays` lists every make-up day it knows whatever the years asked: keep those in range.
    makeup = (day for day in vn.weekend_workdays if first_year <= day.year <= last_year)
    # Frozen sets: the cached value is shared between threads and never changes.
    return frozenset(vn), frozenset(makeup)


def overrides_between(start: date, end: date) -> dict[date, bool]:
    """The admin's overrides from start to end inclusive, read in one query."""
    rows = db.session.execute(
        select(CalendarDay.day, CalendarDay.is_working).where(CalendarDay.day.between(start, end))
    )
    return {day: bool(is_working) for day, is_working in rows}


class WorkingCalendar:
    """Working days over whole years, with those years' holidays and overrides loaded once."""

    def __init__(self, start: date, end: date | None = None, overrides: Mapping[date, bool] | None = None):
        # Overrides given by the caller are the whole truth: never read the database then.
        self._from_db = overrides is None
        self._overrides: dict[date, bool] = dict(overrides or {})
        self._load(*sorted((start.year, (end or start).year)))

    def _load(self, first_year: int, last_year: int) -> None:
        """Cover these years: holidays from the cache, overrides in one query."""
        self._first_year, self._last_year = first_year, last_year
        # A swap can cross New Year: Saturday 05/01/2019 made up for 31/12/2018, listed under 2018.
        self._holidays, self._weekend_workdays = public_calendar(first_year - 1, last_year + 1)
        if self._from_db:
            self._overrides = overrides_between(date(first_year, 1, 1), date(last_year, 12, 31))

    def covers(self, day: date) -> bool:
        """Whether the day lies in the years already loaded."""
        return self._first_year <= day.year <= self._last_year

    def is_working_day(self, day: date) -> bool:
        """Whether offices work on this day."""
        if not self.covers(day):
            self._load(min(day.year, self._first_year), max(day.year, self._last_year))
        override = self._overrides.get(day)
        if override is not None:
            return override
        if day.weekday() in WEEKEND:
            return day in self._weekend_workdays
        return day not in self._holidays

    def add_working_days(self, start: date, n: int) -> date:
        """The day n working days after start (start itself not counted; n=0 gives start)."""
        if n < 0:
            raise ValueError("n must not be negative")
        day, idle = start, 0
        while n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n, idle = n - 1, 0
            else:
                idle = self._count_idle(idle)
        return day

    def working_day_on_or_after(self, day: date) -> date:
        """The day itself when it is a working day, else the next working day."""
        return self._nearest(day, timedelta(days=1))

    def working_day_on_or_before(self, day: date) -> date:
        """The day itself when it is a working day, else the previous working day."""
        return self._nearest(day, timedelta(days=-1))

    def _nearest(self, day: date, step: timedelta) -> date:
        """The first working day from `day` on, walking by `step`."""
        idle = 0
        while not self.is_working_day(day):
            day += step
            idle = self._count_idle(idle)
        return day

    @staticmethod
    def _count_idle(idle: int) -> int:
        """One more day off in a row; refuse to search for ever."""
        if idle >= _MAX_IDLE_DAYS:
            raise ValueError("no working day within a year: check the calendar overrides")
        return idle + 1


def calendar_between(start: date, end: date) -> WorkingCalendar:
    """A calendar covering start to end, reading the overrides from the database."""
    return WorkingCalendar(start, end)


def is_working_day(day: date) -> bool:
    """Whether offices work on this day (builds a one-off calendar)."""
    return WorkingCalendar(day).is_working_day(day)


def add_working_days(start: date, n: int) -> date:
    """The day n working days after start (builds a one-off calendar)."""
    # Two calendar days per working day and a month for Tết covers any real stretch.
    return WorkingCalendar(start, start + timedelta(days=2 * max(n, 0) + 31)).add_working_days(start, n)
