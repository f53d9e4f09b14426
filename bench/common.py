"""What every benchmark shares: a throwaway app and database, timing, the JSON line."""

from __future__ import annotations

import json
import resource
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def report(name: str, n: int, seconds: float, baseline: float, **extra) -> None:
    """Print one CONTRACT.md benchmark line."""
    line = {"bench": name, "n": n, "seconds": round(seconds, 4), "baseline_seconds": round(baseline, 4),
            "ratio": round(seconds / baseline, 3) if baseline else None, "peak_rss_mb": peak_rss_mb(), **extra}
    print(json.dumps(line, ensure_ascii=False), flush=True)


@contextmanager
def timer():
    """Measure the enclosed block: ``with timer() as t: ...; t()`` gives seconds."""
    start = time.perf_counter()
    elapsed = [0.0]
    yield lambda: elapsed[0]
    elapsed[0] = time.perf_counter() - start


def make_app(database_url: str | None = None):
    """An app on a fresh, migrated database (SQLite in a temp folder unless a URL is given)."""
    from flask_migrate import upgrade

    from app import create_app

    tmp = Path(tempfile.mkdtemp(prefix="theodoi-bench-"))
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{tmp / 'b.db'}",
                      "STORAGE_DIR": str(tmp / "files"), "OUTBOX_DIR": str(tmp / "outbox"), "REDIS_URL": None})
    with app.app_context():
        if database_url and database_url.startswith("postgresql"):
            from sqlalchemy import text

            from app.extensions import db

            with db.engine.begin() as conn:  # a throwaway database: start from nothing
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
    return app, tmp


def free_port() -> int:
    """A TCP port nobody listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(target: str, env: dict, workers: int = 2):
    """Serve a WSGI app (``module:app``) with gunicorn on loopback; yields (port, master pid)."""
    import os
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
    """A migrated SQLite database with the demo data; the environment to serve it."""
    import os
    import subprocess
    import sys

    env = {"APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp / 'demo.db'}", "STORAGE_DIR": str(tmp / "files"),
           "OUTBOX_DIR": str(tmp / "outbox"), "SECRET_KEY": "bench"}
    env.pop("REDIS_URL", None)
    root = Path(__file__).resolve().parent.parent
    for args in (["db", "upgrade"], ["seed", "demo"]):
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=root, check=True,
                       env={**os.environ, **env}, capture_output=True)
    return env


UNITS = 3321
REQUIREMENTS_PER_DIRECTIVE = 5
#: 5 % of the tasks sit on an escalation step today (before3, due, after1, after3); the rest are later or done.
DUE_OFFSETS = [3, 0, -1, -5]


def build_million(app, today, tasks: int = 1_000_000) -> None:
    """A province of 3,321 communes with their people, directives of 5 requirements each, and `tasks` tasks.

    Written through the database driver (COPY on PostgreSQL) so that building is not what is measured.
    """
    import random
    from datetime import timedelta

    from app.extensions import db

    rng = random.Random(7)
    units = [(1, "tinh", "UBND tỉnh", "province", None, "/1/")] + [
        (i, f"xa-{i}", f"Xã {i}", "commune", 1, f"/1/{i}/") for i in range(2, UNITS + 2)]
    users = [(f"{p}.{u}", r, u, f"{p}.{u}@x.example", f"alt-{p}-{u}") for u in range(2, UNITS + 2)
             for p, r in (("ct", "unit_chair"), ("mc", "unit_staff"), ("bt", "observer"))]
    users += [("vanphong", "district_office", 1, "vp@x.example", "alt-vp"), ("chutich", "district_leader", 1,
                                                                              "ct@x.example", "alt-ct")]
    directives = tasks // (UNITS * REQUIREMENTS_PER_DIRECTIVE) + 1
    rows = []
    for n in range(tasks):
        directive, rest = divmod(n, UNITS * REQUIREMENTS_PER_DIRECTIVE)
        requirement, unit = divmod(rest, UNITS)
        if rng.random() < 0.05:
            due, state = today + timedelta(days=rng.choice(DUE_OFFSETS)), "open"
        else:
            due, state = today + timedelta(days=rng.randint(10, 300)), rng.choice(("open", "done"))
        rows.append(((directive + 1) * 10 + requirement, directive + 1, unit + 2, due, state))
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
