"""The notice outbox: a row per notice, written with the change that causes it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.models import one_of
from app.core.types import UTCDateTime
from app.extensions import db

NOTICE_KINDS = {
    "assigned": "Nhiệm vụ mới được giao",
    "returned": "Nhiệm vụ bị trả lại",
    "reminder": "Nhắc hạn",
    "escalation": "Quá hạn",
    "digest": "Tổng hợp quá hạn",
    "deadline_changed": "Đổi hạn",
    "guidance": "Ý kiến chỉ đạo",
}
NOTICE_CHANNELS = ("in_app", "email")
NOTICE_STATUSES = ("pending", "sent", "failed")
#: A mail is a ladder step, a digest, or stands for an in-app notice and takes its kind.
MAIL_KINDS = tuple(dict.fromkeys(("step", "digest", "office", *NOTICE_KINDS)))
MAIL_STATUSES = ("pending", "sending", "sent", "failed", "in_app")


class Notice(db.Model):
    """One notice to a unit (in-app) or a person (e-mail); the UNIQUE key makes it once-only."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Idempotency key, e.g. ``assigned:12:7`` (directive, unit); a second insert is refused.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(10), default="in_app")
    #: The person it is for; null for an in-app notice to everyone of the unit.
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    directive_id: Mapped[int | None] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    #: ``pending``, ``sent`` or ``failed``.
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_notices_unit_created", "unit_id", "created_at"),
        Index("ix_notices_status_channel", "status", "channel"),
        one_of("kind", NOTICE_KINDS),
        one_of("channel", NOTICE_CHANNELS),
        one_of("status", NOTICE_STATUSES),
    )


class Mail(db.Model):
    """One e-mail in the outbox: written with the change that causes it, sent by a job, once."""

    __tablename__ = "mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Idempotency key: a second mail with the same key is never written.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    #: ``step`` (a ladder step for a unit), ``digest`` (leaders), ``office`` (the daily digest),
    #: ``assigned`` or ``returned`` (from an in-app notice).
    kind: Mapped[str] = mapped_column(String(30))
    step: Mapped[str | None] = mapped_column(String(20))
    batch: Mapped[str | None] = mapped_column(String(32))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))
    day: Mapped[date | None] = mapped_column(Date)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    to_address: Mapped[str] = mapped_column(String(200))
    #: Roles of the unit in copy (``secretary`` on escalations), resolved to addresses when sending.
    cc_roles: Mapped[list] = mapped_column(JSON, default=list)
    #: The addresses actually put in copy, once sent.
    cc: Mapped[list] = mapped_column(JSON, default=list)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    #: Rendered when sent (from the notices it stands for), so writing a mail costs one row.
    subject: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")
    #: ``pending``, ``sending`` (claimed by a worker), ``sent``, ``failed`` or ``in_app`` (shown, not mailed).
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_mails_status_next", "status", "next_attempt_at"),
        one_of("kind", MAIL_KINDS),
        one_of("status", MAIL_STATUSES),
    )
