"""Writing notices into the outbox, in the caller's transaction: in-app rows and the mails they cause."""

from __future__ import annotations

from sqlalchemy import JSON, String, cast, exists, insert, literal, select

from app.auth.models import User
from app.core import clock
from app.core.sql import insert_ignoring_duplicates, run_counting
from app.core.types import UTCDateTime
from app.extensions import db
from app.notices.models import Mail, Notice
from app.units.models import Unit

#: Who in a unit is mailed about new and returned tasks.
UNIT_WORKERS = ("unit_chair", "unit_staff")


def notify_units_assigned(directive, unit_ids: list[int]) -> int:
    """An in-app notice to each unit newly given tasks of a directive, and a mail to its chair and staff.

    One INSERT … SELECT each: the key ``assigned:<directive>:<unit>`` is built by
    the database, and a unit already told is skipped. The mails go out with the
    next outbox flush, so a publication to thousands of units does not wait on SMTP.
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
    created = run_counting(insert(table).from_select([*values, "unit_id", "key"], source))
    mail_unit_notices(Notice.directive_id == directive.id, Notice.kind == "assigned", Notice.created_at == now)
    return created


def mail_unit_notices(*conditions) -> int:
    """A mail to the chair and staff of each unit for the in-app notices matching the conditions."""
    notices, users, mails = Notice.__table__, User.__table__, Mail.__table__
    now = clock.now()
    key = literal("notice:") + cast(notices.c.id, String) + literal(":") + cast(users.c.id, String)
    columns = {"key": key, "kind": notices.c.kind, "notice_id": notices.c.id, "unit_id": notices.c.unit_id,
               "recipient_id": users.c.id, "to_address": users.c.email, "cc_roles": literal([], JSON()),
               "cc": literal([], JSON()), "subject": literal(""), "text": literal(""), "html": literal(""),
               "status": literal("pending"), "attempts": literal(0), "next_attempt_at": literal(now, UTCDateTime()),
               "created_at": literal(now, UTCDateTime())}
    source = (select(*columns.values()).select_from(notices.join(users, users.c.unit_id == notices.c.unit_id))
              .where(*conditions, users.c.role.in_(UNIT_WORKERS), users.c.active.is_(True),
                     users.c.email.is_not(None)))
    return run_counting(insert_ignoring_duplicates(mails).from_select(list(columns), source)
                        .on_conflict_do_nothing(index_elements=["key"]))


def pending_mails_of_notice(notice_id: int) -> list[int]:
    """The mails an in-app notice caused, to send right away."""
    return list(db.session.scalars(select(Mail.id).where(Mail.notice_id == notice_id, Mail.status == "pending")))
