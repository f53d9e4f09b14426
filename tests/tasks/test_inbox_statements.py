"""The inbox is read in a few SQL statements, the same few however many tasks the page shows (issue 16): each
statement is time the clerk waits, so their number is the speed a user notices, measured without a clock."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from app.core import clock
from app.directives.models import Directive
from app.extensions import db
from app.notices.services import notify_units_assigned
from tests import factories
from tests.conftest import login

#: What a commune's inbox may cost: the user with their unit, the page of tasks, their count by directive, period
#: and state (which gives the filters' choices too), the notices and the mails, the database's state (the key of
#: the kept page, app/core/fragments.py), and BEGIN on SQLite. The chair also reads the unit's activity.
MOST_STATEMENTS = {"staff_a": 7, "chair_a": 8}


def add_tasks(tree, count: int, assignee: str = "staff_a") -> None:
    """`count` more tasks for commune A in one new directive, in every section, with the notice of its
    publication; a tenth of them given to the assignee."""
    db.session.rollback()  # write on a fresh snapshot: the app has written since this session last read
    today = clock.today()
    directive = factories.make_directive(tree.district, number=f"{count}/UBND-VP", subject="Các việc trọng tâm")
    states = ("open", "open", "returned", "submitted", "done")
    for n in range(count):
        requirement = factories.make_requirement(directive, f"Yêu cầu {n} của văn bản", label=str(n + 1))
        factories.make_task(requirement, tree.commune_a, today + timedelta(days=n % 9 - 3), state=states[n % 5],
                            assignee_id=tree.users[assignee].id if n % 10 == 0 else None)
    notify_units_assigned(directive, [tree.commune_a.id])
    db.session.commit()


def inbox_read(client, path: str = "/") -> tuple[str, list[str]]:
    """The inbox page and the SQL statements serving it ran."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        html = client.get(path).get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return html, statements


@pytest.fixture(autouse=True)
def _today():
    clock.freeze(clock.parse_instant("2022-06-10T09:00:00"))


@pytest.mark.parametrize("who", list(MOST_STATEMENTS))
def test_a_page_of_50_costs_the_statements_of_a_page_of_4(client, tree, who):
    login(client, tree.users[who].username)
    add_tasks(tree, 4, assignee=who)
    small, few = inbox_read(client)
    add_tasks(tree, 196, assignee=who)
    full, many = inbox_read(client)
    assert small.count("task-row") == 4 and full.count("task-row") == 50  # paged by 50
    assert "Các việc trọng tâm" in full and "Giao cho bạn" in full and 'data-section="returned"' in full
    assert len(many) == len(few) <= MOST_STATEMENTS[who], many


def test_the_user_and_their_unit_are_read_once(client, tree):
    login(client, "mc.xa-a")
    add_tasks(tree, 60)
    for path in ("/", "/?page=2", "/?state=open", "/?per_page=5&page=3"):
        html, statements = inbox_read(client, path)
        assert "Xã A" in html
        reads = [s for s in statements if re.search(r"\bFROM users\b", s)]
        assert len(reads) == 1 and "JOIN units" in reads[0], reads


def test_the_filters_keep_the_statements_few(client, tree):
    login(client, "mc.xa-a")
    add_tasks(tree, 60)
    directive = db.session.scalar(db.select(db.func.max(Directive.id)))
    _html, plain = inbox_read(client)
    for path in (f"/?directive={directive}&state=open", "/?period=2022-05", "/?state=nonsense"):
        _html, statements = inbox_read(client, path)
        assert len(statements) == len(plain), (path, statements)


def test_a_later_page_continues_the_order_of_the_whole_list(client, tree):
    login(client, "mc.xa-a")
    add_tasks(tree, 12)
    html, _ = inbox_read(client, "/?per_page=5&page=3")
    everything = re.findall(r'data-task="(\d+)"', inbox_read(client)[0])
    assert re.findall(r'data-task="(\d+)"', html) == everything[10:12] and "12 mục" in html
