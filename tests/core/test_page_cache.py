"""The inbox is kept in memory until the database changes (app/core/fragments.py): a clerk never sees an old page,
another user's page or another session's form token, whoever wrote and from wherever."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from app.core import clock, fragments
from app.extensions import db
from app.home import views as home_views
from tests import factories
from tests.conftest import csrf_token, login
from tests.tasks.test_inbox_statements import inbox_read


@pytest.fixture(autouse=True)
def _today():
    clock.freeze(clock.parse_instant("2022-06-10T09:00:00"))


def give_task(tree, text_: str = "Báo cáo kết quả rà soát", **fields):
    """A task of commune A in a new directive, committed; returns its id."""
    db.session.rollback()
    directive = factories.make_directive(tree.district, number=f"{text_[:3]}/UBND-VP")
    task = factories.make_task(factories.make_requirement(directive, text_), tree.commune_a,
                               clock.today() + timedelta(days=10), **fields)
    db.session.commit()
    return task.id


def kept_visit(read, client, monkeypatch):
    """What `read` (a recorder: inbox_read, or the wire's) returns of a visit to "/" served from the kept page.
    On PostgreSQL another database of the cluster committing between two visits moves the snapshot (a miss,
    never a wrong page): visit until one is served without rendering."""
    rendered = []
    render = home_views._inbox
    monkeypatch.setattr(home_views, "_inbox", lambda today: rendered.append(today) or render(today))
    for _ in range(20):
        rendered.clear()
        seen = read(client)
        if not rendered:
            return seen
    pytest.fail("no visit of 20 was served from the kept page")


def test_a_return_visit_with_nothing_changed_reads_only_the_user(client, tree, monkeypatch):
    give_task(tree)
    login(client, "mc.xa-a")
    first, _ = inbox_read(client)
    again, statements = kept_visit(inbox_read, client, monkeypatch)
    assert again == first and "Báo cáo kết quả rà soát" in again
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # The user with their unit, and the database's state: in the same statement on PostgreSQL.
    assert len(reads) == (1 if db.engine.dialect.name == "postgresql" else 2), reads


def test_a_change_committed_by_another_process_shows_at_once(app, client, tree):
    task_id = give_task(tree)
    login(client, "mc.xa-a")
    assert 'data-section="returned"' not in client.get("/").get_data(as_text=True)
    # Another process: its own engine, its own connection, as a worker or another web machine writes.
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with other.begin() as conn:
            conn.execute(text("UPDATE tasks SET state = 'returned' WHERE id = :id"), {"id": task_id})
    finally:
        other.dispose()
    page = client.get("/").get_data(as_text=True)
    assert 'data-section="returned"' in page


def test_a_change_made_through_the_app_shows_at_once(client, tree):
    give_task(tree)
    login(client, "mc.xa-a")
    client.get("/")
    give_task(tree, "Kiểm tra an toàn thực phẩm")
    assert "Kiểm tra an toàn thực phẩm" in client.get("/").get_data(as_text=True)


def test_each_user_gets_their_own_page(app, client, tree):
    give_task(tree, assignee_id=tree.users["staff_a"].id)
    login(client, "mc.xa-a")
    other = app.test_client()
    login(other, "ct.xa-a")
    assert "Giao cho bạn" in client.get("/").get_data(as_text=True)
    chair_page = other.get("/").get_data(as_text=True)
    assert "Giao cho bạn" not in chair_page and "Trưởng" not in chair_page.split("<main")[0]


def test_each_session_gets_a_form_token_it_can_post_with(app, tree):
    give_task(tree)
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        login(client, "mc.xa-a")
    tokens = [csrf_token(client, "/") for client in (first, second, first, second)]
    assert tokens[0] != tokens[1]  # the second session is not served the first one's page
    # A form posted with the token of the (kept) page is accepted: logging out leads to the log-in page.
    out = second.post("/logout", data={"csrf_token": tokens[3]})
    assert out.status_code == 302 and "/login" in out.location


def test_a_message_to_flash_shows_once_after_a_kept_page(client, tree):
    give_task(tree)
    login(client, "mc.xa-a")
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Đã lưu thay đổi.")]
    assert "Đã lưu thay đổi." in client.get("/").get_data(as_text=True)
    assert "Đã lưu thay đổi." not in client.get("/").get_data(as_text=True)


def test_a_new_day_shows_what_became_overdue(client, tree):
    give_task(tree)
    login(client, "mc.xa-a")
    assert 'data-section="overdue"' not in client.get("/").get_data(as_text=True)
    clock.freeze(clock.parse_instant("2022-06-25T09:00:00"))
    assert 'data-section="overdue"' in client.get("/").get_data(as_text=True)


def test_filters_and_pages_are_kept_apart(client, tree):
    for n in range(3):
        give_task(tree, f"Nhiệm vụ số {n}", state="done" if n else "open")
    login(client, "mc.xa-a")
    everything = client.get("/").get_data(as_text=True)
    done = client.get("/?state=done").get_data(as_text=True)
    assert everything.count("task-row") == 3 and done.count("task-row") == 2


def test_nothing_is_kept_while_the_session_holds_unwritten_changes(app, tree):
    with app.test_request_context("/"):
        assert fragments.database_state() is not None
        tree.users["staff_a"].full_name = "Tên chưa lưu"
        assert fragments.database_state() is None
        db.session.rollback()


def test_a_write_of_this_transaction_changes_the_state_or_stops_keeping(app, tree):
    with app.test_request_context("/"):
        before = fragments.database_state()
        db.session.execute(text("UPDATE units SET name = 'Xã A mới' WHERE slug = 'xa-a'"))
        after = fragments.database_state()
        assert after is None or after != before
        db.session.rollback()


def test_the_cache_can_be_turned_off(app, client, tree):
    give_task(tree)
    login(client, "mc.xa-a")
    kept, app.extensions["fragments"] = app.extensions["fragments"], fragments.FragmentCache(0)
    try:
        client.get("/")
        _, statements = inbox_read(client)
        assert len([s for s in statements if re.match(r"\s*SELECT", s, re.I)]) > 2
    finally:
        app.extensions["fragments"] = kept
