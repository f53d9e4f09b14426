"""What every benchmark shares: a throwaway app and database, timing, the JSON line.

Each benchmark runs once per database: `python -m bench` sets BENCH_DATABASE to ``sqlite``, then, when
BENCH_PG_URL names a throwaway PostgreSQL database, to ``postgresql``. `make_app`, `demo_database` and `driver`
open the database of the run, and `report` ends the line's name with it (``fanout_publish_sqlite``,
``fanout_publish_postgresql``) and adds ``"database"``. A module run alone measures SQLite.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import resource
import shutil
import tempfile
import time
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path

DATABASES = ("sqlite", "postgresql")
#: `report`'s default: the database of this run.
THIS_RUN = object()


def current_database() -> str:
    """The database this run measures: ``sqlite`` unless BENCH_DATABASE says ``postgresql``."""
    name = os.environ.get("BENCH_DATABASE") or "sqlite"
    if name not in DATABASES:
        raise SystemExit(f"BENCH_DATABASE must be one of {', '.join(DATABASES)}, not {name!r}")
    if name == "postgresql" and not os.environ.get("BENCH_PG_URL"):
        raise SystemExit("BENCH_DATABASE=postgresql needs BENCH_PG_URL (a throwaway database: its schema is dropped)")
    return name


def postgres_url() -> str:
    """BENCH_PG_URL with the psycopg 3 driver named, as SQLAlchemy wants it."""
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", os.environ["BENCH_PG_URL"])


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def report(name: str, n: int, seconds: float, baseline: float, *, database=THIS_RUN, **extra) -> None:
    """Print one CONTRACT.md benchmark line; its name ends with the database measured (None: it uses none)."""
    measured = current_database() if database is THIS_RUN else database
    if measured and not name.endswith(f"_{measured}"):
        name = f"{name}_{measured}"
    line = {"bench": name, "n": n, "seconds": round(seconds, 4), "baseline_seconds": round(baseline, 4),
            "ratio": round(seconds / baseline, 3) if baseline else None, "peak_rss_mb": peak_rss_mb(),
            "database": measured, **extra}
    print(json.dumps(line, ensure_ascii=False), flush=True)


@contextmanager
def timer():
    """Measure the enclosed block: ``with timer() as t: ...; t()`` gives seconds."""
    start = time.perf_counter()
    elapsed = [0.0]
    yield lambda: elapsed[0]
    elapsed[0] = time.perf_counter() - start


def reset_postgres(url: str) -> None:
    """Empty a throwaway PostgreSQL database: drop its public schema and make it again."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def make_app(database_url: str | None = None):
    """An app on a fresh, migrated database: the run's (SQLite in a temp folder, or BENCH_PG_URL emptied)."""
    from flask_migrate import upgrade

    from app import create_app  # here: the HTTP benches import common, their client must not load the app

    tmp = Path(tempfile.mkdtemp(prefix="theodoi-bench-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # a million tasks take 140 MB: leave nothing behind
    if database_url is None and current_database() == "postgresql":
        database_url = postgres_url()
    if database_url and database_url.startswith("postgresql"):
        reset_postgres(database_url)
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{tmp / 'b.db'}",
                      "STORAGE_DIR": str(tmp / "files"), "OUTBOX_DIR": str(tmp / "outbox"), "REDIS_URL": None})
    with app.app_context():
        upgrade()
    return app, tmp


#: How `driver_sql` types a `?name` parameter on PostgreSQL, as SQLAlchemy casts the app's literals.
PG_TYPES = {"int": "INTEGER", "text": "VARCHAR", "date": "DATE", "json": "JSON", "ts": "TIMESTAMP WITH TIME ZONE"}


@contextmanager
def driver(app, write: bool = True):
    """The database driver's own connection (sqlite3 or psycopg, tuned as the app's engine tunes it) and a
    cursor, in a transaction as the app opens one (on SQLite BEGIN IMMEDIATE for a writer); the caller ends it."""
    from app.extensions import db  # here: the HTTP benches import common, their client must not load the app

    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if db.engine.dialect.name == "sqlite":
                cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield raw, cursor
        finally:
            raw.close()


def driver_sql(sql: str) -> str:
    """SQL written with ``?`` or ``?date`` (typed on PostgreSQL, see PG_TYPES) and ``:name`` parameters, in the
    style of the run's driver: as written for sqlite3, ``%s::DATE`` and ``%(name)s`` for psycopg."""
    if current_database() == "sqlite":
        return re.sub(r"\?[a-z]+", "?", sql)
    sql = sql.replace("%", "%%")
    sql = re.sub(r"\?([a-z]*)", lambda m: "%s" + (f"::{PG_TYPES[m.group(1)]}" if m.group(1) else ""), sql)
    return re.sub(r"(?<![\w:]):([A-Za-z_]\w*)", r"%(\1)s", sql)


def driver_value(value):
    """A date or an aware time as the run's driver takes it: on SQLite the text SQLAlchemy stores (UTC)."""
    if current_database() != "sqlite":
        return value
    if isinstance(value, datetime):
        return str(value.astimezone(timezone.utc).replace(tzinfo=None))
    return value.isoformat() if isinstance(value, date) else value


def free_port() -> int:
    """A TCP port nobody listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(target: str, env: dict, workers: int = 2):
    """Serve a WSGI app (``module:app``) with gunicorn on loopback; yields (port, master pid)."""
    import subprocess
    import sys
    import urllib.request

    port = free_port()
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         target], cwd=root, env={**os.environ, **env})
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz" if "wsgi" in target
                                       else f"http://127.0.0.1:{port}/", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        yield port, proc.pid
    finally:
        proc.terminate()
        proc.wait(20)


def children_peak_rss_mb(master_pid: int) -> float:
    """The largest peak resident memory among a gunicorn master's workers, in MiB."""
    import subprocess

    pids = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    peaks = []
    for pid in pids:
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        except OSError:
            continue
    return round(max(peaks, default=0.0), 1)


def demo_database(tmp: Path) -> dict:
    """The run's database (SQLite in `tmp`, or BENCH_PG_URL emptied), migrated, with the demo data; the
    environment to serve it. `tmp` is removed when the process ends."""
    import subprocess
    import sys

    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    url = f"sqlite:///{tmp / 'demo.db'}"
    if current_database() == "postgresql":
        url = postgres_url()
        reset_postgres(url)
    env = {"APP_ENV": "testing", "DATABASE_URL": url, "STORAGE_DIR": str(tmp / "files"),
           "OUTBOX_DIR": str(tmp / "outbox"), "SECRET_KEY": "bench"}
    root = Path(__file__).resolve().parent.parent
    for args in (["db", "upgrade"], ["seed", "demo"]):
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=root,
                              env={**os.environ, **env}, capture_output=True, text=True)
        if done.returncode:  # say why on stderr: stdout is for the JSON lines
            sys.stderr.write(done.stdout + done.stderr)
            done.check_returncode()
    return env


UNITS = 3321
#: The communes sit below districts, so that an office in the middle of the tree has a subtree to see.
DISTRICTS = 12
FIRST_DISTRICT = 2
FIRST_COMMUNE = FIRST_DISTRICT + DISTRICTS
REQUIREMENTS_PER_DIRECTIVE = 5
#: 5 % of the tasks sit on an escalation step today (before3, due, after1, after3); the rest are later or done.
DUE_OFFSETS = [3, 0, -1, -5]


def district_of(commune_id: int) -> int:
    """The district a commune of `build_million` belongs to: the communes in DISTRICTS runs of ids."""
    return FIRST_DISTRICT + (commune_id - FIRST_COMMUNE) * DISTRICTS // UNITS


def build_million(app, today, tasks: int = 1_000_000) -> None:
    """A province, its DISTRICTS districts and 3,321 communes below them, with their people (three a commune,
    the province's office and chairman, an office a district), directives of 5 requirements each, and `tasks`
    tasks, spread over the communes.

    Written through the database driver (COPY on PostgreSQL) so that building is not what is measured.
    """
    import random
    from datetime import timedelta

    from app.extensions import db  # here: the HTTP benches import common, their client must not load the app

    rng = random.Random(7)
    communes = range(FIRST_COMMUNE, FIRST_COMMUNE + UNITS)
    units = [(1, "tinh", "UBND tỉnh", "province", None, "/1/")]
    units += [(d, f"huyen-{d}", f"Huyện {d}", "district", 1, f"/1/{d}/") for d in range(FIRST_DISTRICT, FIRST_COMMUNE)]
    units += [(c, f"xa-{c}", f"Xã {c}", "commune", district_of(c), f"/1/{district_of(c)}/{c}/") for c in communes]
    users = [(f"{p}.{u}", r, u, f"{p}.{u}@x.example", f"alt-{p}-{u}") for u in communes
             for p, r in (("ct", "unit_chair"), ("mc", "unit_staff"), ("bt", "observer"))]
    users += [("vanphong", "district_office", 1, "vp@x.example", "alt-vp"), ("chutich", "district_leader", 1,
                                                                              "ct@x.example", "alt-ct")]
    users += [(f"vp.{d}", "district_office", d, f"vp.{d}@x.example", f"alt-vp-{d}")
              for d in range(FIRST_DISTRICT, FIRST_COMMUNE)]
    directives = tasks // (UNITS * REQUIREMENTS_PER_DIRECTIVE) + 1
    rows = []
    for n in range(tasks):
        directive, rest = divmod(n, UNITS * REQUIREMENTS_PER_DIRECTIVE)
        requirement, unit = divmod(rest, UNITS)
        if rng.random() < 0.05:
            due, state = today + timedelta(days=rng.choice(DUE_OFFSETS)), "open"
        else:
            due, state = today + timedelta(days=rng.randint(10, 300)), rng.choice(("open", "done"))
        rows.append(((directive + 1) * 10 + requirement, directive + 1, unit + FIRST_COMMUNE, due, state))
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        raw = db.engine.raw_connection()
        cur = raw.cursor()
        mark = "%s" if postgres else "?"

        def many(sql: str, values: list) -> None:
            cur.executemany(sql.replace("?", mark), values)

        if not postgres:
            cur.execute("BEGIN IMMEDIATE")
        many("INSERT INTO units (id, slug, name, kind, parent_id, path) VALUES (?, ?, ?, ?, ?, ?)", units)
        many("INSERT INTO users (username, full_name, role, unit_id, email, password_hash, active, alt_id, created_at) "
             "VALUES (?, '', ?, ?, ?, 'x', true, ?, '2026-01-01')", users)
        many("INSERT INTO directives (id, issuer_unit_id, number, body, addressees, recipients, named_units, state, "
             "read_by_ocr, created_at, version) VALUES (?, 1, ?, '', '[]', '[]', '[]', 'published', false, "
             "'2026-01-01', 1)", [(d, f"{d}/UBND-VP") for d in range(1, directives + 1)])
        many("INSERT INTO requirements (id, directive_id, position, label, text, kind) VALUES (?, ?, ?, ?, 'Yêu cầu', "
             "'action')", [(d * 10 + r, d, r, str(r)) for d in range(1, directives + 1)
                           for r in range(REQUIREMENTS_PER_DIRECTIVE)])
        columns = "requirement_id, directive_id, unit_id, due_on, state, period, data, created_at, updated_at, version"
        if postgres:
            with cur.copy(f"COPY tasks ({columns}) FROM STDIN") as copy:
                for requirement, directive, unit, due, state in rows:
                    copy.write_row((requirement, directive, unit, due, state, "", "{}", "2026-01-01T00:00:00+00",
                                    "2026-01-01T00:00:00+00", 1))
            cur.execute("SELECT setval('units_id_seq', (SELECT max(id) FROM units))")
            cur.execute("SELECT setval('directives_id_seq', (SELECT max(id) FROM directives))")
            cur.execute("SELECT setval('requirements_id_seq', (SELECT max(id) FROM requirements))")
        else:
            many(f"INSERT INTO tasks ({columns}) VALUES (?, ?, ?, ?, ?, '', '{{}}', '2026-01-01', '2026-01-01', 1)",
                 [(r, d, u, due.isoformat(), s) for r, d, u, due, s in rows])
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
        raw.close()
