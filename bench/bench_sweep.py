"""The escalation sweep over 1,000,000 tasks with 5 % due, against the raw SQL that selects the same
due tasks and inserts the same rows; then a second sweep, which must queue nothing."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from sqlalchemy import text

from app.core import clock
from app.escalation.services import sweep
from app.extensions import db
from bench.common import make_app, report, timer

TASKS = 1_000_000
UNITS = 3321
REQUIREMENTS_PER_DIRECTIVE = 5
NOW = clock.parse_instant("2026-06-15T08:00:00")
TODAY = clock.local_date(NOW)
#: 5 % of the tasks sit on a step today (before3, due, after1, after3); the rest are later or done.
DUE_OFFSETS = [3, 0, -1, -5]


def build(app) -> None:
    """Units with their chair, staff and secretary, directives, and a million tasks, through the driver."""
    with app.app_context():
        raw = db.engine.raw_connection()
        cur = raw.cursor()
        cur.execute("BEGIN IMMEDIATE")
        cur.execute("INSERT INTO units (id, slug, name, kind, parent_id, path) VALUES (1, 'tinh', 'UBND tỉnh', "
                    "'province', NULL, '/1/')")
        cur.executemany("INSERT INTO units (id, slug, name, kind, parent_id, path) VALUES (?, ?, ?, 'commune', 1, ?)",
                        [(i, f"xa-{i}", f"Xã {i}", f"/1/{i}/") for i in range(2, UNITS + 2)])
        users = [(f"{p}.{u}", r, u, f"{p}.{u}@x.example") for u in range(2, UNITS + 2)
                 for p, r in (("ct", "unit_chair"), ("mc", "unit_staff"), ("bt", "observer"))]
        users += [("vanphong", "district_office", 1, "vp@x.example"), ("chutich", "district_leader", 1, "ct@x.example")]
        cur.executemany("INSERT INTO users (username, full_name, role, unit_id, email, password_hash, active, alt_id, "
                        "created_at) VALUES (?, '', ?, ?, ?, 'x', 1, lower(hex(randomblob(16))), '2026-01-01')", users)
        directives = TASKS // (UNITS * REQUIREMENTS_PER_DIRECTIVE) + 1
        cur.executemany("INSERT INTO directives (id, issuer_unit_id, number, body, addressees, recipients, "
                        "named_units, state, read_by_ocr, created_at, version) VALUES (?, 1, ?, '', '[]', '[]', '[]', "
                        "'published', 0, '2026-01-01', 1)", [(d, f"{d}/UBND-VP") for d in range(1, directives + 1)])
        cur.executemany("INSERT INTO requirements (id, directive_id, position, label, text, kind) "
                        "VALUES (?, ?, ?, ?, 'Yêu cầu', 'action')",
                        [(d * 10 + r, d, r, str(r)) for d in range(1, directives + 1)
                         for r in range(REQUIREMENTS_PER_DIRECTIVE)])
        rng = random.Random(7)
        rows = []
        for n in range(TASKS):
            directive, rest = divmod(n, UNITS * REQUIREMENTS_PER_DIRECTIVE)
            requirement, unit = divmod(rest, UNITS)
            if rng.random() < 0.05:
                due, state = TODAY + timedelta(days=rng.choice(DUE_OFFSETS)), "open"
            else:
                due, state = TODAY + timedelta(days=rng.randint(10, 300)), rng.choice(("open", "done"))
            rows.append(((directive + 1) * 10 + requirement, directive + 1, unit + 2, due.isoformat(), state))
        cur.executemany("INSERT INTO tasks (requirement_id, directive_id, unit_id, period, due_on, state, data, "
                        "created_at, updated_at, version) VALUES (?, ?, ?, '', ?, ?, '{}', '2026-01-01', "
                        "'2026-01-01', 1)", rows)
        raw.commit()
        cur.execute("ANALYZE")
        raw.close()


RAW_NOTICES = """INSERT INTO task_notices (task_id, step, due_on, unit_id, batch, created_at)
SELECT id, :step, due_on, unit_id, 'raw', '2026-06-15 01:00:00' FROM tasks
WHERE state IN ('open', 'returned') AND due_on > :low AND due_on <= :high"""
RAW_MAILS = """INSERT INTO mails (key, kind, step, batch, recipient_id, to_address, unit_id, cc_roles, cc, subject, text,
html, status, attempts, next_attempt_at, created_at)
SELECT 'raw:' || :step || ':' || u.id || ':' || n.unit_id, 'step', :step, 'raw', u.id, u.email, n.unit_id, '[]', '[]',
'', '', '', 'pending', 0, '2026-06-15 01:00:00', '2026-06-15 01:00:00'
FROM task_notices n JOIN users u ON u.unit_id = n.unit_id
WHERE n.batch = 'raw' AND n.step = :step AND u.role IN ('unit_chair', 'unit_staff') GROUP BY n.unit_id, u.id"""
WINDOWS = {"before3": (TODAY, TODAY + timedelta(days=3)), "due": (TODAY - timedelta(days=1), TODAY),
           "after1": (TODAY - timedelta(days=3), TODAY - timedelta(days=1)), "after3": (None, TODAY - timedelta(days=3))}


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
    build(app)
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
