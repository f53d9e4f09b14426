"""The inbox in the order a commune acts: returned, overdue, due soon, open, handed in, done; kept over pages,
under section headings, with no 'Đơn vị' column for a commune user and its own colours for handed-in and
returned tasks (issue 14)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.core.errors import DomainError
from app.extensions import db
from app.tasks.models import TASK_STATES, Task
from app.tasks.queries import ACTION_SECTIONS, action_rank, action_section, tasks_for
from tests import factories
from tests.conftest import login
from tests.tasks.inbox_demo import build_inbox

HEADINGS = ["Bị trả lại", "Quá hạn", "Sắp đến hạn", "Đang thực hiện", "Chờ duyệt", "Hoàn thành"]


def shown(html: str) -> tuple[list[str], list[int]]:
    """The sections and the task ids of an inbox page, top to bottom."""
    return re.findall(r'data-section="(\w+)"', html), [int(i) for i in re.findall(r'data-task="(\d+)"', html)]


def rows(html: str) -> dict[int, str]:
    """Each task's row (its opening tag), by id."""
    return {int(i): tag for tag, i in re.findall(r'(<tr class="[^"]*"\s+data-task="(\d+)")', html)}


@pytest.fixture
def inbox(client):
    """The built inbox, and the commune chair logged in."""
    ids = build_inbox()
    login(client, "ct.tai-son", "demo-2022")
    return ids


def test_sections_in_the_order_to_act_with_their_headings(client, inbox):
    html = client.get("/").get_data(as_text=True)
    sections, ids = shown(html)
    assert sections == list(ACTION_SECTIONS) and list(ACTION_SECTIONS.values()) == HEADINGS
    assert ids == inbox  # within "open", the dated task before the one with no deadline
    headings = [re.sub(r"\s+", " ", h).strip() for h in re.findall(r'<h3 class="h6 mt-3">([^<]*)<', html)]
    assert headings == HEADINGS
    assert "Không thời hạn" in html and "Giao cho bạn" not in html


def test_order_is_kept_over_pages(client, inbox):
    pages = [shown(client.get(f"/?per_page=2&page={n}").get_data(as_text=True)) for n in (1, 2, 3, 4)]
    assert [p[1] for p in pages] == [inbox[0:2], inbox[2:4], inbox[4:6], inbox[6:7]]
    assert [p[0] for p in pages] == [["returned", "overdue"], ["due_soon", "open"], ["open", "submitted"], ["done"]]


def test_filters_keep_the_order(client, inbox):
    _sections, ids = shown(client.get("/?state=open").get_data(as_text=True))
    assert ids == inbox[1:5]
    empty = client.get("/?state=open&period=2030-01").get_data(as_text=True)
    assert "Không có nhiệm vụ nào khớp với bộ lọc." in empty


def test_a_commune_user_has_no_unit_column_the_office_queue_has(app, client, inbox):
    html = client.get("/").get_data(as_text=True)
    assert "Đơn vị</th>" not in html and 'data-label="Đơn vị"' not in html
    office = app.test_client()
    login(office, "vanphong", "demo-2022")
    queue = office.get("/tasks/review").get_data(as_text=True)
    assert "\"col-unit\">Đơn vị</th>" in queue and 'data-label="Đơn vị">Xã Tái Sơn' in queue
    assert shown(queue)[1] == [inbox[5]] and "task-card state-submitted" in queue


def test_handed_in_and_returned_have_their_own_colours(client, inbox):
    html = client.get("/").get_data(as_text=True)
    tags = rows(html)
    returned, overdue, soon, dated, undated, submitted, done = inbox
    assert "state-returned" in tags[returned] and "state-submitted" in tags[submitted]
    assert "urgency-overdue" in tags[overdue] and "urgency-due_soon" in tags[soon]
    for plain in (overdue, soon, dated, undated, done):
        assert "state-returned" not in tags[plain] and "state-submitted" not in tags[plain]
    assert html.count("badge-state-returned") == 1 and html.count("badge-state-submitted") == 1
    assert 'text-danger fw-bold" data-label="Hạn">25/05/2022' in html
    assert 'text-due-soon fw-bold" data-label="Hạn">03/06/2022' in html


#: (state, days from today to the due date or None) -> section, on every boundary.
EXPECTED = {
    ("open", None): "open", ("open", -1): "overdue", ("open", 0): "due_soon", ("open", 3): "due_soon",
    ("open", 4): "open", ("returned", -1): "returned", ("returned", None): "returned",
    ("submitted", -1): "submitted", ("submitted", 0): "submitted", ("done", -1): "done", ("done", None): "done",
}


def test_sql_order_agrees_with_the_sections_on_every_boundary(tree):
    today = date(2022, 6, 10)
    requirement = factories.make_requirement(factories.make_directive(tree.district))
    made = {}
    for n, (state, days) in enumerate((s, d) for s in TASK_STATES for d in (None, -1, 0, 3, 4)):
        due = today + timedelta(days=days) if days is not None else None
        made[(state, days)] = factories.make_task(requirement, tree.commune_a, due, state=state, period=str(n))
    db.session.flush()
    ranks = dict(db.session.execute(select(Task.id, action_rank(today))
                                    .where(Task.requirement_id == requirement.id)).all())
    for key, task in made.items():
        assert list(ACTION_SECTIONS)[ranks[task.id]] == action_section(task, today), key
        if key in EXPECTED:
            assert action_section(task, today) == EXPECTED[key], key


def test_an_unknown_sort_is_refused(tree):
    with pytest.raises(DomainError, match="Cách sắp xếp không hợp lệ"):
        tasks_for(tree.users["chair_a"], sort="newest")
