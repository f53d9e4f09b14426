"""Evidence files (tài liệu minh chứng) attached to tasks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.types import UTCDateTime
from app.extensions import db


class Evidence(db.Model):
    """An uploaded file: stored under a generated name, its original name kept as data."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    #: The name the user gave, in Vietnamese, shown and sent back on download.
    filename: Mapped[str] = mapped_column(String(300))
    #: Random name inside STORAGE_DIR; never derived from user input.
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(120))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
