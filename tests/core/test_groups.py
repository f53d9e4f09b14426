"""The report group of a task (DOMAIN.md), on every boundary."""

from datetime import date

import pytest

from app.tasks.groups import is_idle, report_group, urgency

DUE = date(2022, 6, 15)


@pytest.mark.parametrize(
    "state, due_on, handed_in, today, expected",
    [
        # open: the due day itself is still on time, the day after is overdue
        ("open", DUE, None, date(2022, 6, 14), "open_on_time"),
        ("open", DUE, None, DUE, "open_on_time"),
        ("open", DUE, None, date(2022, 6, 16), "open_overdue"),
        ("returned", DUE, None, DUE, "open_on_time"),
        ("returned", DUE, None, date(2022, 6, 16), "open_overdue"),
        # handed in on time and waiting for review stays on time after the due date
        ("submitted", DUE, DUE, date(2022, 7, 1), "open_on_time"),
        ("submitted", DUE, date(2022, 6, 16), date(2022, 6, 16), "open_overdue"),
        # done: judged by when the accepted version was handed in, not reviewed
        ("done", DUE, DUE, date(2022, 8, 1), "done_on_time"),
        ("done", DUE, date(2022, 6, 1), date(2022, 8, 1), "done_on_time"),
        ("done", DUE, date(2022, 6, 16), date(2022, 6, 16), "done_late"),
        # no deadline: open ones count apart, done ones are on time
        ("open", None, None, date(2030, 1, 1), "no_deadline"),
        ("submitted", None, date(2022, 1, 1), date(2030, 1, 1), "no_deadline"),
        ("done", None, date(2022, 1, 1), date(2030, 1, 1), "done_on_time"),
    ],
)
def test_report_group(state, due_on, handed_in, today, expected):
    assert report_group(state, due_on, handed_in, today) == expected


@pytest.mark.parametrize(
    "state, today, expected",
    [
        ("open", date(2022, 6, 11), None),
        ("open", date(2022, 6, 12), "due_soon"),  # three days before: orange
        ("open", DUE, "due_soon"),
        ("open", date(2022, 6, 16), "overdue"),  # red
        ("submitted", date(2022, 6, 16), None),
        ("done", date(2022, 6, 16), None),
    ],
)
def test_urgency_colours(state, today, expected):
    assert urgency(state, DUE, today) == expected


def test_idle_after_three_months_without_deadline():
    assert is_idle(None, "open", date(2022, 1, 1), date(2022, 4, 1))
    assert not is_idle(None, "open", date(2022, 1, 1), date(2022, 3, 30))
    assert not is_idle(DUE, "open", date(2022, 1, 1), date(2022, 9, 1))
    assert not is_idle(None, "done", date(2022, 1, 1), date(2022, 9, 1))
