"""A commune's inbox served by gunicorn, against a bare Flask endpoint under the same gunicorn.

The inbox is a realistic one: 10 directives of 20 requirements each published to every commune of the demo
district, so Xã Tái Sơn holds 200 tasks in every section (returned, overdue, due soon, open, handed in, done),
a few given to the clerk by the chair, and the notices publishing and returning leave. The clerk's "/" shows
the first 50 in action order; 50 clients ask for it at once.

The page is kept until the database changes (app/core/fragments.py), so the main figures are return visits; the
`uncached_*` fields are the same run with that cache off: what each visit costs when someone writes all the time.
The three servers run side by side and their rounds alternate (ROUNDS each, medians reported): on a busy machine a
single pair measures the neighbours as much as the code.
"""

from __future__ import annotations

import atexit
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from bench.common import children_peak_rss_mb, demo_database, gunicorn, report

CLIENTS = 50
PER_CLIENT = 20
REQUESTS = CLIENTS * PER_CLIENT
DIRECTIVES = 10
REQUIREMENTS = 20
PAGE_SIZE = 50
#: Rounds of each server, alternating; the line gives the median round of each.
ROUNDS = 3
COMMUNE = "tai-son"
ROOT = Path(__file__).resolve().parent.parent


def build_inbox() -> None:
    """Publish the directives to every commune and act on Tái Sơn's tasks through the services (run in the
    served environment: `python -m bench.bench_inbox build`)."""
    from sqlalchemy import select

    # The app is imported only by this build step, run in its own process: the benchmark's client stays light.
    from app.auth.models import User
    from app.core import clock
    from app.directives import services as directives
    from app.extensions import db
    from app.tasks import fanout
    from app.tasks import services as tasks
    from app.tasks.models import Task
    from app.units.models import Unit
    from app.units.queries import by_slug
    from wsgi import app

    def user(username: str) -> User:
        return db.session.scalar(select(User).where(User.username == username))

    with app.app_context():
        today = clock.today()
        office, chair, clerk = user("vanphong"), user(f"ct.{COMMUNE}"), user(f"mc.{COMMUNE}")
        district = by_slug("tu-ky")
        communes = list(db.session.scalars(select(Unit.id).where(Unit.parent_id == district.id)))
        for d in range(DIRECTIVES):
            rows = []
            for r in range(REQUIREMENTS):
                due = None if r % 7 == 6 else today + timedelta(days=(d * REQUIREMENTS + r) % 40 - 10)
                rows.append({"label": str(r + 1), "text": f"Yêu cầu {r + 1} của văn bản {d + 1}: tổ chức thực hiện, "
                             "báo cáo kết quả về Văn phòng HĐND-UBND huyện", "kind": "action",
                             "deadline": {"kind": "date", "date": due.isoformat()} if due else None})
            directive = directives.create_draft(district, office, {
                "number": f"{700 + d}/UBND-VP", "subject": f"Các việc trọng tâm đợt {d + 1}", "requirements": rows})
            for requirement in directive.requirements:
                requirement.kind = "action"  # handed in with a note alone
            fanout.publish(directive, office, communes)
            db.session.commit()
        mine = list(db.session.scalars(select(Task).where(Task.unit_id == clerk.unit_id).order_by(Task.id)))
        for n, task in enumerate(mine):
            if n % 10 == 3:
                tasks.assign(task, chair, clerk)
            if n % 5 in (1, 2):  # two in five handed in; of those, most accepted and a few returned
                tasks.submit(task, clerk, "Đã thực hiện xong")
                if n % 10 == 1:
                    tasks.review(task, office, "return" if n % 40 == 1 else "accept", "Bổ sung danh sách")
        db.session.commit()


def log_in(port: int, username: str) -> str:
    """The session cookie of a user logged in through the form."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": username, "password": "demo-2022", "csrf_token": token})
    conn.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    return response.getheader("Set-Cookie").split(";")[0]


def hammer(port: int, path: str, headers: dict) -> tuple[float, list[float]]:
    """Send REQUESTS GETs from CLIENTS connections at once; total seconds and each latency."""

    def client(_):
        conn = http.client.HTTPConnection("127.0.0.1", port)
        latencies = []
        for _ in range(PER_CLIENT):
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            latencies.append(time.perf_counter() - start)
        return latencies

    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        latencies = [lat for batch in pool.map(client, range(CLIENTS)) for lat in batch]
    return time.perf_counter() - start, latencies


def p(latencies: list[float], q: int) -> float:
    return round(1000 * statistics.quantiles(latencies, n=100)[q - 1], 2)


def workers_cpu_seconds(master_pid: int) -> float:
    """CPU time the gunicorn master's workers have used so far: what a request costs the server, whatever else
    the machine is doing (the wall-clock figures move with the load of other processes)."""
    pids = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    ticks = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime and stime
    return ticks / os.sysconf("SC_CLK_TCK")


def cluster_xid() -> int | None:
    """PostgreSQL's next transaction id (None on SQLite). On PostgreSQL the page is kept under the snapshot, which
    any write to any database of the cluster moves: how far this moves over a round tells how many times other
    runs on the machine made the kept page a miss, which the figures of the round then include."""
    if not os.environ.get("BENCH_PG_URL") or os.environ.get("BENCH_DATABASE") != "postgresql":
        return None
    import psycopg  # only for this count: the client stays light

    with psycopg.connect(os.environ["BENCH_PG_URL"], autocommit=True) as conn:
        return int(conn.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text").fetchone()[0])


def measured(port: int, master: int, headers: dict) -> tuple[float, list[float], float, int | None]:
    """One `hammer` round: seconds, latencies, the workers' CPU milliseconds per request and the cluster's
    transactions meanwhile (PostgreSQL)."""
    cpu, xid = workers_cpu_seconds(master), cluster_xid()
    seconds, latencies = hammer(port, "/", headers)
    after = cluster_xid()
    return (seconds, latencies, round(1000 * (workers_cpu_seconds(master) - cpu) / REQUESTS, 2),
            None if xid is None else after - xid)


def inbox_session(port: int) -> dict:
    """The clerk's session headers, after checking the inbox shows a full page that starts with its work."""
    cookie = log_in(port, f"mc.{COMMUNE}")
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/", headers={"Cookie": cookie})
    response = conn.getresponse()
    page = response.read().decode()
    # The first page puts the CSRF secret in the session: keep the new cookie, as a browser does.
    cookie = (response.getheader("Set-Cookie") or cookie).split(";")[0]
    assert page.count("task-row") == PAGE_SIZE, "the inbox should show a full page of tasks"
    assert 'data-section="returned"' in page and "Giao cho bạn" in page, "the inbox should start with its work"
    return {"Cookie": cookie}


def median_round(rounds: list[tuple]) -> tuple:
    """The round of median duration (its latencies and CPU with it)."""
    return sorted(rounds, key=lambda r: r[0])[len(rounds) // 2]


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="theodoi-bench-inbox-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    env = demo_database(tmp)
    subprocess.run([sys.executable, "-m", "bench.bench_inbox", "build"], cwd=ROOT, check=True,
                   env={**os.environ, **env})
    # The bare endpoint, the inbox and the inbox without its page cache (what a visit costs after someone wrote,
    # app/core/fragments.py) are all up; their rounds alternate so that each meets the same neighbours.
    with gunicorn("bench.bare_app:app", {}) as bare, gunicorn("wsgi:app", env) as warm, \
            gunicorn("wsgi:app", {**env, "FRAGMENT_CACHE_SIZE": "0"}) as cold:
        servers = {"bare": (bare, {}), "warm": (warm, inbox_session(warm[0])), "cold": (cold, inbox_session(cold[0]))}
        rounds: dict[str, list] = {name: [] for name in servers}
        for _ in range(ROUNDS + 1):  # the first round warms up and is not counted
            for name, ((port, master), headers) in servers.items():
                rounds[name].append(measured(port, master, headers))
        worker_peak = children_peak_rss_mb(warm[1])
    (baseline, base_lat, base_cpu, _), (seconds, latencies, cpu, writes), (cold_seconds, cold_latencies, cold_cpu, _) \
        = (median_round(rounds[name][1:]) for name in ("bare", "warm", "cold"))
    pg = {} if writes is None else {"cluster_writes_during_round": writes}
    report("inbox_gunicorn", REQUESTS, seconds, baseline, rps=round(REQUESTS / seconds, 1),
           p50_ms=p(latencies, 50), p95_ms=p(latencies, 95), p99_ms=p(latencies, 99),
           baseline_rps=round(REQUESTS / baseline, 1), baseline_p99_ms=p(base_lat, 99), clients=CLIENTS,
           worker_cpu_ms=cpu, baseline_worker_cpu_ms=base_cpu, tasks_in_inbox=DIRECTIVES * REQUIREMENTS,
           page_size=PAGE_SIZE, worker_peak_rss_mb=worker_peak, uncached_rps=round(REQUESTS / cold_seconds, 1),
           uncached_p99_ms=p(cold_latencies, 99), uncached_worker_cpu_ms=cold_cpu, rounds=ROUNDS, **pg)


if __name__ == "__main__":
    if sys.argv[1:] == ["build"]:
        build_inbox()
    else:
        main()
