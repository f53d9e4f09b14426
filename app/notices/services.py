"""Writing notices into the outbox, in the caller's transaction."""

from __future__ import annotations

from sqlalchemy import insert, select

from app.core import clock
from app.extensions import db
from app.notices.models import Notice


def notify_units_assigned(directive, unit_ids: list[int]) -> int:
    """An in-app notice to each unit newly given tasks of a directive; returns how many were new."""
    keys = {f"assigned:{directive.id}:{unit_id}": unit_id for unit_id in unit_ids}
    existing = set(db.session.scalars(select(Notice.key).where(Notice.key.in_(list(keys)))))
    subject = f"Nhiệm vụ mới: {directive.number or 'văn bản'} — {(directive.subject or '')[:200]}"
    now = clock.now()
    rows = [
        {"key": key, "kind": "assigned", "channel": "in_app", "unit_id": unit_id, "directive_id": directive.id,
         "subject": subject, "status": "sent", "attempts": 0, "created_at": now, "sent_at": now, "body": ""}
        for key, unit_id in keys.items() if key not in existing
    ]
    if rows:
        db.session.execute(insert(Notice), rows)
    return len(rows)
