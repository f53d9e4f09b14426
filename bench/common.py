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
