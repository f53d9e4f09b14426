"""Publishing 5 requirements to 3,321 communes (a chair and a staff member each, mailed), against the same
statements through the database driver alone: the INSERT … SELECT per requirement the app runs, and its notices,
mails, directive update and audit row. The median of ROUNDS publications each, alternated."""

from __future__ import annotations

import logging
import statistics

from sqlalchemy import text

from app.auth.models import User
from app.core import clock
from app.directives import deadlines, services
from app.directives.models import Directive, Requirement
from app.extensions import db
from app.tasks import fanout
from app.units.models import Unit
from bench.common import driver, driver_sql, driver_value, make_app, report, timer

UNITS = 3321
ROUNDS = 5
RULES = [None, {"kind": "date", "date": "2026-06-15"}, {"kind": "relative", "days": 5, "working_days": True},
         {"kind": "recurring", "freq": "monthly", "day": 25}, {"kind": "relative", "months": 2}]

# The statements the app sends (tasks/fanout.py, notices/services.py, core/audit.py), written out by hand.
RAW_PUBLISHED = "UPDATE directives SET state = 'published', published_at = ?ts, version = version + 1 WHERE id = ?int"
RAW_UNITS = "SELECT id FROM units WHERE parent_id = ?int"
RAW_TASKS = """INSERT INTO tasks (directive_id, requirement_id, period, due_on, state, data, created_at, updated_at,
version, unit_id) SELECT ?int, ?int, ?text, ?date, 'open', ?json, ?ts, ?ts, 1, units.id FROM units
WHERE units.id IN ({units})"""
RAW_NOTICES = """INSERT INTO notices (kind, channel, directive_id, status, attempts, subject, body, created_at, sent_at,
unit_id, key) SELECT 'assigned', 'in_app', ?int, 'sent', 0, ?text, '', ?ts, ?ts, units.id,
?text || CAST(units.id AS VARCHAR) FROM units WHERE units.id IN ({units})
AND NOT EXISTS (SELECT 1 FROM notices WHERE notices.key = ?text || CAST(units.id AS VARCHAR))"""
RAW_MAILS = """INSERT INTO mails (key, kind, notice_id, unit_id, recipient_id, to_address, cc_roles, cc, subject,
text, html, status, attempts, next_attempt_at, created_at)
SELECT 'notice:' || CAST(notices.id AS VARCHAR) || ':' || CAST(users.id AS VARCHAR), notices.kind, notices.id,
notices.unit_id, users.id, users.email, '[]', '[]', '', '', '', 'pending', 0, ?ts, ?ts
FROM notices JOIN users ON users.unit_id = notices.unit_id
WHERE notices.directive_id = ?int AND notices.kind = 'assigned' AND notices.created_at = ?ts
AND users.role IN ('unit_chair', 'unit_staff') AND users.active AND users.email IS NOT NULL
ON CONFLICT (key) DO NOTHING"""
RAW_AUDIT = """INSERT INTO audit_log (at, action, object_type, object_id, detail)
VALUES (?ts, 'directive_published', 'directive', ?int, ?json)"""


def build_tree() -> Unit:
    """A province with 3,321 communes below it, each with its chair and a staff member."""
    province = Unit(slug="tinh", name="UBND tỉnh", kind="province", path="/")
    db.session.add(province)
    db.session.flush()
    province.path = f"/{province.id}/"
    db.session.execute(db.insert(Unit), [
        {"slug": f"xa-{i}", "name": f"Xã {i}", "kind": "commune", "parent_id": province.id,
         "path": province.path} for i in range(UNITS)])
    db.session.execute(text("UPDATE units SET path = path || id || '/' WHERE parent_id IS NOT NULL"))
    communes = db.session.scalars(db.select(Unit.id).where(Unit.parent_id == province.id)).all()
    people = (("ct", "unit_chair"), ("mc", "unit_staff"))
    db.session.execute(db.insert(User), [
        {"username": f"{prefix}.{unit_id}", "role": role, "unit_id": unit_id, "email": f"{prefix}.{unit_id}@x.example",
         "password_hash": "x"} for unit_id in communes for prefix, role in people])
    db.session.commit()
    return province


def draft(province: Unit, number: int) -> int:
    """A draft directive of the province with the 5 requirements of RULES; its id."""
    directive = Directive(issuer=province, state="draft", number=f"{number}/UBND-VP", body="")
    db.session.add(directive)
    for position, rule in enumerate(RULES):
        directive.requirements.append(Requirement(position=position, label=str(position + 1),
                                                  text=f"Yêu cầu {position + 1}", deadline=rule))
    db.session.commit()
    return directive.id


def due_days(directive_id: int) -> list[tuple[int, str, object]]:
    """Each requirement's id, period and due day as publishing today gives them (tasks/fanout.py's rule), worked
    out before timing: the baseline is the writing alone."""
    directive = db.session.get(Directive, directive_id)
    today = clock.today()
    plans = []
    for requirement in directive.requirements:
        if deadlines.is_recurring(requirement.deadline):
            period = deadlines.first_period(requirement.deadline, today)
            plans.append((requirement.id, period.key, period.due_on))
        else:
            plans.append((requirement.id, "", fanout.due_on_for(directive, requirement.deadline, today)))
    return plans


def publish_raw(app, directive_id: int, issuer_id: int, requirements: list, subject: str) -> float:
    """Publish through the driver alone: the app's statements, in one transaction; seconds taken."""
    with timer() as elapsed, driver(app) as (raw, cursor):
        now = driver_value(clock.now())
        cursor.execute(driver_sql(RAW_PUBLISHED), (now, directive_id))
        cursor.execute(driver_sql(RAW_UNITS), (issuer_id,))
        unit_ids = [row[0] for row in cursor.fetchall()]
        units = ", ".join(["?int"] * len(unit_ids))
        for requirement_id, period, due_on in requirements:
            cursor.execute(driver_sql(RAW_TASKS.format(units=units)),
                           (directive_id, requirement_id, period, driver_value(due_on), "{}", now, now, *unit_ids))
        key = f"assigned:{directive_id}:"
        cursor.execute(driver_sql(RAW_NOTICES.format(units=units)), (directive_id, subject, now, now, key, *unit_ids,
                                                                    key))
        cursor.execute(driver_sql(RAW_MAILS), (now, now, directive_id, now))
        cursor.execute(driver_sql(RAW_AUDIT), (now, directive_id, f'{{"units": {len(unit_ids)}}}'))
        raw.commit()
    return elapsed()


def publish_app(app, directive_id: int) -> float:
    """Publish as the publish page does once the directive is loaded: the units, then `fanout.publish`."""
    with app.app_context():
        directive = db.session.get(Directive, directive_id)
        with timer() as elapsed:
            units = services.target_units(directive, "all")
            created = fanout.publish(directive, None, units)
            db.session.commit()
    assert created == UNITS * len(RULES), created
    return elapsed()


def written(app, directive_id: int) -> tuple[int, int, int]:
    """The tasks, notices and mails a publication wrote; then removed, so every round starts alike."""
    with driver(app) as (raw, cursor):
        counts = []
        for sql in ("SELECT count(*) FROM tasks WHERE directive_id = ?",
                    "SELECT count(*) FROM notices WHERE directive_id = ?",
                    "SELECT count(*) FROM mails WHERE notice_id IN (SELECT id FROM notices WHERE directive_id = ?)"):
            cursor.execute(driver_sql(sql), (directive_id,))
            counts.append(cursor.fetchone()[0])
        for sql in ("DELETE FROM mails WHERE notice_id IN (SELECT id FROM notices WHERE directive_id = ?)",
                    "DELETE FROM notices WHERE directive_id = ?", "DELETE FROM tasks WHERE directive_id = ?"):
            cursor.execute(driver_sql(sql), (directive_id,))
        raw.commit()
    return tuple(counts)


def main() -> None:
    logging.disable(logging.INFO)
    app, _ = make_app()
    with app.app_context():
        province = build_tree()
        issuer_id = province.id
        drafts = [draft(province, number) for number in range(1, 2 * ROUNDS + 1)]
        plans = {directive_id: due_days(directive_id) for directive_id in drafts[::2]}
        subjects = {directive_id: f"Nhiệm vụ mới: {db.session.get(Directive, directive_id).number} — "
                    for directive_id in drafts[::2]}  # as notices/services.py words it (the drafts have no subject)
    ours, raw = [], []
    for raw_id, app_id in zip(drafts[::2], drafts[1::2]):
        raw.append(publish_raw(app, raw_id, issuer_id, plans[raw_id], subjects[raw_id]))
        raw_rows = written(app, raw_id)
        ours.append(publish_app(app, app_id))
        app_rows = written(app, app_id)
        assert raw_rows == app_rows == (UNITS * len(RULES), UNITS, 2 * UNITS), (raw_rows, app_rows)
    report("fanout_publish", UNITS, statistics.median(ours), statistics.median(raw), tasks=UNITS * len(RULES),
           mails=2 * UNITS, rounds=ROUNDS)


if __name__ == "__main__":
    main()
