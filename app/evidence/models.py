"""Evidence files (tài liệu minh chứng) attached to tasks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, LargeBinary, String
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
    #: The merged unit (sáp nhập) whose task the file was uploaded to.
    from_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    #: A PDF's embedded digital signatures as verified on upload (app.evidence.trust); [] for none.
    signatures: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")


class TrustedRoot(db.Model):
    """A root certificate the admin trusts: a signature chaining to it is "trusted" (issue 19)."""

    __tablename__ = "trusted_roots"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The certificate's subject as people read it ("CN=..., O=...").
    subject: Mapped[str] = mapped_column(String(500))
    #: SHA-256 of the DER, hex: one row per certificate.
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    der: Mapped[bytes] = mapped_column(LargeBinary)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    not_after: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class ResumableUpload(db.Model):
    """A file arriving in pieces (tus): shared by every worker on every machine, its bytes so far in
    STORAGE_DIR/partial/<id>. When the last byte arrives the file becomes evidence and its bytes here go; the row
    stays, whole, until it expires (then a periodic job deletes it, with the bytes of one never completed)."""

    __tablename__ = "resumable_uploads"

    #: Random and unguessable (160 bits, hex): the upload's address names it.
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    #: Only this user may continue it.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(300))
    #: The whole file's size in bytes, as declared at creation (Upload-Length).
    upload_length: Mapped[int] = mapped_column(BigInteger)
    #: The bytes received and kept so far (Upload-Offset).
    upload_offset: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
