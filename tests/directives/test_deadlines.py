"""Deadline rules to due dates and periods, on every boundary, with real Vietnamese holidays."""

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from app.core.calendar import WorkingCalendar
from app.core.errors import DomainError
from app.core.models import CalendarDay
from app.directives.deadlines import (
    Period,
    add_months,
    describe,
    due_date,
    first_period,
    is_recurring,
    next_period,
    period_from_key,
    periods_through,
    validate_rule,
)
from app.extensions import db

MONTHLY_25 = {"kind": "recurring", "freq": "monthly", "day": 25}
DAILY = {"kind": "recurring", "freq": "daily"}
WORKING_5 = {"kind": "relative", "days": 5, "working_days": True}


def recurring(freq: str, **fields) -> dict:
    return {"kind": "recurring", "freq": freq, **fields}


@pytest.fixture
def calendar_2022():
    """The package's calendar for 2021-2025, no overrides, no database."""
    return WorkingCalendar(date(2021, 1, 1), date(2025, 12, 31), overrides={})


@contextmanager
def no_queries():
    """Fail if anything reaches the database."""
    seen: list[str] = []

    def _record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)
    assert seen == []


# --- validate_rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, normal",
    [
        (None, None),
        ({"kind": "date", "date": "2022-06-15"}, {"kind": "date", "date": "2022-06-15"}),
        ({"kind": "date", "date": date(2022, 6, 15)}, {"kind": "date", "date": "2022-06-15"}),
        (WORKING_5, WORKING_5),
        ({"kind": "relative", "days": "5", "working_days": "on"}, WORKING_5),
        ({"kind": "relative", "days": 10, "working_days": False},
         {"kind": "relative", "days": 10, "working_days": False}),
        ({"kind": "relative", "days": 10}, {"kind": "relative", "days": 10, "working_days": False}),
        ({"kind": "relative", "months": 2}, {"kind": "relative", "months": 2}),
        (MONTHLY_25, MONTHLY_25),
        (recurring("monthly"), recurring("monthly", day=31)),
        (recurring("quarterly"), recurring("quarterly", day=31)),
        (recurring("yearly"), recurring("yearly", month=12, day=31)),
        (recurring("weekly"), recurring("weekly", weekday=4)),
        (DAILY, DAILY),
    ],
)
def test_validate_rule_gives_the_normal_form(given, normal):
    assert validate_rule(given) == normal


@pytest.mark.parametrize(
    "rule, words",
    [
        ({"kind": "date", "date": "15/06/2022"}, "YYYY-MM-DD"),
        ({"kind": "date", "date": "2022-02-30"}, "YYYY-MM-DD"),
        ({"kind": "date", "date": "20220615"}, "YYYY-MM-DD"),
        ({"kind": "date"}, "thiếu"),
        ({"kind": "relative", "days": -3}, "số ngày"),
        ({"kind": "relative", "days": "năm"}, "số ngày"),
        ({"kind": "relative", "days": True}, "số ngày"),
        ({"kind": "relative", "days": 5, "months": 1}, "đúng một"),
        ({"kind": "relative"}, "đúng một"),
        ({"kind": "relative", "days": 5, "working_days": "có lẽ"}, "working_days"),
        ({"kind": "deadline"}, "không được hỗ trợ"),
        ({"date": "2022-06-15"}, "không được hỗ trợ"),
        (recurring("hourly"), "tần suất"),
        (recurring("monthly", day=0), "ngày trong tháng"),
        (recurring("monthly", day=32), "ngày trong tháng"),
        (recurring("yearly", month=13), "tháng"),
        (recurring("weekly", weekday=7), "thứ trong tuần"),
        (recurring("monthly", day=25, weekday=1), "trường không được hỗ trợ: weekday"),
        ("2022-06-15", "đối tượng"),
    ],
)
def test_malformed_rules_are_refused_in_vietnamese(rule, words):
    with pytest.raises(DomainError) as refused:
        validate_rule(rule)
    assert refused.value.message.startswith("Hạn xử lý không hợp lệ: ")
    assert words in refused.value.message
    assert refused.value.status == 422


def test_is_recurring():
    assert is_recurring(MONTHLY_25) and is_recurring(DAILY)
    assert not is_recurring(None) and not is_recurring(WORKING_5)


# --- one-off due dates --------------------------------------------------------------


def test_no_rule_no_due_date():
    assert due_date(None, date(2022, 5, 20)) is None


def test_a_fixed_date_is_due_that_day():
    assert due_date({"kind": "date", "date": "2022-06-15"}, date(2022, 5, 20)) == date(2022, 6, 15)


def test_calendar_days_count_weekends_and_holidays():
    assert due_date({"kind": "relative", "days": 10}, date(2022, 4, 25)) == date(2022, 5, 5)


def test_working_days_skip_30_4_1_5_and_the_days_in_lieu(calendar_2022):
    assert due_date(WORKING_5, date(2022, 4, 29), calendar_2022) == date(2022, 5, 10)


def test_working_days_without_a_calendar_read_the_admins_overrides():
    db.session.add(CalendarDay(day=date(2022, 5, 4), is_working=False, note="Nghỉ thêm"))
    db.session.commit()
    assert due_date(WORKING_5, date(2022, 4, 29)) == date(2022, 5, 11)


@pytest.mark.parametrize(
    "published, months, due",
    [
        (date(2022, 5, 20), 2, date(2022, 7, 20)),
        (date(2022, 1, 31), 1, date(2022, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2022, 11, 30), 3, date(2023, 2, 28)),
        (date(2022, 12, 15), 1, date(2023, 1, 15)),
    ],
)
def test_months_land_on_the_same_day_clamped_to_the_month_end(published, months, due):
    assert due_date({"kind": "relative", "months": months}, published) == due
    assert add_months(published, months) == due


def test_a_recurring_rule_has_no_single_due_date():
    with pytest.raises(ValueError):
        due_date(MONTHLY_25, date(2022, 5, 20))


def test_periods_need_a_recurring_rule():
    with pytest.raises(ValueError):
        first_period(WORKING_5, date(2022, 5, 20))


# --- the first period: publishing on, before and after the due day -------------------


@pytest.mark.parametrize(
    "rule, on, key, due",
    [
        # CONTRACT.md's own example, then the boundary around the due day
        (MONTHLY_25, date(2022, 5, 20), "2022-05", date(2022, 5, 25)),
        (MONTHLY_25, date(2022, 5, 24), "2022-05", date(2022, 5, 25)),
        (MONTHLY_25, date(2022, 5, 25), "2022-05", date(2022, 5, 25)),
        (MONTHLY_25, date(2022, 5, 26), "2022-06", date(2022, 6, 25)),
        (MONTHLY_25, date(2022, 12, 26), "2023-01", date(2023, 1, 25)),
        (recurring("quarterly", day=20), date(2022, 6, 19), "2022-Q2", date(2022, 6, 20)),
        (recurring("quarterly", day=20), date(2022, 6, 20), "2022-Q2", date(2022, 6, 20)),
        (recurring("quarterly", day=20), date(2022, 6, 21), "2022-Q3", date(2022, 9, 20)),
        (recurring("quarterly", day=20), date(2022, 4, 1), "2022-Q2", date(2022, 6, 20)),
        (recurring("quarterly", day=20), date(2022, 12, 21), "2023-Q1", date(2023, 3, 20)),
        (recurring("quarterly"), date(2022, 6, 30), "2022-Q2", date(2022, 6, 30)),
        (recurring("quarterly"), date(2022, 7, 1), "2022-Q3", date(2022, 9, 30)),
        (recurring("yearly", month=12, day=15), date(2022, 12, 14), "2022", date(2022, 12, 15)),
        (recurring("yearly", month=12, day=15), date(2022, 12, 15), "2022", date(2022, 12, 15)),
        (recurring("yearly", month=12, day=15), date(2022, 12, 16), "2023", date(2023, 12, 15)),
        (recurring("yearly"), date(2022, 12, 31), "2022", date(2022, 12, 31)),
        (recurring("yearly"), date(2023, 1, 1), "2023", date(2023, 12, 31)),
        (recurring("weekly"), date(2022, 5, 26), "2022-W21", date(2022, 5, 27)),
        (recurring("weekly"), date(2022, 5, 27), "2022-W21", date(2022, 5, 27)),
        (recurring("weekly"), date(2022, 5, 28), "2022-W22", date(2022, 6, 3)),
        (recurring("weekly", weekday=0), date(2022, 5, 23), "2022-W21", date(2022, 5, 23)),
        (recurring("weekly", weekday=0), date(2022, 5, 24), "2022-W22", date(2022, 5, 30)),
        (recurring("weekly", weekday=6), date(2022, 5, 29), "2022-W21", date(2022, 5, 29)),
        # the key is the ISO week, whose year may differ from the due day's
        (recurring("weekly"), date(2020, 12, 31), "2020-W53", date(2021, 1, 1)),
    ],
)
def test_first_period_is_the_first_due_on_or_after_the_day(rule, on, key, due):
    with no_queries():
        period = first_period(rule, on)
    assert (period.key, period.due_on) == (key, due)
    assert period.opens_on <= on <= period.due_on


@pytest.mark.parametrize(
    "on, due",
    [
        (date(2022, 4, 28), date(2022, 4, 28)),  # a Thursday: its own period
        (date(2022, 4, 29), date(2022, 4, 29)),  # the due day itself counts
        (date(2022, 4, 30), date(2022, 5, 4)),  # 30/4, 1/5, and 2/5, 3/5 in lieu are no periods
        (date(2022, 1, 29), date(2022, 2, 7)),  # the Tết break
    ],
)
def test_daily_periods_are_working_days_only(calendar_2022, on, due):
    period = first_period(DAILY, on, calendar_2022)
    assert period == Period(due.isoformat(), due, period.opens_on)
    assert period.opens_on <= on


def test_a_daily_period_opens_the_day_after_the_previous_working_day(calendar_2022):
    assert first_period(DAILY, date(2022, 5, 4), calendar_2022).opens_on == date(2022, 4, 30)
    assert first_period(DAILY, date(2022, 5, 5), calendar_2022).opens_on == date(2022, 5, 5)


def test_an_admin_make_up_saturday_is_a_daily_period():
    db.session.add(CalendarDay(day=date(2022, 5, 7), is_working=True, note="Làm bù"))
    db.session.commit()
    assert first_period(DAILY, date(2022, 5, 7)).due_on == date(2022, 5, 7)
    assert next_period(DAILY, first_period(DAILY, date(2022, 5, 6))).due_on == date(2022, 5, 7)


# --- month ends ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule, on, due",
    [
        (recurring("monthly", day=31), date(2022, 2, 1), date(2022, 2, 28)),
        (recurring("monthly", day=31), date(2024, 2, 1), date(2024, 2, 29)),
        (recurring("monthly", day=30), date(2022, 2, 10), date(2022, 2, 28)),
        (recurring("monthly", day=31), date(2022, 6, 30), date(2022, 6, 30)),
        (recurring("monthly", day=31), date(2022, 7, 1), date(2022, 7, 31)),
        (recurring("yearly", month=2, day=29), date(2022, 1, 1), date(2022, 2, 28)),
        (recurring("yearly", month=2, day=29), date(2024, 1, 1), date(2024, 2, 29)),
        (recurring("quarterly", day=31), date(2022, 5, 1), date(2022, 6, 30)),
    ],
)
def test_a_day_the_month_lacks_falls_on_its_last_day(rule, on, due):
    assert first_period(rule, on).due_on == due


def test_a_period_opens_the_day_after_the_previous_due_day():
    month_end = recurring("monthly", day=31)
    assert first_period(month_end, date(2022, 3, 10)).opens_on == date(2022, 3, 1)
    assert first_period(month_end, date(2024, 3, 10)).opens_on == date(2024, 3, 1)
    assert first_period(MONTHLY_25, date(2022, 3, 10)).opens_on == date(2022, 2, 26)
    assert first_period(recurring("weekly"), date(2022, 5, 25)).opens_on == date(2022, 5, 21)


# --- later periods ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule, on, keys",
    [
        (MONTHLY_25, date(2022, 11, 1), ["2022-11", "2022-12", "2023-01"]),
        (recurring("quarterly"), date(2022, 11, 1), ["2022-Q4", "2023-Q1", "2023-Q2"]),
        (recurring("yearly"), date(2022, 11, 1), ["2022", "2023", "2024"]),
        (recurring("weekly"), date(2022, 12, 26), ["2022-W52", "2023-W01", "2023-W02"]),
    ],
)
def test_next_period_runs_over_the_year_end(rule, on, keys):
    period = first_period(rule, on)
    seen = [period.key]
    for _ in keys[1:]:
        following = next_period(rule, period)
        assert following.opens_on == period.due_on + timedelta(days=1)
        period = following
        seen.append(period.key)
    assert seen == keys
    assert all(len(key) <= 10 for key in seen)


def test_periods_through_returns_every_missed_period_after_three_months_down():
    start = first_period(MONTHLY_25, date(2022, 5, 20))
    missed = periods_through(MONTHLY_25, start, date(2022, 8, 10))
    assert [(p.key, p.due_on, p.opens_on) for p in missed] == [
        ("2022-06", date(2022, 6, 25), date(2022, 5, 26)),
        ("2022-07", date(2022, 7, 25), date(2022, 6, 26)),
        ("2022-08", date(2022, 8, 25), date(2022, 7, 26)),
    ]


@pytest.mark.parametrize(
    "today, keys",
    [
        (date(2022, 5, 20), []),  # the day of publishing: only the first period exists
        (date(2022, 5, 25), []),
        (date(2022, 5, 26), ["2022-06"]),  # the next period opens the day after the due day
    ],
)
def test_periods_through_opens_each_period_the_day_after_the_previous_due_day(today, keys):
    start = first_period(MONTHLY_25, date(2022, 5, 20))
    assert [p.key for p in periods_through(MONTHLY_25, start, today)] == keys


def test_periods_through_daily_skips_days_off(calendar_2022):
    start = first_period(DAILY, date(2022, 4, 28), calendar_2022)
    keys = [p.key for p in periods_through(DAILY, start, date(2022, 5, 9), calendar_2022)]
    assert keys == ["2022-04-29", "2022-05-04", "2022-05-05", "2022-05-06", "2022-05-09"]
    # Monday's period opens on the Saturday, the day after Friday's due day
    assert periods_through(DAILY, start, date(2022, 5, 7), calendar_2022)[-1].key == "2022-05-09"


def test_periods_through_daily_reads_the_calendar_once_whatever_the_outage():
    start = first_period(DAILY, date(2022, 1, 3))
    queries: list[str] = []

    def _count(conn, cursor, statement, *args):
        if "calendar_days" in statement:
            queries.append(statement)

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        periods = periods_through(DAILY, start, date(2022, 12, 30))
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)
    assert len(queries) == 1
    assert len(periods) > 230 and date(2022, 9, 2) not in {p.due_on for p in periods}


@pytest.mark.parametrize(
    "rule, on",
    [
        (MONTHLY_25, date(2022, 5, 20)),
        (recurring("quarterly", day=20), date(2022, 5, 20)),
        (recurring("yearly", month=2, day=29), date(2024, 1, 1)),
        (recurring("weekly"), date(2020, 12, 31)),
        (DAILY, date(2022, 4, 30)),
    ],
)
def test_a_stored_period_key_gives_the_period_back(calendar_2022, rule, on):
    period = first_period(rule, on, calendar_2022)
    assert period_from_key(rule, period.key, calendar_2022) == period


@pytest.mark.parametrize("key", ["2022-5", "2022-13", "2022-Q2", "", "2022-05-01"])
def test_a_key_that_does_not_fit_the_rule_is_refused(key):
    with pytest.raises(ValueError):
        period_from_key(MONTHLY_25, key)


# --- describe -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule, text",
    [
        ({"kind": "date", "date": "2022-06-15"}, "Trước ngày 15/06/2022"),
        (WORKING_5, "05 ngày làm việc kể từ ngày ban hành"),
        ({"kind": "relative", "days": 10}, "10 ngày kể từ ngày ban hành"),
        ({"kind": "relative", "months": 2}, "2 tháng kể từ ngày ban hành"),
        (MONTHLY_25, "Định kỳ ngày 25 hằng tháng"),
        (recurring("monthly"), "Định kỳ ngày cuối hằng tháng"),
        (recurring("quarterly", day=20), "Định kỳ hằng quý (ngày 20 tháng cuối quý)"),
        (recurring("quarterly"), "Định kỳ hằng quý (ngày cuối quý)"),
        (recurring("yearly", month=12, day=15), "Định kỳ hằng năm (ngày 15/12)"),
        (recurring("yearly"), "Định kỳ hằng năm (ngày 31/12)"),
        (recurring("yearly", month=6, day=31), "Định kỳ hằng năm (ngày 30/06)"),
        (recurring("yearly", month=2, day=30), "Định kỳ hằng năm (ngày cuối tháng 02)"),
        (recurring("weekly"), "Định kỳ hằng tuần (thứ Sáu)"),
        (recurring("weekly", weekday=6), "Định kỳ hằng tuần (Chủ nhật)"),
        (DAILY, "Hằng ngày (ngày làm việc)"),
        (None, "Không có thời hạn"),
    ],
)
def test_describe(rule, text):
    assert describe(rule) == text
