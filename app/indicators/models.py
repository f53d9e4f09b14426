"""Monthly online-service figures of a unit, and the issuing office's targets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.models import one_of
from app.core.types import UTCDateTime
from app.extensions import db

#: ``task``: the unit's own report; ``import``: the one-stop software's export; ``merged``: the sum of the
#: figures of the units merged into this one, for the months before the merger (its history stays continuous).
FIGURES_SOURCES = ("task", "import", "merged")


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

    __table_args__ = (
        UniqueConstraint("issuer_unit_id", "period"),
        CheckConstraint("rate BETWEEN 0 AND 1", name="rate"),
        CheckConstraint("level3_rate BETWEEN 0 AND 1", name="level3_rate"),
        CheckConstraint("level4_rate BETWEEN 0 AND 1", name="level4_rate"),
    )


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

    #: The rules of app.indicators.services.check_figures, which words them for people.
    __table_args__ = (
        UniqueConstraint("unit_id", "period"),
        CheckConstraint("total >= 0 AND online_level3 >= 0 AND online_level4 >= 0 AND settled_online >= 0",
                        name="non_negative"),
        # Written as a difference: a sum of two large counts would overflow before it is compared.
        CheckConstraint("online_level3 <= total - online_level4", name="online_within_total"),
        CheckConstraint("settled_online <= total", name="settled_within_total"),
        one_of("source", FIGURES_SOURCES),
    )

    @property
    def rate(self) -> float | None:
        """Online share of the dossiers received; None when there were none."""
        return online_rate(self.total, self.online_level3, self.online_level4)


def online_rate(total: int, level3: int, level4: int) -> float | None:
    """(level 3 + level 4) / total, or None when total is 0."""
    return (level3 + level4) / total if total else None
