"""The escalation sweep over 1,000,000 tasks with 5 % due, against the raw SQL that selects the same
due tasks and inserts the same rows; then a second sweep, which must queue nothing. The median of ROUNDS each,
alternated, on the run's database (bench/common.py)."""

from __future__ import annotations

import json
import logging
import statistics
from datetime import timedelta

from sqlalchemy import text

from app.core import clock
from app.escalation.ladder import AUDIENCE_ROLES, DEFAULT_LADDER, ISSUER_AUDIENCES
from app.escalation.services import sweep
from app.extensions import db
from bench.common import build_million, driver, driver_sql, driver_value, make_app, report, timer

TASKS = 1_000_000
ROUNDS = 3
NOW = clock.parse_instant("2026-06-15T08:00:00")
TODAY = clock.local_date(NOW)

RAW_NOTICES = """INSERT INTO task_notices (task_id, step, due_on, unit_id, batch, created_at)
SELECT id, :step, due_on, unit_id, 'raw', '2026-06-15 01:00:00' FROM tasks
WHERE state IN ('open', 'returned') AND due_on > :low AND due_on <= :high
AND directive_id IN (SELECT id FROM directives WHERE state = 'published')
ON CONFLICT (task_id, step, due_on) DO NOTHING"""
MAIL_COLUMNS = """INSERT INTO mails (key, kind, step, batch, recipient_id, to_address, unit_id, cc_roles, cc, subject,
text, html, status, attempts, next_attempt_at, created_at)"""
#: A mail to each person of the step's roles in each unit with a task on the step.
RAW_UNIT_MAILS = MAIL_COLUMNS + """
SELECT 'raw:' || :step || ':' || u.id || ':' || n.unit_id, 'step', :step, 'raw', u.id, u.email, n.unit_id, '{cc}', '[]',
'', '', '', 'pending', 0, '2026-06-15 01:00:00', '2026-06-15 01:00:00'
FROM task_notices n JOIN users u ON u.unit_id = n.unit_id
WHERE n.batch = 'raw' AND n.step = :step AND u.role IN ({roles}) AND u.active AND u.email IS NOT NULL
GROUP BY n.unit_id, u.id, u.email ON CONFLICT (key) DO NOTHING"""
#: One digest to each person of the step's roles in the units that issued a directive with a task on the step.
RAW_DIGESTS = MAIL_COLUMNS + """
SELECT 'raw:' || :step || ':' || u.id, 'digest', :step, 'raw', u.id, u.email, u.unit_id, '[]', '[]',
'', '', '', 'pending', 0, '2026-06-15 01:00:00', '2026-06-15 01:00:00' FROM users u
WHERE u.role IN ({roles}) AND u.active AND u.email IS NOT NULL AND u.unit_id IN (
  SELECT d.issuer_unit_id FROM directives d JOIN tasks t ON t.directive_id = d.id
  JOIN task_notices n ON n.task_id = t.id WHERE n.batch = 'raw' AND n.step = :step)
ON CONFLICT (key) DO NOTHING"""
#: The issuing offices' daily digest of what is overdue.
RAW_OFFICE_DIGESTS = MAIL_COLUMNS + """
SELECT 'raw:office:' || u.id, 'office', NULL, 'raw', u.id, u.email, u.unit_id, '[]', '[]',
'', '', '', 'pending', 0, '2026-06-15 01:00:00', '2026-06-15 01:00:00' FROM users u
WHERE u.role = 'district_office' AND u.active AND u.email IS NOT NULL AND u.unit_id IN (
  SELECT d.issuer_unit_id FROM directives d WHERE d.state = 'published' AND EXISTS (
    SELECT 1 FROM tasks t WHERE t.directive_id = d.id AND t.state IN ('open', 'returned') AND t.due_on < :today))
ON CONFLICT (key) DO NOTHING"""
WINDOWS = {"before3": (TODAY, TODAY + timedelta(days=3)), "due": (TODAY - timedelta(days=1), TODAY),
           "after1": (TODAY - timedelta(days=3), TODAY - timedelta(days=1)),
           "after3": (None, TODAY - timedelta(days=3))}


def roles(step: dict, issuer: bool) -> str:
    """The roles the default ladder's step mails, of the communes or of the issuing unit, as SQL literals."""
    wanted = [role for audience in step["to"] if (audience in ISSUER_AUDIENCES) == issuer
              for role in AUDIENCE_ROLES[audience]]
    return ", ".join(f"'{role}'" for role in wanted)


def raw_sweep(app) -> float:
    """The same selections and inserts as plain SQL through the driver (the default ladder's windows and
    audiences), in one transaction; seconds taken."""
    with timer() as elapsed, driver(app) as (raw, cur):
        for step in DEFAULT_LADDER:
            low, high = WINDOWS[step["key"]]
            low = low or TODAY - timedelta(days=9999)
            cur.execute(driver_sql(RAW_NOTICES), {"step": step["key"], "low": driver_value(low),
                                                  "high": driver_value(high)})
            if roles(step, issuer=False):
                cc = json.dumps([role for audience in step["cc"] for role in AUDIENCE_ROLES[audience]])
                cur.execute(driver_sql(RAW_UNIT_MAILS.format(roles=roles(step, issuer=False), cc=cc)),
                            {"step": step["key"]})
            if roles(step, issuer=True):
                cur.execute(driver_sql(RAW_DIGESTS.format(roles=roles(step, issuer=True))), {"step": step["key"]})
        cur.execute(driver_sql(RAW_OFFICE_DIGESTS), {"today": driver_value(TODAY)})
        raw.commit()
    return elapsed()


def app_sweep(app) -> tuple[float, float, int, int, int]:
    """The app's sweep, then the same again (which must queue nothing): both times, the notices recorded, the
    mails each queued."""
    with app.app_context():
        with timer() as first:
            result = sweep(NOW)
            db.session.commit()
        with timer() as second:
            again = sweep(NOW)
            db.session.commit()
        due = db.session.execute(text("SELECT count(*) FROM task_notices")).scalar()
    return first(), second(), due, result.emails_queued, again.emails_queued


def undo(app) -> tuple[int, int]:
    """Remove what a sweep wrote, so that every round starts alike; the task notices and mails it had written."""
    with driver(app) as (raw, cur):
        cur.execute("SELECT (SELECT count(*) FROM task_notices), (SELECT count(*) FROM mails)")
        recorded = cur.fetchone()
        cur.execute("DELETE FROM mails")
        cur.execute("DELETE FROM task_notices")
        raw.commit()
    return tuple(recorded)


def main() -> None:
    logging.disable(logging.INFO)
    app, _ = make_app()
    build_million(app, TODAY)
    ours, again, raw = [], [], []
    for _ in range(ROUNDS):  # alternated, so neither side alone meets a cold cache
        raw.append(raw_sweep(app))
        raw_rows = undo(app)
        first, second, due, queued, queued_again = app_sweep(app)
        ours.append(first)
        again.append(second)
        app_rows = undo(app)
        assert raw_rows == app_rows == (due, queued), (raw_rows, app_rows)  # the baseline wrote the same rows
    report("sweep_1m", TASKS, statistics.median(ours), statistics.median(raw), notices=due, emails_queued=queued,
           second_sweep_seconds=round(statistics.median(again), 4), second_sweep_queued=queued_again, rounds=ROUNDS)


if __name__ == "__main__":
    main()
