"""Engine tuning: SQLite in WAL mode with a busy timeout and BEGIN IMMEDIATE writes; a server database's
connections tested before use once they have sat idle; a PostgreSQL read run outside a transaction."""

import time
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event, exc
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


#: A pooled connection idle this long is tested before a request uses it (a server restarted at night, a firewall
#: that drops idle connections). One in steady use is not: testing each checkout cost a round trip per request,
#: a fifth of a cached page's time; if the server goes away mid-day, the first request of each worker that meets a
#: dead connection fails and the pool is renewed.
PING_AFTER_IDLE_SECONDS = 10


@contextmanager
def outside_transaction(connection):
    """In a request that changes nothing, run the enclosed statements of `connection` (a SQLAlchemy Connection)
    in autocommit, each its own transaction, when it is a PostgreSQL connection with no transaction open yet:
    psycopg then sends no BEGIN before them and no ROLLBACK at the request's end if nothing else runs, one round
    trip instead of three. Yields whether they ran so; when not (a writer, a transaction open, SQLite), they run
    as usual, inside the transaction."""
    dbapi = connection.connection.dbapi_connection
    info = getattr(dbapi, "info", None)  # psycopg's connection information; sqlite3 has none
    if _write_intent.get() or connection.dialect.name != "postgresql" or info is None \
            or info.transaction_status != PG_IDLE:
        yield False
        return
    dbapi.autocommit = True
    try:
        yield True
    finally:
        try:
            dbapi.autocommit = False  # the request's next statement opens its transaction as usual
        except Exception:  # the connection broke under the statement: never hand it on in autocommit
            connection.invalidate()


#: psycopg's pq.TransactionStatus.IDLE: no transaction open on the connection (named here, so SQLite-only
#: installations need not import psycopg).
PG_IDLE = 0


def init_app(app) -> None:
    """Tune SQLite connections of this app; test a server database's idle connections before use."""
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                _tune_sqlite(engine)  # a file: nothing to lose between two uses
            else:
                _ping_when_idle(engine)


def _ping_when_idle(engine: Engine) -> None:
    """Test a connection on checkout when it has been idle PING_AFTER_IDLE_SECONDS; a dead one is replaced."""
    event.listen(engine, "checkin", _idle_from)
    event.listen(engine, "checkout", _test_if_idle)


def _idle_from(_dbapi_conn, record) -> None:
    """Note when the connection went back to the pool."""
    record.info["idle_since"] = time.monotonic()


def _test_if_idle(dbapi_conn, record, _proxy) -> None:
    """SELECT 1 on a connection idle long enough; DisconnectionError makes the pool retry with a new one."""
    idle_since = record.info.pop("idle_since", None)
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return
    try:
        # In autocommit: one round trip, and no transaction left open (the request's first read may then run
        # outside one, see outside_transaction).
        dbapi_conn.autocommit = True
        cursor = dbapi_conn.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_conn.autocommit = False
    except Exception as error:  # the server closed it
        raise exc.DisconnectionError(str(error)) from error


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
