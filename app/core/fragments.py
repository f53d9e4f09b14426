"""Rendered pages kept in memory, keyed on the committed state of the database the request reads.

A clerk opens the inbox many times a day and it changes only when someone writes. The database tells, in one
cheap statement, a token that changes whenever data this request can see may have changed:

- SQLite: the connection's own changes (``total_changes()``, counted even before they commit) and
  ``data_version`` (which moves when another connection or process commits; read inside the transaction, it is
  the version of the snapshot the transaction reads), with a token naming the connection;
- PostgreSQL: the snapshot itself (``pg_current_snapshot()``): two equal snapshots see the same committed
  transactions; later statements of the request see the same or newer data, never older.

A page is cached under that token, so it is never stale: any write anywhere is a new key (more misses on a
busy database, never a wrong page; on PostgreSQL "anywhere" is any database of the cluster, since transaction
ids are the cluster's). The key also holds who asks and what they asked for, so no user is ever
served another's page. Each process keeps its own few entries (`FRAGMENT_CACHE_SIZE`, 0 turns it off).

On PostgreSQL a return visit costs one round trip: the user loader (`loader_with_state`) reads the user and the
snapshot in one statement, outside a transaction (no BEGIN before it, no ROLLBACK after), and `cached_page` uses
that snapshot as the key while nothing else has run. It is the page's first read: a page not kept is then read
and rendered in the request's transaction, whose statements see that snapshot's data or newer, never older, and
the user as of that snapshot; a key read after the user could hide a change to the user or their unit committed
in between.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app, g, request, session
from markupsafe import Markup
from sqlalchemy import Select, Text, func

from app.core.database import PG_IDLE, outside_transaction
from app.extensions import db


class FragmentCache:
    """The `size` fragments used last, shared by a process's threads."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Markup | None:
        """The fragment kept under `key`, now the most recently used, or None."""
        with self._lock:
            fragment = self._entries.get(key)
            if fragment is not None:
                self._entries.move_to_end(key)
            return fragment

    def put(self, key: Hashable, fragment: Markup) -> None:
        """Keep the fragment, forgetting the least recently used beyond `size`."""
        with self._lock:
            self._entries[key] = fragment
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def init_app(app) -> None:
    """Give the app its process-wide fragment cache."""
    app.extensions["fragments"] = FragmentCache(app.config["FRAGMENT_CACHE_SIZE"])


def database_state() -> tuple | None:
    """A token of the data this request's session can see, or None when it cannot be told (then nothing is
    cached): the session holds changes not yet written, or this transaction wrote on PostgreSQL."""
    session = db.session
    if session.new or session.dirty or session.deleted:
        return None
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "sqlite":
        # A token per connection: data_version and total_changes() are counters of this connection only.
        token = connection.info.setdefault("fragment_token", uuid.uuid4().hex)
        changes, version = connection.exec_driver_sql(
            "SELECT total_changes(), data_version FROM pragma_data_version").one()
        return dialect, token, changes, version
    if dialect == "postgresql":
        snapshot, own = connection.exec_driver_sql(
            "SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned()").one()
        return None if own is not None else (dialect, snapshot)
    return None


def loader_with_state(statement: Select) -> Callable[[dict], object]:
    """A loader of the one entity `statement` selects (the logged-in user), which on PostgreSQL reads the snapshot
    in the same statement and, when the request has no transaction open yet, outside one; that snapshot is then
    the key `cached_page` looks a page up under, with no round trip of its own."""
    with_snapshot = statement.add_columns(func.pg_current_snapshot().cast(Text))

    def load(params: dict):
        """The entity, or None."""
        session = db.session()
        connection = session.connection()
        if connection.dialect.name != "postgresql":
            return session.scalar(statement, params)
        with outside_transaction(connection) as outside:
            row = session.execute(with_snapshot, params).first()
        if row is None:
            return None
        if outside:  # in a transaction, a later write of its own would not move the snapshot: not kept then
            g.fragment_state = (session.get_transaction(), connection.connection.dbapi_connection,
                                ("postgresql", row[1]))
        return row[0]

    return load


def _state_read_with_user() -> tuple | None:
    """The snapshot the user loader read outside a transaction (PostgreSQL), while nothing has run since: the
    session's transaction is the same, psycopg has opened none on its connection (no statement ran inside one),
    and the session holds no unwritten change. Costs no round trip."""
    kept = g.get("fragment_state")
    if kept is None:
        return None
    transaction, dbapi, state = kept
    session = db.session()
    if session.get_transaction() is not transaction or dbapi.info.transaction_status != PG_IDLE:
        return None
    return None if session.new or session.dirty or session.deleted else state


def cached_page(name: str, parts: tuple, render: Callable[[], str]) -> str:
    """A whole page for this session, kept as `cached` keeps a fragment. The page holds the session's CSRF token,
    so the key holds it too; a page with a message to flash is rendered afresh, and a page whose scripts carry
    this response's CSP nonce is never kept."""
    cache: FragmentCache = current_app.extensions["fragments"]
    if not cache.size or "_flashes" in session:
        return render()
    state = _state_read_with_user() or database_state()
    if state is None:
        return render()
    key = (name, state, request.script_root, *parts)
    page = cache.get((*key, session.get("csrf_token")))
    if page is None:
        page = render()  # the first page of a session gives it its CSRF token
        if "csp_nonce" not in g:
            cache.put((*key, session.get("csrf_token")), page)
    return page
