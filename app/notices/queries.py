"""Reads of notices for the in-app list."""

from __future__ import annotations

from sqlalchemy import or_, select

from app.extensions import db
from app.notices.models import Mail, Notice


def recent_for(user, limit: int = 10) -> list[Notice]:
    """The latest in-app notices for the user: to them, or to everyone of their unit."""
    query = (
        select(Notice)
        .where(Notice.channel == "in_app", or_(Notice.recipient_id == user.id,
                                               (Notice.recipient_id.is_(None)) & (Notice.unit_id == user.unit_id)))
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def recent_mails_for(user, limit: int = 10) -> list:
    """The latest reminders and escalations addressed to the user (what the e-mails said, in-app too)."""
    return list(db.session.scalars(select(Mail).where(Mail.recipient_id == user.id, Mail.subject != "")
                                   .order_by(Mail.id.desc()).limit(limit)))
