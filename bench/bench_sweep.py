"""The escalation sweep over 1,000,000 tasks with 5 % due, against the raw SQL that selects the same
due tasks and inserts the same rows; then a second sweep, which must queue nothing."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import text

from app.core import clock
from app.escalation.services import sweep
from app.extensions import db
from bench.common import build_million, make_app, report, timer

TASKS = 1_000_000
NOW = clock.parse_instant("2026-06-15T08:00:00")
TODAY = clock.local_date(NOW)

RAW_NOTICES = """INSERT INTO task_notices (task_id, step, due_on, unit_id, batch, created_at)
SELECT id, :step, due_on, unit_id, 'raw', '2026-06-15 01:00:00' FROM tasks
WHERE state IN ('open', 'returned') AND due_on > :low AND due_on <= :high"""
RAW_MAILS = """INSERT INTO mails (key, kind, step, batch, recipient_id, to_address, unit_id, cc_roles, cc, subject,
text, html, status, attempts, next_attempt_at, created_at)
SELECT 'raw:' || :step || ':' || u.id || ':' || n.unit_id, 'step', :step, 'raw', u.id, u.email, n.unit_id, '[]', '[]',
'', '', '', 'pending', 0, '2026-06-15 01:00:00', '2026-06-15 01:00:00'
FROM task_notices n JOIN users u ON u.unit_id = n.unit_id
WHERE n.batch = 'raw' AND n.step = :step AND u.role IN ('unit_chair', 'unit_staff') GROUP BY n.unit_id, u.id"""
WINDOWS = {"before3": (TODAY, TODAY + timedelta(days=3)), "due": (TODAY - timedelta(days=1), TODAY),
           "after1": (TODAY - timedelta(days=3), TODAY - timedelta(days=1)),
           "after3": (None, TODAY - timedelta(days=3))}


def raw_sweep(app) -> float:
    """The same selections and inserts as plain SQL through the driver, then undone."""
    with app.app_context():
        raw = db.engine.raw_connection()
        cur = raw.cursor()
        with timer() as elapsed:
            cur.execute("BEGIN IMMEDIATE")
            for step, (low, high) in WINDOWS.items():
                cur.execute(RAW_NOTICES, {"step": step, "low": (low or TODAY - timedelta(days=9999)).isoformat(),
                                          "high": high.isoformat()})
                cur.execute(RAW_MAILS, {"step": step})
            raw.commit()
        cur.execute("DELETE FROM mails WHERE batch = 'raw'")
        cur.execute("DELETE FROM task_notices WHERE batch = 'raw'")
        raw.commit()
        raw.close()
    return elapsed()


def main() -> None:
    logging.disable(logging.INFO)
    app, _ = make_app()
    build_million(app, TODAY)
    baseline = raw_sweep(app)
    with app.app_context():
        with timer() as first:
            result = sweep(NOW)
            db.session.commit()
        with timer() as second:
            again = sweep(NOW)
            db.session.commit()
        due = db.session.execute(text("SELECT count(*) FROM task_notices")).scalar()
    report("sweep_1m_sqlite", TASKS, first(), baseline, notices=due, emails_queued=result.emails_queued,
           second_sweep_seconds=round(second(), 4), second_sweep_queued=again.emails_queued)


if __name__ == "__main__":
    main()
