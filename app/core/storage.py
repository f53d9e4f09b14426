"""Files on disk under STORAGE_DIR, under generated names, written atomically.

A file written during a transaction that rolls back (or ends without a
commit, as when a request's session is closed) is deleted, so the store never
keeps a file without its row.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

_WRITTEN = "written_files"
_DOOMED = "files_to_delete"
_NAME_OK = set("abcdefghijklmnopqrstuvwxyz0123456789.")


def root() -> Path:
    """The storage directory (created on first use)."""
    path = Path(current_app.config["STORAGE_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(stored_name: str) -> Path:
    """The path of a stored file; names that are not ours (``../x``) are refused."""
    if not stored_name or not set(stored_name) <= _NAME_OK or stored_name.startswith("."):
        raise FileNotFoundError(stored_name)
    return root() / stored_name


def save(data: bytes | None = None, *, chunks=None, suffix: str = "", verify=None) -> tuple[str, int]:
    """Write bytes (or an iterable of chunks) to a new file; returns its generated name and size.

    An exception from ``chunks`` (a size limit) or from ``verify(temp_path)`` (a
    content check on the complete file) leaves nothing behind, not even the temp file.
    """
    name = secrets.token_hex(16) + (suffix if set(suffix) <= _NAME_OK else "")
    final = root() / name
    temp = final.with_name(f".{name}.part")
    size = 0
    try:
        with open(temp, "wb") as handle:
            for chunk in ([data] if data is not None else chunks):
                handle.write(chunk)
                size += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if verify is not None:
            verify(temp)
        os.replace(temp, final)
    finally:
        temp.unlink(missing_ok=True)
    session = db.session()
    if not session.in_transaction():
        session.begin()  # no SQL yet: it only gives the file a transaction whose end is seen below
    session.info.setdefault(_WRITTEN, []).append(final)
    return name, size


@dataclass(frozen=True)
class Staged:
    """A file already on the store's disk, hashed while it was written (an upload the form parser received)."""

    path: Path
    sha256: str
    size: int


def incoming_file():
    """A temporary file on the store's own disk, deleted when closed: a received upload the store can then adopt
    with a hard link instead of copying it."""
    folder = root() / ".incoming"
    folder.mkdir(exist_ok=True)
    return tempfile.NamedTemporaryFile(dir=folder, prefix=".up-")


def adopt(staged: Staged, verify=None) -> tuple[str, int]:
    """Keep a staged file under a new generated name (a hard link, flushed to disk first); returns name and size.

    As with `save`, a rollback deletes it, and ``verify(path)`` refusing leaves nothing behind.
    """
    if verify is not None:
        verify(staged.path)
    name = secrets.token_hex(16)
    final = root() / name
    descriptor = os.open(staged.path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.link(staged.path, final)
    session = db.session()
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_WRITTEN, []).append(final)
    return name, staged.size


def delete(stored_name: str) -> None:
    """Remove a stored file if it is there."""
    path_of(stored_name).unlink(missing_ok=True)


def delete_after_commit(stored_name: str) -> None:
    """Remove a stored file once the transaction that drops its row commits (kept if it rolls back)."""
    session = db.session()
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_DOOMED, []).append(path_of(stored_name))


@event.listens_for(Session, "after_commit")
def _keep_files(session: Session) -> None:
    if session.get_nested_transaction() is None:  # not a mere savepoint release
        session.info.pop(_WRITTEN, None)
        for path in session.info.pop(_DOOMED, []):
            Path(path).unlink(missing_ok=True)


@event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted_files(session: Session, transaction) -> None:
    # The outermost transaction ended; after a commit the list is already gone.
    # What is left was rolled back or abandoned (Session.close fires no rollback event).
    if transaction.parent is None:
        session.info.pop(_DOOMED, None)
        for path in session.info.pop(_WRITTEN, []):
            Path(path).unlink(missing_ok=True)


@event.listens_for(Session, "after_soft_rollback")
def _drop_files(session: Session, previous) -> None:
    if previous.nested:
        return
    session.info.pop(_DOOMED, None)
    for path in session.info.pop(_WRITTEN, []):
        Path(path).unlink(missing_ok=True)
