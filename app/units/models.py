"""Units of local government, in a tree that is data, not code."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import one_of
from app.core.search import keep_folded
from app.extensions import db

#: Kinds a unit may be; the labels are what pages show.
UNIT_KINDS = {
    "province": "Tỉnh / thành phố",
    "department": "Sở, ngành",
    "district": "Huyện",
    "commune": "Xã",
    "ward": "Phường",
    "town": "Thị trấn",
    "special_zone": "Đặc khu",
}
#: Kinds at the commune level: their users see their own unit only.
COMMUNE_LEVEL = frozenset({"commune", "ward", "town", "special_zone"})


class Unit(db.Model):
    """A province, department, district or commune-level unit."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable short name used in logins and imports, e.g. ``tai-son``.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    #: Materialised path of ids, ``/1/7/``: the subtree is one prefix match.
    path: Mapped[str] = mapped_column(String(400), default="/")
    #: Who chairs the unit and its Party committee, for letters and notices.
    chair_name: Mapped[str | None] = mapped_column(String(120))
    #: The name folded (app.core.search): "tai son" finds "Xã Tái Sơn" on any database; kept in step with it.
    search_name: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: Set when the unit was merged (sáp nhập) into another: from `merged_on` it is history, read-only.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    merged_on: Mapped[date | None] = mapped_column(Date)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    merged_into: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[merged_into_id])

    __table_args__ = (Index("ix_units_path", "path"), one_of("kind", UNIT_KINDS))

    @property
    def is_commune_level(self) -> bool:
        """True for xã, phường, thị trấn, đặc khu."""
        return self.kind in COMMUNE_LEVEL

    @property
    def kind_label(self) -> str:
        """The kind in Vietnamese."""
        return UNIT_KINDS.get(self.kind, self.kind)

    @property
    def merged_label(self) -> str:
        """"Đã sáp nhập vào Xã Tân Kỳ từ 01/07/2025", or "" for a unit that stands."""
        if self.merged_into_id is None:
            return ""
        return f"Đã sáp nhập vào {self.merged_into.name} từ {self.merged_on:%d/%m/%Y}"

    def __repr__(self) -> str:
        return f"<Unit {self.slug}>"


keep_folded(Unit, "search_name", "name")


class UnitGroup(db.Model):
    """A named list of units an office saves to give tasks to again (e.g. "9 xã chậm")."""

    __tablename__ = "unit_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The unit whose office owns the group; only units below it may be members.
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    unit_ids: Mapped[list] = mapped_column(JSON, default=list)

    #: Saving under a taken name replaces that group (save_group); two of one name could not be told apart.
    __table_args__ = (UniqueConstraint("owner_unit_id", "name"),)
