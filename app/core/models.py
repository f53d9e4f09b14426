"""Cross-cutting tables (audit log, periodic-job runs, calendar overrides) and `one_of`, the CHECK of enumerations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint, literal_column
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.types import UTCDateTime
from app.extensions import db


def one_of(column: str, values: Iterable[str]) -> CheckConstraint:
    """A CHECK that `column` holds one of `values` (or NULL), named ``ck_<table>_<column>``.

    `values` is the Python constant pages and services check against: one list serves
    both, and tests/test_constraints.py fails when the constant and the database's list differ.
    """
    return CheckConstraint(literal_column(column).in_(list(values)), name=column)


class AuditLog(db.Model):
    """One security-relevant event: who, from where, on what. Append-only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    #: Null for anonymous events (a failed log-in of an unknown name).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    #: e.g. ``login``, ``login_failed``, ``access_denied``, ``upload``.
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    address: Mapped[str | None] = mapped_column(String(64))
    #: The name tried at a failed log-in, a path denied; never a secret.
    detail: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_audit_log_action_at", "action", "at"),
        Index("ix_audit_log_address_at", "address", "at"),
    )


class PeriodicRun(db.Model):
    """A claimed slot of a periodic job: the UNIQUE key lets one worker of many run it."""

    __tablename__ = "periodic_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    #: Start of the schedule slot this run covers.
    slot: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    claimed_by: Mapped[str] = mapped_column(String(120))

    __table_args__ = (UniqueConstraint("name", "slot"),)


class CalendarDay(db.Model):
    """A day an admin marks against the usual calendar: a make-up working day or an extra day off."""

    __tablename__ = "calendar_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    #: True for a make-up working day (ngày làm bù), False for an extra day off.
    is_working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")
