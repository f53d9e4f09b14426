"""Escalation policies and the notices a sweep records (the mails are in app.notices)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.types import UTCDateTime
from app.extensions import db


class EscalationPolicy(db.Model):
    """A ladder of steps for an issuing unit (its default) or for one directive (an override)."""

    __tablename__ = "escalation_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    #: Null for the unit's default ladder; set for one directive's override.
    directive_id: Mapped[int | None] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"), unique=True)
    #: ``[{"key", "offset", "working_days", "to": [...], "cc": [...], "channels": [...]}]``, see ladder.py.
    steps: Mapped[list] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_escalation_policies_issuer", "issuer_unit_id"),
        # One default ladder per unit: of two, nothing could say which one applies.
        Index("uq_escalation_policies_default", "issuer_unit_id", unique=True,
              sqlite_where=text("directive_id IS NULL"), postgresql_where=text("directive_id IS NULL")),
    )


class TaskNotice(db.Model):
    """That a step of the ladder was reached for a task with a given due date: recorded once."""

    __tablename__ = "task_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(20))
    #: The due date the step was counted from: a new due date (an extension) starts the ladder again.
    due_on: Mapped[date] = mapped_column(Date)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    #: The sweep that recorded it; its mails list the notices of their batch.
    batch: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (UniqueConstraint("task_id", "step", "due_on"), Index("ix_task_notices_batch", "batch", "step"))
