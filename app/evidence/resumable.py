"""Resumable uploads (tus): a file sent in pieces, kept between pieces, made evidence when its last byte arrives.

Each upload is a row that every worker on every machine sees, and its bytes so far are kept where the evidence store
is, so that every machine finds them: on a local store, a file under STORAGE_DIR/partial/; on an object store, one
object per piece, ``partial/<upload id>/<offset>``, joined into a local temporary file when the last one arrives.
A piece first travels into a spool file of its own with
no lock held, since a phone on a weak line may take minutes over it; it is then appended under the row's lock
(SELECT … FOR UPDATE on PostgreSQL; SQLite has one writer at a time), where the offset is checked again, so two
pieces sent at once never both land at the same place.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import delete, select

from app.core import clock, storage
from app.core.errors import Conflict, DomainError
from app.evidence.models import ResumableUpload

# The same checks and words as an upload in one request: the name's type, the size limit.
from app.evidence.services import UploadRefused, _check_extension, _extension, _megabytes, safe_display_name
from app.extensions import db

#: An upload's id: 160 random bits in hex, so that an address cannot be guessed.
UPLOAD_ID = re.compile(r"[0-9a-f]{40}")
PARTIAL = "partial"
COPY_CHUNK = 1024 * 1024
GONE = ("Không tìm thấy lượt tải lên này (đã xong, đã hết hạn hoặc không phải của bạn). "
        "Vui lòng chọn tệp và tải lên lại từ đầu.")


class UploadNotFound(DomainError):
    """No live upload of this user on this task has that id."""

    status = 404


def partial_folder() -> Path:
    """Where the bytes of uploads not yet complete are kept (created on first use)."""
    folder = storage.root() / PARTIAL
    folder.mkdir(exist_ok=True)
    return folder


def create(task, user, filename: str, length: int, max_bytes: int) -> ResumableUpload:
    """Begin an upload of `length` bytes on a task the user works; the caller commits.

    Refused before any byte travels: an empty file, one over the limit, a name of a type not taken.
    """
    if length == 0:
        raise UploadRefused("Tệp rỗng (0 byte): không có nội dung. Vui lòng chọn lại tệp.", 422)
    if length > max_bytes:
        raise UploadRefused(f"Tệp vượt quá dung lượng cho phép ({_megabytes(max_bytes)} MB).", 413)
    display = safe_display_name(filename)
    _check_extension(_extension(display))
    now = clock.now()
    upload = ResumableUpload(id=secrets.token_hex(20), task_id=task.id, user_id=user.id, filename=display,
                             upload_length=length, upload_offset=0, created_at=now,
                             expires_at=now + timedelta(hours=current_app.config["UPLOAD_EXPIRY_HOURS"]))
    db.session.add(upload)
    db.session.flush()
    return upload


def find(task, user, upload_id: str) -> ResumableUpload:
    """The user's own live upload on this task; any other id (another's, an expired one) is a 404."""
    upload = None
    if UPLOAD_ID.fullmatch(upload_id or ""):
        upload = db.session.scalar(select(ResumableUpload).where(
            ResumableUpload.id == upload_id, ResumableUpload.task_id == task.id,
            ResumableUpload.user_id == user.id, ResumableUpload.expires_at > clock.now()))
    # A row whose bytes are not on disk (a database restored without them) cannot be continued either.
    if upload is None or (0 < upload.upload_offset < upload.upload_length and not _has_bytes(upload.id)):
        raise UploadNotFound(GONE)
    return upload


def receive(upload: ResumableUpload, offset: int, chunks: Iterable[bytes], finish: Callable[[BinaryIO, str], object],
            declared: int | None = None) -> int:
    """Add the piece sent from `offset` and return the bytes now held. The last byte hands the whole file to
    `finish(stream, filename)`, which makes it the task's evidence or refuses it (then the upload is gone).

    A piece cut off midway keeps what arrived. Commits: the piece travels with no lock held, then is appended
    under the row's lock.
    """
    _check_offset(upload, offset)
    if _whole(upload):
        return upload.upload_length
    upload_id, room = upload.id, upload.upload_length - offset
    if declared is not None and declared > room:
        raise _too_long()
    db.session.commit()  # no lock (SQLite's write lock, a PostgreSQL snapshot) is held while the bytes travel
    spool = _spool(upload_id, chunks, room)
    try:
        return _append(upload_id, offset, spool, finish)
    finally:
        spool.unlink(missing_ok=True)


def purge_expired() -> int:
    """Delete the uploads whose time ran out, with their bytes, and partial files no upload owns any more.

    Commits first, so that a file goes only once its row is gone. Returns the number of uploads deleted.
    """
    expired = db.session.scalars(select(ResumableUpload.id).where(ResumableUpload.expires_at <= clock.now())).all()
    if expired:
        db.session.execute(delete(ResumableUpload).where(ResumableUpload.id.in_(expired)))
    db.session.commit()
    for upload_id in expired:
        _drop_bytes(upload_id)
    _delete_strays()
    return len(expired)


def _bytes_of(upload_id: str) -> Path:
    return partial_folder() / upload_id


def _objects():
    """The object store the pieces go to, or None when the store is a local directory."""
    store = storage.current_store()
    return None if store.is_local else store.objects


def _pieces(objects, upload_id: str) -> list[tuple[int, str, int]]:
    """(offset, key, size) of an upload's pieces on the object store, in order."""
    return sorted((int(name.rpartition("/")[2]), name, size)
                  for name, size, _ in objects.listing(f"{PARTIAL}/{upload_id}/"))


def _has_bytes(upload_id: str) -> bool:
    objects = _objects()
    return _bytes_of(upload_id).is_file() if objects is None else bool(_pieces(objects, upload_id))


def _drop_bytes(upload_id: str) -> None:
    objects = _objects()
    if objects is None:
        _bytes_of(upload_id).unlink(missing_ok=True)
    else:
        objects.remove([key for _, key, _ in _pieces(objects, upload_id)])


def _whole(upload: ResumableUpload) -> bool:
    return upload.upload_offset == upload.upload_length


def _check_offset(upload: ResumableUpload, offset: int) -> None:
    if offset != upload.upload_offset:
        raise Conflict(f"Vị trí gửi tiếp ({offset}) khác số byte máy chủ đã nhận ({upload.upload_offset}): "
                       "hỏi lại máy chủ đã nhận đến đâu rồi gửi tiếp từ đó.")


def _too_long() -> UploadRefused:
    return UploadRefused("Phần gửi tiếp dài hơn phần còn lại của tệp đã khai báo (Upload-Length).", 413)


def _temp_folder() -> Path:
    """Local disk for the pieces on their way to an object store, and for the file they are joined into."""
    folder = storage.current_store().temp_dir
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _spool(upload_id: str, chunks: Iterable[bytes], room: int) -> Path:
    """Write a piece to a file of its own as it arrives; a piece longer than the rest of the file is refused."""
    objects = _objects()
    folder = partial_folder() if objects is None else _temp_folder()
    spool = folder / f"{upload_id}.{secrets.token_hex(8)}.in"
    size = 0
    try:
        with open(spool, "wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > room:
                    raise _too_long()
                handle.write(chunk)
    except BaseException:
        spool.unlink(missing_ok=True)
        raise
    return spool


def _append(upload_id: str, offset: int, spool: Path, finish) -> int:
    """Under the row's lock: check the offset again, write the piece at it, and complete the file if it is whole."""
    upload = db.session.scalar(select(ResumableUpload).where(ResumableUpload.id == upload_id)
                               .with_for_update().execution_options(populate_existing=True))
    if upload is None:  # purged meanwhile
        raise UploadNotFound(GONE)
    _check_offset(upload, offset)
    if _whole(upload):  # completed by a piece sent at the same time
        return upload.upload_length
    size = spool.stat().st_size
    objects = _objects()
    if objects is None:
        fd = os.open(_bytes_of(upload_id), os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+b") as whole, open(spool, "rb") as piece:
            whole.truncate(offset)  # bytes past the offset were written by a piece whose commit never came
            whole.seek(offset)
            shutil.copyfileobj(piece, whole, COPY_CHUNK)
            whole.flush()
            os.fsync(whole.fileno())
    else:
        # Pieces from the offset on were written by a piece whose commit never came.
        objects.remove([key for start, key, _ in _pieces(objects, upload_id) if start >= offset])
        objects.upload(f"{PARTIAL}/{upload_id}/{offset:015d}", spool, content_type="application/octet-stream")
    upload.upload_offset = offset + size
    if upload.upload_offset < upload.upload_length:
        db.session.commit()
        return upload.upload_offset
    _complete(upload, finish)
    return offset + size


def _complete(upload: ResumableUpload, finish) -> None:
    """Hand the whole file over: taken, it is evidence and its bytes go (the row stays, whole, until it expires, so
    that a client whose last answer was lost asks and learns it is done, and sends nothing twice); refused,
    nothing of it is kept."""
    upload_id = upload.id
    try:
        with _whole_file(upload) as stream:
            finish(stream, upload.filename)
        db.session.commit()
    except DomainError:
        db.session.rollback()  # the store deletes the file it wrote for a refused upload
        _discard(upload_id)
        raise
    _drop_bytes(upload_id)


def _whole_file(upload: ResumableUpload) -> BinaryIO:
    """The upload's bytes as one local file open for reading: the partial file itself on a local store; its pieces
    joined into a temporary file (deleted when closed) on an object store."""
    objects = _objects()
    if objects is None:
        return open(_bytes_of(upload.id), "rb")
    whole = storage.current_store().temp_file(prefix=".tus-")
    try:
        for start, key, _ in _pieces(objects, upload.id):
            if start != whole.tell():  # a gap: the pieces do not make the file the offset says is here
                raise UploadNotFound(GONE)
            body = objects.get(key)["Body"]
            for block in body.iter_chunks(COPY_CHUNK):
                whole.write(block)
        if whole.tell() != upload.upload_length:
            raise UploadNotFound(GONE)
        whole.seek(0)
    except BaseException:
        whole.close()
        raise
    return whole


def _discard(upload_id: str) -> None:
    db.session.execute(delete(ResumableUpload).where(ResumableUpload.id == upload_id))
    db.session.commit()
    _drop_bytes(upload_id)


def _delete_strays() -> None:
    """Delete the partial files no upload owns that nobody wrote for a whole expiry period: a piece's spool left by
    a worker killed mid-piece, the bytes of an upload whose task was deleted."""
    # Files age in real time, whatever the app's clock says.
    cutoff = time.time() - current_app.config["UPLOAD_EXPIRY_HOURS"] * 3600
    objects = _objects()
    if objects is not None:
        _delete_stray_pieces(objects, cutoff)
        return
    with os.scandir(partial_folder()) as entries:
        old = [entry for entry in entries
               if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff]
    if not old:
        return
    live = set(db.session.scalars(select(ResumableUpload.id)))  # read after the listing: a row comes before its file
    for entry in old:
        if entry.name not in live:
            Path(entry.path).unlink(missing_ok=True)


def _delete_stray_pieces(objects, cutoff: float) -> None:
    """The same on an object store: the pieces, older than the cutoff, of uploads no row owns."""
    old = [(key, key.split("/")[1]) for key, _, modified in objects.listing(f"{PARTIAL}/")
           if modified.timestamp() < cutoff]
    if not old:
        return
    live = set(db.session.scalars(select(ResumableUpload.id)))
    objects.remove([key for key, upload_id in old if upload_id not in live])
