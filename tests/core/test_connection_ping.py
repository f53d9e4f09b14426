"""Pooled connections are tested before use only once they have sat idle (app/core/database.py): a database
restarted at night, or a firewall that drops idle connections, costs nobody a failed page; busy connections go
without the round trip (a fifth of a cached page's time), and a server lost mid-day costs one failed request."""

from __future__ import annotations

import time

import psycopg
from sqlalchemy import event

from app.core import database
from app.extensions import db
from tests.conftest import login


def kill_other_connections(app) -> None:
    """End every other server connection to the test database, as a restart of PostgreSQL does."""
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def on_sqlite() -> bool:
    """SQLite is a file: no server to lose, so its connections are never tested (and the check says so)."""
    if db.engine.dialect.name != "sqlite":
        return False
    assert not event.contains(db.engine, "checkout", database._test_if_idle)
    return True


def server_lost_after_a_visit(app, client) -> None:
    """A clerk's page served, then every pooled connection ended by the server."""
    login(client, "mc.xa-a")
    assert client.get("/").status_code == 200
    db.session.remove()
    kill_other_connections(app)


def test_a_connection_idle_when_the_server_restarted_is_replaced_unseen(app, client, tree, monkeypatch):
    if on_sqlite():
        return
    server_lost_after_a_visit(app, client)
    later = time.monotonic() + database.PING_AFTER_IDLE_SECONDS + 1
    monkeypatch.setattr(database.time, "monotonic", lambda: later)  # the pool's connections sat idle that long
    page = client.get("/")
    assert page.status_code == 200 and "Xã A" in page.get_data(as_text=True)


def test_a_connection_in_steady_use_is_not_tested_and_a_lost_server_costs_one_request(app, client, tree):
    if on_sqlite():
        return
    server_lost_after_a_visit(app, client)
    assert client.get("/").status_code == 500  # used a moment ago: not tested, so the loss shows once
    page = client.get("/")
    assert page.status_code == 200 and "Xã A" in page.get_data(as_text=True)  # the pool was renewed
