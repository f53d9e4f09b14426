"""The report group of a task (DOMAIN.md), on every boundary."""

from datetime import date

import pytest

from app.tasks.groups import report_group, urgency

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


def test_the_sql_group_agrees_with_the_python_one(tree):
    """Filters and counts in the database use group_case: it must give the same group on every boundary."""
    from app.extensions import db
    from app.tasks.models import Task
    from app.tasks.queries import task_group
    from tests import factories

    cases = [
        ("open", DUE, None, date(2022, 6, 14)), ("open", DUE, None, DUE), ("open", DUE, None, date(2022, 6, 16)),
        ("returned", DUE, None, date(2022, 6, 16)), ("submitted", DUE, DUE, date(2022, 7, 1)),
        ("submitted", DUE, date(2022, 6, 16), date(2022, 6, 16)), ("done", DUE, DUE, date(2022, 8, 1)),
        ("done", DUE, date(2022, 6, 16), date(2022, 6, 16)), ("open", None, None, date(2030, 1, 1)),
        ("submitted", None, date(2022, 1, 1), date(2030, 1, 1)), ("done", None, date(2022, 1, 1), date(2030, 1, 1)),
    ]
    directive = factories.make_directive(tree.district)
    for index, (state, due_on, handed_in, today) in enumerate(cases):
        requirement = factories.make_requirement(directive, f"Yêu cầu {index}", label=str(index))
        task = factories.make_task(requirement, tree.commune_a, due_on, state=state, submitted_on=handed_in)
        in_sql = db.session.scalar(db.select(task_group(today)).where(Task.id == task.id))
        assert in_sql == report_group(state, due_on, handed_in, today), (state, due_on, handed_in, today)
