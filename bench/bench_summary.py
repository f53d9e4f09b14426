"""The board's summary on a database of 1,000,000 tasks: one directive of 3,321 units x 5 requirements and the
whole tree, against the raw GROUP BY in the same run; and the board page of that directive. SQLite, and
PostgreSQL when BENCH_PG_URL names a throwaway database."""

from __future__ import annotations

import logging
import os
import re
import statistics
import time

from sqlalchemy import text

from app.auth.models import User
from app.auth.services import hash_password
from app.core import clock
from app.core.database import set_write_intent
from app.directives.models import Directive
from app.extensions import db
from app.reports.queries import summary
from bench.common import build_million, make_app, report

TASKS = 1_000_000
NOW = clock.parse_instant("2026-06-15T08:00:00")
ROUNDS = 7
RAW = """SELECT unit_id, CASE
  WHEN state = 'done' AND (due_on IS NULL OR submitted_on IS NULL OR submitted_on <= due_on) THEN 'done_on_time'
  WHEN state = 'done' THEN 'done_late' WHEN due_on IS NULL THEN 'no_deadline'
  WHEN state = 'submitted' AND submitted_on IS NOT NULL THEN
    CASE WHEN submitted_on <= due_on THEN 'open_on_time' ELSE 'open_overdue' END
  WHEN :today <= due_on THEN 'open_on_time' ELSE 'open_overdue' END AS grp, count(*)
FROM tasks {where} GROUP BY 1, 2"""


def median_seconds(call) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(app, dialect: str) -> None:
    with app.app_context():
        office = db.session.scalar(db.select(User).where(User.username == "vanphong"))
        office.password_hash = hash_password("bench-password")
        db.session.commit()
        directive_id = 1
        today = clock.local_date(NOW)
        clock.freeze(NOW)
        set_write_intent(False)  # reads only: no write lock held between the runs
        def raw(where, params):
            with db.engine.connect() as conn:
                conn.execute(text(RAW.format(where=where)), {"today": today, **params}).all()

        directive = db.session.get(Directive, directive_id)
        _ = directive.issuer.path  # loaded, as the access check before any summary loads it

        def ours(target=None):
            summary(office, target)
            db.session.close()  # ends the read; the user and directive stay loaded, as within a request

        one = median_seconds(lambda: ours(directive))
        one_raw = median_seconds(lambda: raw("WHERE directive_id = :d", {"d": directive_id}))
        report(f"summary_one_directive_{dialect}", TASKS, one, one_raw, tasks_in_directive=16605)
        tree = median_seconds(ours)
        tree_raw = median_seconds(lambda: raw("", {}))
        report(f"summary_whole_tree_{dialect}", TASKS, tree, tree_raw)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "vanphong", "password": "bench-password", "csrf_token": token})
    bare = median_seconds(lambda: client.get("/healthz"))
    board = median_seconds(lambda: client.get(f"/reports/directives/{directive_id}"))
    assert client.get(f"/reports/directives/{directive_id}").get_data(as_text=True).count("board-cell") == 500
    report(f"summary_board_page_{dialect}", TASKS, board, bare, units_in_directive=3321, units_per_page=100)
    clock.freeze(None)


def main() -> None:
    logging.disable(logging.INFO)
    app, _ = make_app()
    build_million(app, clock.local_date(NOW), TASKS)
    measure(app, "sqlite")
    if os.environ.get("BENCH_PG_URL"):
        app, _ = make_app(os.environ["BENCH_PG_URL"].replace("postgresql://", "postgresql+psycopg://", 1))
        build_million(app, clock.local_date(NOW), TASKS)
        measure(app, "postgresql")


if __name__ == "__main__":
    main()
