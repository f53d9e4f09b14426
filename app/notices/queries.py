"""Reads of notices for the in-app list."""

from __future__ import annotations

from sqlalchemy import Integer, bindparam, or_, select

from app.extensions import db
from app.notices.models import Mail, Notice

#: Built once, run on every inbox: what the list shows of the latest notices to a user or their whole unit.
_RECENT_NOTICES = (
    select(Notice.created_at, Notice.subject, Notice.task_id, Notice.directive_id)
    .where(Notice.channel == "in_app", or_(Notice.recipient_id == bindparam("user_id"),
                                           Notice.recipient_id.is_(None) & (Notice.unit_id == bindparam("unit_id"))))
    .order_by(Notice.created_at.desc(), Notice.id.desc())
    .limit(bindparam("limit", type_=Integer))
)
#: Built once: what the list shows of the latest mails to a user.
_RECENT_MAILS = (
    select(Mail.created_at, Mail.subject, Mail.text)
    .where(Mail.recipient_id == bindparam("user_id"), Mail.subject != "")
    .order_by(Mail.id.desc())
    .limit(bindparam("limit", type_=Integer))
)


def recent_for(user, limit: int = 10) -> list:
    """The latest in-app notices for the user, to them or to everyone of their unit: rows of `created_at`,
    `subject`, `task_id` and `directive_id`."""
    return db.session.connection().execute(
        _RECENT_NOTICES, {"user_id": user.id, "unit_id": user.unit_id, "limit": limit}).all()


def recent_mails_for(user, limit: int = 10) -> list:
    """The latest reminders and escalations addressed to the user (what the e-mails said, in-app too): rows of
    `created_at`, `subject` and `text`."""
    return db.session.connection().execute(_RECENT_MAILS, {"user_id": user.id, "limit": limit}).all()
