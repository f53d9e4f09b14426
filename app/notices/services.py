"""Writing notices into the outbox, in the caller's transaction."""

from __future__ import annotations

from sqlalchemy import String, cast, exists, insert, literal, select

from app.core import clock
from app.extensions import db
from app.notices.models import Notice
from app.units.models import Unit


def notify_units_assigned(directive, unit_ids: list[int]) -> int:
    """An in-app notice to each unit newly given tasks of a directive; returns how many were new.

    One INSERT … SELECT: the key ``assigned:<directive>:<unit>`` is built by the
    database, and a unit already told is skipped (the key is UNIQUE anyway).
    """
    if not unit_ids:
        return 0
    table = Notice.__table__
    now = clock.now()
    key = literal(f"assigned:{directive.id}:") + cast(Unit.id, String)
    values = {"kind": "assigned", "channel": "in_app", "directive_id": directive.id, "status": "sent", "attempts": 0,
              "subject": f"Nhiệm vụ mới: {directive.number or 'văn bản'} — {(directive.subject or '')[:200]}",
              "body": "", "created_at": now, "sent_at": now}
    source = select(*(literal(v, table.c[k].type) for k, v in values.items()), Unit.id, key).where(
        Unit.id.in_(unit_ids), ~exists().where(Notice.key == key))
    statement = insert(table).from_select([*values, "unit_id", "key"], source)
    # psycopg reports -1 for INSERT … SELECT unless SQLAlchemy is told to keep the count.
    return db.session.execute(statement.execution_options(preserve_rowcount=True)).rowcount
