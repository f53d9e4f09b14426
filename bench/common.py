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
