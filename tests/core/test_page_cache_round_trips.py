"""A return visit to a kept page costs PostgreSQL one round trip (app/core/fragments.py): the user and the
snapshot read in one statement outside a transaction, with no BEGIN before it and no ROLLBACK after. Shown on the
wire, by libpq's trace of what the app's connections send and hear back. A page not kept is read and rendered in
a transaction and kept under the snapshot read with the user (its first read: a key read later could hide a change
to the user committed in between); a user disabled or logged out since is refused; a request's own write is never
hidden by the snapshot read with the user."""

from __future__ import annotations

import contextvars
import re
import tempfile

import pytest
from psycopg.pq import Trace
from sqlalchemy import create_engine, event, text

from app.core import clock, database, fragments
from app.core.database import set_write_intent
from app.extensions import db
from tests.conftest import login
from tests.core.test_page_cache import give_task, kept_visit


@pytest.fixture(autouse=True)
def _today():
    clock.freeze(clock.parse_instant("2022-06-10T09:00:00"))


@pytest.fixture
def postgres():
    """Round trips are a server database's cost: SQLite runs in the process."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("round trips are PostgreSQL's")


def wire_read(client, path: str = "/") -> tuple[str, list[str]]:
    """The page and what the request's connections sent PostgreSQL and heard back, one item a message."""
    traced = []
    with tempfile.TemporaryFile() as trace:

        def on(dbapi_conn, _record, _proxy):
            dbapi_conn.pgconn.trace(trace.fileno())
            dbapi_conn.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS | Trace.REGRESS_MODE)
            traced.append(dbapi_conn)

        event.listen(db.engine, "checkout", on, insert=True)  # before the test of an idle connection
        try:
            html = client.get(path).get_data(as_text=True)
        finally:
            event.remove(db.engine, "checkout", on)
            for dbapi_conn in traced:
                dbapi_conn.pgconn.untrace()  # back in the pool by now: the request's reset is traced too
        trace.seek(0)
        wire = trace.read().decode().strip()
    return html, re.split(r"\n(?=[FB]\t\d+\t)", wire)  # a statement's text may hold line breaks


def round_trips(messages: list[str]) -> int:
    """Each exchange ends with the server ready for the next query."""
    return sum("\tReadyForQuery\t" in message for message in messages)


def statements(messages: list[str]) -> list[str]:
    """The SQL sent, in order (simple queries and extended-protocol Parse messages)."""
    found = (re.search(r'\tQuery\t "(.*)"$|\tParse\t "[^"]*" "(.*)" \d+', message, re.S) for message in messages
             if message.startswith("F\t"))
    return [match.group(1) or match.group(2) for match in found if match]


def test_a_return_visit_is_one_round_trip(client, tree, postgres, monkeypatch):
    give_task(tree)
    login(client, "mc.xa-a")
    first = client.get("/").get_data(as_text=True)
    page, messages = kept_visit(wire_read, client, monkeypatch)
    assert page == first and "Báo cáo kết quả rà soát" in page
    assert round_trips(messages) == 1, messages
    (sql,) = statements(messages)  # no BEGIN, no ROLLBACK: the user and the snapshot, in autocommit
    assert "pg_current_snapshot()" in sql and "FROM users" in sql
    assert messages[-1].endswith("ReadyForQuery\t I")  # no transaction left open


def test_a_page_not_kept_is_rendered_in_a_transaction_keyed_on_the_snapshot_read_with_the_user(client, tree,
                                                                                             postgres):
    give_task(tree)
    login(client, "mc.xa-a")
    client.get("/")
    give_task(tree, "Kiểm tra an toàn thực phẩm")  # committed since: the kept page is old
    page, messages = wire_read(client)
    assert "Kiểm tra an toàn thực phẩm" in page
    sql = statements(messages)
    assert "pg_current_snapshot()" in sql[0] and "FROM users" in sql[0]  # the user and the key, no transaction
    assert sql[1] == "BEGIN" and sql[-1] == "ROLLBACK"  # the page's reads, in one
    assert any("FROM tasks" in s for s in sql[2:-1]) and not any("pg_current_snapshot" in s for s in sql[1:])
    assert round_trips(messages) == len(sql)


def test_a_connection_tested_after_idling_leaves_the_visit_its_one_round_trip(client, tree, postgres, monkeypatch):
    give_task(tree)
    login(client, "mc.xa-a")
    client.get("/")
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0)  # each visit meets a connection idle that long
    page, messages = kept_visit(wire_read, client, monkeypatch)
    assert "Báo cáo kết quả rà soát" in page
    # The test, a round trip itself, leaves no transaction open: the visit's read runs outside one all the same.
    ping, sql = statements(messages)
    assert ping == "SELECT 1" and "pg_current_snapshot()" in sql and round_trips(messages) == 2, messages


def written_elsewhere(app, sql: str) -> None:
    """Run and commit `sql` from another process: its own engine and connection, as another web machine does."""
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with other.begin() as conn:
            conn.execute(text(sql))
    finally:
        other.dispose()


@pytest.mark.parametrize("change", ["active = false", "alt_id = 'phien-moi'"])
def test_a_kept_page_is_refused_to_a_user_disabled_or_logged_out_since(app, client, tree, change, monkeypatch):
    give_task(tree)
    login(client, "mc.xa-a")
    kept_visit(lambda c: c.get("/"), client, monkeypatch)
    written_elsewhere(app, f"UPDATE users SET {change} WHERE username = 'mc.xa-a'")  # an administrator
    refused = client.get("/")
    assert refused.status_code == 302 and "/login" in refused.location


def in_a_request(app, visit):
    """What `visit` returns run in a request of its own (its own app context, g and session), as a browser's."""

    def run():
        set_write_intent(False)  # a GET
        with app.test_request_context("/"):
            return visit()

    return contextvars.Context().run(run)


@pytest.mark.parametrize("commit", [True, False])
def test_a_write_the_request_made_after_reading_the_user_is_never_hidden(app, tree, commit):
    load, alt_id = app.login_manager._user_callback, tree.users["staff_a"].alt_id

    def visit(label: str, write: bool = False) -> str:
        assert load(alt_id).username == "mc.xa-a"
        if write:
            db.session.execute(text("UPDATE units SET name = 'Xã A mới' WHERE slug = 'xa-a'"))
            if commit:
                db.session.commit()
        return fragments.cached_page("probe", (), lambda: label)

    assert in_a_request(app, lambda: visit("trước")) == "trước"
    assert in_a_request(app, lambda: visit("sau", write=True)) == "sau"


def test_a_change_committed_while_a_page_renders_shows_on_the_next_visit(app, tree):
    load, alt_id = app.login_manager._user_callback, tree.users["staff_a"].alt_id

    def visit(renamed_meanwhile: bool = False) -> str:
        user = load(alt_id)
        if renamed_meanwhile:  # between the user's read and the page's
            written_elsewhere(app, "UPDATE units SET name = 'Xã A mới' WHERE slug = 'xa-a'")
        return fragments.cached_page("probe", (), lambda: user.unit.name)

    assert in_a_request(app, lambda: visit(renamed_meanwhile=True)) == "Xã A"  # the unit as read with the user
    assert in_a_request(app, visit) == "Xã A mới"  # that page is not kept under a key that saw the change
