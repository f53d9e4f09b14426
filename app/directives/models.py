"""Directives (văn bản chỉ đạo), their requirements and references."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.models import one_of
from app.core.search import keep_folded
from app.core.types import UTCDateTime
from app.extensions import db
from app.units.models import Unit

DIRECTIVE_STATES = {"draft": "Dự thảo", "published": "Đã ban hành", "closed": "Đã kết thúc"}
#: What a requirement asks of a unit; decides the form the unit fills.
REQUIREMENT_KINDS = {
    "action": "Tổ chức thực hiện",
    "figures": "Báo cáo số liệu",
    "inventory": "Rà soát, kiểm kê",
    "written_report": "Báo cáo bằng văn bản",
}

#: Units that co-operate (phối hợp) on a requirement, beside its lead unit (chủ trì).
requirement_cooperating_units = Table(
    "requirement_cooperating_units",
    db.metadata,
    Column("requirement_id", Integer, ForeignKey("requirements.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)


class Directive(db.Model):
    """A dispatch from an issuing unit to units below it: draft, published, closed."""

    __tablename__ = "directives"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    #: Số ký hiệu as written, e.g. ``479/UBND-VP``; null while the office has not numbered it.
    number: Mapped[str | None] = mapped_column(String(80), index=True)
    issued_on: Mapped[date | None] = mapped_column(Date)
    #: Issuing body as printed in the header, e.g. "UBND huyện Tứ Kỳ".
    issuer_name: Mapped[str | None] = mapped_column(String(200))
    place: Mapped[str | None] = mapped_column(String(120))
    signer_name: Mapped[str | None] = mapped_column(String(120))
    signer_title: Mapped[str | None] = mapped_column(String(120))
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    addressees: Mapped[list] = mapped_column(JSON, default=list)
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    #: Units the text names one by one: ``[{"name", "unit_id"}]``.
    named_units: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    #: The uploaded original, stored under a generated name; its name as given.
    source_filename: Mapped[str | None] = mapped_column(String(300))
    source_stored_name: Mapped[str | None] = mapped_column(String(80))
    #: True when the text was read by OCR from a scan.
    read_by_ocr: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The source PDF's digital signatures as verified on intake (app.evidence.trust); [] for none.
    signatures: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    #: The directive this one follows up, when drafted from it.
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("directives.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: Number and subject folded (search_keys), one per line: "ve sinh" finds "vệ sinh"; kept in step on flush.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    issuer: Mapped[Unit] = relationship()
    requirements: Mapped[list[Requirement]] = relationship(
        back_populates="directive", order_by="Requirement.position", cascade="all, delete-orphan"
    )
    references: Mapped[list[DirectiveReference]] = relationship(
        back_populates="directive",
        order_by="DirectiveReference.position",
        cascade="all, delete-orphan",
        foreign_keys="DirectiveReference.directive_id",
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (one_of("state", DIRECTIVE_STATES),)

    @property
    def state_label(self) -> str:
        """The state in Vietnamese."""
        return DIRECTIVE_STATES.get(self.state, self.state)


keep_folded(Directive, "search_text", "number", "subject")


class DirectiveReference(db.Model):
    """A document the directive cites by number and date, linked when on file."""

    __tablename__ = "directive_references"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    number: Mapped[str] = mapped_column(String(80))
    issued_on: Mapped[date | None] = mapped_column(Date)
    #: The cited directive when it is on file.
    target_id: Mapped[int | None] = mapped_column(ForeignKey("directives.id", ondelete="SET NULL"))

    directive: Mapped[Directive] = relationship(back_populates="references", foreign_keys=[directive_id])


class Requirement(db.Model):
    """One numbered (or unnumbered) requirement of a directive."""

    __tablename__ = "requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: The label as written: ``1``, ``a``, ``-``; null for an unnumbered paragraph.
    label: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default="action")
    #: Deadline rule as in CONTRACT.md: ``{"kind": "date", ...}``, relative or recurring.
    deadline: Mapped[dict | None] = mapped_column(JSON)
    #: What evidence the unit should attach, in the office's words.
    evidence_wanted: Mapped[str | None] = mapped_column(Text)
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))

    directive: Mapped[Directive] = relationship(back_populates="requirements")
    lead_unit: Mapped[Unit | None] = relationship()
    cooperating_units: Mapped[list[Unit]] = relationship(secondary=requirement_cooperating_units)

    __table_args__ = (one_of("kind", REQUIREMENT_KINDS),)

    @property
    def kind_label(self) -> str:
        """The kind in Vietnamese."""
        return REQUIREMENT_KINDS.get(self.kind, self.kind)


#: The units a directive guidance went to.
directive_guidance_units = Table(
    "directive_guidance_units",
    db.metadata,
    Column("guidance_id", Integer, ForeignKey("directive_guidance.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)


class DirectiveGuidance(db.Model):
    """A leader's instruction (ý kiến chỉ đạo) on a whole directive, sent to some of its units."""

    __tablename__ = "directive_guidance"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    #: True when it went to the units overdue at the time, False for units chosen one by one.
    to_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Idempotency key (directive, author, the form's token): a form sent twice gives guidance once.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    author = relationship("User")
    units: Mapped[list[Unit]] = relationship(secondary=directive_guidance_units, order_by=Unit.name)
