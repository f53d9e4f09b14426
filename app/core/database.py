"""Engine tuning: SQLite in WAL mode with a busy timeout and BEGIN IMMEDIATE writes."""

from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import db

#: Whether the next SQLite transaction takes the write lock up front. Requests that
#: change nothing (GET, HEAD) read without it so they never wait on a writer.
_write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


def set_write_intent(value: bool) -> None:
    """Declare whether the current request or job will write."""
    _write_intent.set(value)


@contextmanager
def writing():
    """Within a read-only request, run the enclosed transaction as a writer."""
    db.session.commit()  # end the read snapshot: a stale one cannot be upgraded
    token = _write_intent.set(True)
    try:
        yield
        db.session.commit()
    finally:
        _write_intent.reset(token)


def init_app(app) -> None:
    """Tune SQLite connections of this app; PostgreSQL needs nothing here."""
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                _tune_sqlite(engine)


def _tune_sqlite(engine: Engine) -> None:
    """WAL lets readers run beside the one writer; the timeout waits instead of failing.

    pysqlite's own transaction handling is switched off so that every transaction
    starts with BEGIN IMMEDIATE: a writer takes the lock up front, and two writers
    queue on the busy timeout instead of deadlocking on a lock upgrade.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")
