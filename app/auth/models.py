"""Users, their roles and API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.models import one_of
from app.core.search import keep_folded
from app.core.types import UTCDateTime
from app.extensions import db
from app.units.models import Unit

#: Roles (DOMAIN.md) and how pages name them.
ROLES = {
    "admin": "Quản trị hệ thống",
    "district_office": "Văn phòng (cấp giao việc)",
    "district_leader": "Lãnh đạo (cấp giao việc)",
    "unit_chair": "Chủ tịch UBND xã",
    "unit_staff": "Công chức xã",
    "observer": "Bí thư Đảng ủy (theo dõi)",
}
#: Roles that belong to an issuing unit and see its whole subtree.
OVERSEER_ROLES = frozenset({"district_office", "district_leader"})
#: Roles that belong to one commune and see only it.
COMMUNE_ROLES = frozenset({"unit_chair", "unit_staff", "observer"})


def new_alt_id() -> str:
    """A fresh session identifier; rotating it invalidates every copied cookie."""
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    """A person who logs in: belongs to one unit, holds one role."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str | None] = mapped_column(String(200))
    #: Chức vụ as printed in letters, e.g. "Chủ tịch UBND xã".
    position: Mapped[str | None] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(30))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    #: scrypt hash from werkzeug; never the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Made by `flask seed demo`: refused at log-in and token issue in production, wherever the database came from.
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: What the session cookie carries instead of the id (Flask-Login alternative id).
    alt_id: Mapped[str] = mapped_column(String(64), unique=True, default=new_alt_id)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    #: Username, full name and e-mail folded (search_keys), one per line, for the admin's search; kept in step.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    unit: Mapped[Unit] = relationship(lazy="joined")

    __table_args__ = (one_of("role", ROLES),)

    def get_id(self) -> str:
        """Flask-Login stores this in the session: the rotating alternative id."""
        return self.alt_id

    @property
    def is_active(self) -> bool:
        """Disabled users are logged out on their next request."""
        return self.active

    @property
    def role_label(self) -> str:
        """The role in Vietnamese."""
        return ROLES.get(self.role, self.role)

    @property
    def is_commune_user(self) -> bool:
        """True for the chair, staff and Party secretary of one commune."""
        return self.role in COMMUNE_ROLES

    def __repr__(self) -> str:
        return f"<User {self.username}>"


keep_folded(User, "search_text", "username", "full_name", "email")


class ApiToken(db.Model):
    """A bearer token for the API, stored as a SHA-256 digest, expiring."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: What the holder called it ("Phần mềm báo cáo tỉnh"), so a list of tokens says which is which.
    label: Mapped[str] = mapped_column(String(80), default="", server_default="")
    #: The token's first characters: enough to recognise it, useless to use it.
    hint: Mapped[str] = mapped_column(String(8), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
