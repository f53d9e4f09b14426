"""Working days in Vietnam: weekends, real public holidays (Tết by the lunar calendar), admin overrides."""

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from app.core import calendar
from app.core.calendar import WorkingCalendar, add_working_days, is_working_day, overrides_between
from app.core.models import CalendarDay
from app.extensions import db


def override(day: date, is_working: bool, note: str = "") -> None:
    """An admin's mark on the calendar, committed."""
    db.session.add(CalendarDay(day=day, is_working=is_working, note=note))
    db.session.commit()


@contextmanager
def calendar_queries():
    """Count the queries that read the overrides table."""
    seen: list[str] = []

    def _count(conn, cursor, statement, *args):
        if "calendar_days" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)


# --- the package's holidays, as the law set them --------------------------------


@pytest.mark.parametrize(
    "day",
    [
        # Tết Nhâm Dần 2022: 29 Tết (31/01) to mùng 4 (04/02)
        *(date(2022, 1, 31) + timedelta(days=i) for i in range(5)),
        date(2022, 1, 3),  # 01/01 fell on a Saturday: Monday off in lieu
        date(2022, 4, 11),  # Giỗ Tổ Hùng Vương (10/3 âm lịch) fell on a Sunday
        date(2022, 5, 2),  # 30/4 on a Saturday and 1/5 on a Sunday: 2/5 and 3/5 off
        date(2022, 5, 3),
        date(2022, 9, 1),
        date(2022, 9, 2),
        # Tết Quý Mão 2023: 20/01 to 26/01
        *(date(2023, 1, 20) + timedelta(days=i) for i in range(7)),
        date(2023, 5, 1),
        date(2023, 5, 2),  # Giỗ Tổ (29/4, Saturday) and 30/4 (Sunday) in lieu
        date(2023, 5, 3),
        date(2023, 9, 1),
        date(2023, 9, 4),  # 2/9 on a Saturday: Monday off
    ],
)
def test_public_holidays_are_days_off(day):
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2022, 4, 30),  # Saturday
        date(2022, 5, 1),  # Sunday
        date(2022, 5, 21),  # an ordinary Saturday
        date(2022, 5, 22),  # an ordinary Sunday
    ],
)
def test_weekends_are_days_off(day):
    assert not is_working_day(day)


@pytest.mark.parametrize("day", [date(2022, 5, 4), date(2022, 5, 20), date(2022, 2, 7), date(2023, 1, 27)])
def test_ordinary_weekdays_are_working_days(day):
    assert is_working_day(day)


def test_the_governments_make_up_saturday_is_a_working_day():
    # 2024: Monday 29/4 off, made up on Saturday 4/5 (Công văn 2450/VPCP-KGVX)
    assert not is_working_day(date(2024, 4, 29))
    assert is_working_day(date(2024, 5, 4))


# --- counting working days ---------------------------------------------------------


def test_five_working_days_from_friday_29_april_2022_skip_the_holidays():
    # 30/4 Sat, 1/5 Sun, 2/5 and 3/5 off: 4, 5, 6, 9, 10 May
    assert add_working_days(date(2022, 4, 29), 5) == date(2022, 5, 10)


def test_one_working_day_across_tet_2022():
    assert add_working_days(date(2022, 1, 28), 1) == date(2022, 2, 7)


def test_zero_working_days_is_the_start_even_on_a_holiday():
    assert add_working_days(date(2022, 4, 30), 0) == date(2022, 4, 30)


def test_the_start_is_not_counted_even_on_a_weekend():
    assert add_working_days(date(2022, 5, 21), 1) == date(2022, 5, 23)


def test_nearest_working_day_either_way():
    calendar = WorkingCalendar(date(2022, 1, 1), overrides={})
    assert calendar.working_day_on_or_after(date(2022, 4, 30)) == date(2022, 5, 4)
    assert calendar.working_day_on_or_before(date(2022, 5, 3)) == date(2022, 4, 29)
    assert calendar.working_day_on_or_after(date(2022, 5, 4)) == date(2022, 5, 4)
    assert calendar.working_day_on_or_before(date(2022, 5, 4)) == date(2022, 5, 4)


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2022, 5, 20), -1)


# --- admin overrides win ------------------------------------------------------------


def test_an_admin_make_up_saturday_counts():
    override(date(2022, 5, 7), True, "Làm bù")
    assert is_working_day(date(2022, 5, 7))
    # 4, 5, 6, Saturday 7, 9 May
    assert add_working_days(date(2022, 4, 29), 5) == date(2022, 5, 9)


def test_an_admin_extra_day_off_on_a_wednesday_is_skipped():
    override(date(2022, 5, 4), False, "Nghỉ thêm")
    assert not is_working_day(date(2022, 5, 4))
    assert add_working_days(date(2022, 4, 29), 5) == date(2022, 5, 11)


def test_an_override_beats_the_package_either_way():
    override(date(2022, 9, 1), True)  # a holiday the office works
    override(date(2024, 5, 4), False)  # a make-up Saturday the office does not
    assert is_working_day(date(2022, 9, 1))
    assert not is_working_day(date(2024, 5, 4))


def test_overrides_are_how_an_office_adds_days_off_the_package_does_not_know():
    # An office whose province declares 2/5 and 3/5 off in a year the package would not.
    calendar = WorkingCalendar(date(2022, 1, 1), overrides={date(2022, 5, 4): False, date(2022, 5, 5): False})
    assert calendar.add_working_days(date(2022, 4, 29), 1) == date(2022, 5, 6)


def test_overrides_between_reads_only_the_range():
    override(date(2022, 4, 30), True)
    override(date(2022, 6, 1), False)
    assert overrides_between(date(2022, 5, 1), date(2022, 6, 30)) == {date(2022, 6, 1): False}


# --- one load for many questions ----------------------------------------------------


def test_a_calendar_reads_the_overrides_once_for_thousands_of_deadlines():
    override(date(2022, 5, 7), True)
    with calendar_queries() as queries:
        calendar = WorkingCalendar(date(2022, 1, 1), date(2022, 12, 31))
        dues = {calendar.add_working_days(date(2022, 1, 1) + timedelta(days=i % 300), 10) for i in range(3000)}
    assert len(queries) == 1
    assert date(2022, 5, 9) in dues  # the override is in force without another query


def test_a_calendar_reads_again_only_for_a_year_it_has_not_loaded():
    with calendar_queries() as queries:
        calendar = WorkingCalendar(date(2022, 6, 1))
        calendar.is_working_day(date(2022, 12, 31))
        calendar.is_working_day(date(2023, 1, 3))
        calendar.is_working_day(date(2023, 2, 1))
    assert len(queries) == 2


def test_a_calendar_with_given_overrides_never_reads_the_database():
    override(date(2022, 5, 7), True)
    with calendar_queries() as queries:
        calendar = WorkingCalendar(date(2022, 1, 1), overrides={})
        assert not calendar.is_working_day(date(2022, 5, 7))
        calendar.is_working_day(date(2030, 1, 2))
    assert queries == []


def test_the_package_is_asked_once_per_year_range():
    calendar.public_calendar.cache_clear()
    WorkingCalendar(date(2022, 3, 1), overrides={})
    WorkingCalendar(date(2022, 9, 1), overrides={})
    info = calendar.public_calendar.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_a_calendar_with_no_working_day_left_refuses_to_search_for_ever():
    days_off = {date(2022, 1, 1) + timedelta(days=i): False for i in range(800)}
    with pytest.raises(ValueError):
        WorkingCalendar(date(2022, 1, 1), overrides=days_off).add_working_days(date(2022, 1, 1), 1)
