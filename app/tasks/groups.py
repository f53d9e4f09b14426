"""The report groups of DOMAIN.md, derived from state and dates, never stored."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, case, literal, or_

GROUPS = {
    "done_on_time": "Hoàn thành đúng hạn",
    "done_late": "Hoàn thành quá hạn",
    "open_on_time": "Đang thực hiện trong hạn",
    "open_overdue": "Đang thực hiện quá hạn",
    "no_deadline": "Không có thời hạn",
}
#: Days before the due date from which a task shows as "sắp đến hạn".
DUE_SOON_DAYS = 3


def report_group(state: str, due_on: date | None, handed_in_on: date | None, today: date) -> str:
    """The group a task counts in; the due day itself is on time.

    Done tasks are judged by the day the accepted version was handed in; a task
    handed in and waiting for review is judged the same way, not by today.
    """
    if state == "done":
        if handed_in_on is None or not overdue_on(due_on, None, handed_in_on):
            return "done_on_time"
        return "done_late"
    if due_on is None:
        return "no_deadline"
    judged_on = handed_in_on if state == "submitted" and handed_in_on else today
    return "open_overdue" if overdue_on(due_on, None, judged_on) else "open_on_time"


def overdue_on(due_on: date | None, handed_in_on: date | None, day: date) -> bool:
    """Whether a task was overdue on `day`: its due day had passed (that day itself is on time) and it had not
    been handed in by then. `report_group` judges a task on the day it was handed in, or today."""
    return due_on is not None and day > due_on and (handed_in_on is None or handed_in_on > day)


def group_case(state, due_on, handed_in_on, today: date):
    """`report_group` as a SQL CASE over the given columns, for filters and counts in the database.

    It must agree with `report_group` on every case; a test checks both side by side.
    """
    return case(
        (and_(state == "done", or_(due_on.is_(None), handed_in_on.is_(None), handed_in_on <= due_on)),
         literal("done_on_time")),
        (state == "done", literal("done_late")),
        (due_on.is_(None), literal("no_deadline")),
        (and_(state == "submitted", handed_in_on.is_not(None)),
         case((handed_in_on <= due_on, literal("open_on_time")), else_=literal("open_overdue"))),
        (literal(today) <= due_on, literal("open_on_time")),
        else_=literal("open_overdue"),
    )


def urgency(state: str, due_on: date | None, today: date) -> str | None:
    """``overdue`` (red) or ``due_soon`` (orange) for an unfinished task, else None."""
    if state in ("done", "submitted") or due_on is None:
        return None
    if today > due_on:
        return "overdue"
    if today >= due_on - timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return None
