"""A task's row in a list, rendered once for each distinct content and served from memory after.

A clerk's inbox shows the same 50 rows on every visit, and rendering them (about 900 escapes) was most of the
page's cost. A row depends only on the card's values, the day, the list's columns and whether the task is the
viewer's own, so these are the cache key: a changed task is a new key, never a stale row.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from flask import get_template_attribute, request
from markupsafe import Markup

from app.tasks.groups import GROUPS, urgency
from app.tasks.queries import TaskCard

#: Rows kept per process: about 1 KB each, so a few MB for the busiest communes of a province.
CACHED_ROWS = 5000


def task_row(task, today: date, show_unit: bool = False, handed_in: bool = False, mine_id: int | None = None) -> Markup:
    """The task's row of templates/tasks/_list.html, from the cache when the task is a card (plain values)."""
    mine = bool(mine_id) and task.assignee_id == mine_id
    # The script root is in the key: the row's link starts with it, and one process may serve under two.
    args = (task, today, show_unit, handed_in, mine, request.script_root)
    return _cached_row(*args) if isinstance(task, TaskCard) else _render_row(*args)


@lru_cache(maxsize=CACHED_ROWS)
def _cached_row(task: TaskCard, today: date, show_unit: bool, handed_in: bool, mine: bool, root: str) -> Markup:
    """`_render_row`, remembered (lru_cache is safe across threads)."""
    return _render_row(task, today, show_unit, handed_in, mine, root)


def _render_row(task, today: date, show_unit: bool, handed_in: bool, mine: bool, root: str) -> Markup:
    """The row macro's output for this task."""
    macro = get_template_attribute("tasks/_list.html", "row_markup")
    return Markup(macro(task, today, urgency(task.state, task.due_on, today), task.group(today), GROUPS,
                        show_unit=show_unit, handed_in=handed_in, mine=mine))
