"""Monthly online-service figures of a unit, and the issuing office's targets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.types import UTCDateTime
from app.extensions import db


class Target(db.Model):
    """The online rate an issuing unit expects of the units below it for a month."""

    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    #: ``YYYY-MM``.
    period: Mapped[str] = mapped_column(String(7))
    #: (level 3 + level 4) / total, as a fraction: 0.1 is 10 %.
    rate: Mapped[float] = mapped_column(Float)
    level3_rate: Mapped[float | None] = mapped_column(Float)
    level4_rate: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (UniqueConstraint("issuer_unit_id", "period"),)


class MonthlyFigures(db.Model):
    """Dossiers of one unit in one month, from its figures report or the one-stop software's export."""

    __tablename__ = "monthly_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    total: Mapped[int] = mapped_column(Integer)
    #: Received online at level 3 (một phần) and level 4 (toàn trình).
    online_level3: Mapped[int] = mapped_column(Integer)
    online_level4: Mapped[int] = mapped_column(Integer)
    settled_online: Mapped[int] = mapped_column(Integer)
    #: ``task`` (the unit's report) or ``import`` (the software's export).
    source: Mapped[str] = mapped_column(String(10), default="task")
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    __table_args__ = (UniqueConstraint("unit_id", "period"),)

    @property
    def rate(self) -> float | None:
        """Online share of the dossiers received; None when there were none."""
        return online_rate(self.total, self.online_level3, self.online_level4)


def online_rate(total: int, level3: int, level4: int) -> float | None:
    """(level 3 + level 4) / total, or None when total is 0."""
    return (level3 + level4) / total if total else None
