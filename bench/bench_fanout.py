"""Publishing 5 requirements to 3,321 units, against inserting the same rows with executemany."""

from __future__ import annotations

import logging

from sqlalchemy import text

from app.core import clock
from app.directives import services
from app.directives.models import Directive, Requirement
from app.extensions import db
from app.tasks import fanout
from app.units.models import Unit
from bench.common import make_app, report, timer

UNITS = 3321
RULES = [None, {"kind": "date", "date": "2026-06-15"}, {"kind": "relative", "days": 5, "working_days": True},
         {"kind": "recurring", "freq": "monthly", "day": 25}, {"kind": "relative", "months": 2}]


def build_tree() -> Unit:
    """A province with 3,321 communes below it."""
    province = Unit(slug="tinh", name="UBND tỉnh", kind="province", path="/")
    db.session.add(province)
    db.session.flush()
    province.path = f"/{province.id}/"
    db.session.execute(db.insert(Unit), [
        {"slug": f"xa-{i}", "name": f"Xã {i}", "kind": "commune", "parent_id": province.id,
         "path": province.path} for i in range(UNITS)])
    db.session.execute(text("UPDATE units SET path = path || id || '/' WHERE parent_id IS NOT NULL"))
    db.session.commit()
    return province


def draft(province: Unit) -> Directive:
    directive = Directive(issuer=province, state="draft", number="1/UBND-VP", body="")
    db.session.add(directive)
    for position, rule in enumerate(RULES):
        directive.requirements.append(Requirement(position=position, label=str(position + 1),
                                                  text=f"Yêu cầu {position + 1}", deadline=rule))
    db.session.commit()
    return directive


def raw_insert(app, directive_id: int, requirement_ids: list[int], unit_ids: list[int]) -> float:
    """The same task and notice rows through the database driver alone."""
    now = clock.now().isoformat()
    tasks = [(directive_id, r, u, "", None, "open", "{}", now, now, 1) for r in requirement_ids for u in unit_ids]
    notices = [(f"raw:{u}", "assigned", "in_app", u, directive_id, "", "", "sent", 0, now) for u in unit_ids]
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            with timer() as elapsed:
                cursor.execute("BEGIN IMMEDIATE")
                cursor.executemany(
                    "INSERT INTO tasks (directive_id, requirement_id, unit_id, period, due_on, state, data, "
                    "created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", tasks)
                cursor.executemany(
                    "INSERT INTO notices (key, kind, channel, unit_id, directive_id, subject, body, status, attempts, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", notices)
                raw.commit()
            cursor.execute("DELETE FROM notices WHERE key LIKE 'raw:%'")
            cursor.execute("DELETE FROM tasks")
            raw.commit()
        finally:
            raw.close()
    return elapsed()


def main() -> None:
    logging.disable(logging.INFO)
    app, _ = make_app()
    with app.app_context():
        province = build_tree()
        directive = draft(province)
        unit_ids = list(db.session.scalars(db.select(Unit.id).where(Unit.parent_id == province.id)))
        requirement_ids = [r.id for r in directive.requirements]
        directive_id = directive.id
    baseline = raw_insert(app, directive_id, requirement_ids, unit_ids)
    with app.app_context():
        directive = db.session.get(Directive, directive_id)
        with timer() as elapsed:
            units = services.target_units(directive, "all")
            created = fanout.publish(directive, None, units)
            db.session.commit()
    assert created == UNITS * len(RULES)
    report("fanout_publish_sqlite", UNITS, elapsed(), baseline, tasks=created)


if __name__ == "__main__":
    main()
