"""Stored files (evidence, directive sources) under generated names, in one of two backends chosen by STORAGE_URL:

* unset or ``file:///path``: a local directory (STORAGE_DIR when unset), written atomically, as on one machine;
* ``s3://bucket/prefix``: an S3-compatible object store (`app.core.object_store`), shared by every web machine,
  with S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION from the configuration.

The module's functions act on the configured store (`current_store`); `store_for(url)` gives another one (a
restore, a migration). Incoming files are always staged on local disk first (the store's own disk for a local
store, so that adopting one is a hard link; UPLOAD_TMP_DIR for an object store, then uploaded).

A file written during a transaction that rolls back (or ends without a commit, as when a request's session is
closed) is deleted, from whichever store it went to, so the store never keeps a file without its row.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, has_app_context, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

log = logging.getLogger(__name__)

_WRITTEN = "written_files"
_DOOMED = "files_to_delete"
_NAME_OK = set("abcdefghijklmnopqrstuvwxyz0123456789.")
BLOCK = 1024 * 1024
_STORES: dict[tuple, object] = {}


class Damaged(OSError):
    """Stored bytes that do not match the SHA-256 they were stored with (or the one their row records)."""


def _checked_name(stored_name: str) -> str:
    """The name itself if it is one of ours; names that are not (``../x``, ``.part``) are refused."""
    if not stored_name or not set(stored_name) <= _NAME_OK or stored_name.startswith("."):
        raise FileNotFoundError(stored_name)
    return stored_name


def _new_name(suffix: str = "") -> str:
    return secrets.token_hex(16) + (suffix if set(suffix) <= _NAME_OK else "")


@dataclass(frozen=True)
class Staged:
    """A file already on local disk, hashed while it was written (an upload the form parser received)."""

    path: Path
    sha256: str
    size: int


class Checked:
    """A stored file read through its SHA-256: the last byte is given only once the whole digest matches, so a
    damaged file ends in `Damaged` (a broken download), never as a complete one. A context manager."""

    def __init__(self, raw, expected: str, label: str, size: int | None = None, last_modified=None,
                 etag: str | None = None):
        self._raw, self._expected, self._label = raw, expected, label
        self._digest = hashlib.sha256()
        self._buffer, self._position, self._ended = b"", 0, False
        self.size, self.last_modified, self.etag = size, last_modified, etag

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (all that is left if negative)."""
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(BLOCK), b""))
        # Keep more than `size` bytes buffered until the raw stream ends: its last byte waits for the check.
        while not self._ended and len(self._buffer) - self._position <= size:
            block = self._raw.read(BLOCK)
            if not block:
                self._ended = True
                self._check()
                break
            self._digest.update(block)
            self._buffer, self._position = self._buffer[self._position:] + block, 0
        piece = self._buffer[self._position:self._position + size]
        self._position += len(piece)
        return piece

    def _check(self) -> None:
        if self._digest.hexdigest() != self._expected:
            log.error("stored file %s does not match its SHA-256: download stopped", self._label)
            raise Damaged(f"{self._label}: SHA-256 mismatch")

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        """Let go of the underlying stream."""
        self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Store:
    """What both backends offer, the module's functions acting on one store (`store_for`, `current_store`)."""

    url: str
    is_local: bool

    def save(self, data: bytes | None = None, *, chunks=None, suffix: str = "", verify=None) -> tuple[str, int]:
        """See the module's `save`."""
        name, size = self._save([data] if data is not None else chunks, suffix, verify)
        _remember(_WRITTEN, self, name)
        return name, size

    def adopt(self, staged: Staged, verify=None) -> tuple[str, int]:
        """See the module's `adopt`."""
        if verify is not None:
            verify(staged.path)
        name = self._adopt(staged)
        _remember(_WRITTEN, self, name)
        return name, staged.size

    def delete_after_commit(self, stored_name: str) -> None:
        """See the module's `delete_after_commit`."""
        _remember(_DOOMED, self, _checked_name(stored_name))


class LocalStore(Store):
    """Files in a local directory, written atomically (a temp file renamed once complete and flushed)."""

    is_local = True

    def __init__(self, folder: str | Path):
        self.folder = Path(folder).absolute()
        self.url = self.folder.as_uri()

    def root(self) -> Path:
        """The directory (created on first use)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder

    def local_path(self, stored_name: str) -> Path:
        """The path of a stored file (it may be missing)."""
        return self.root() / _checked_name(stored_name)

    def _save(self, chunks, suffix: str, verify) -> tuple[str, int]:
        """Write chunks to a new file; see `save`."""
        name = _new_name(suffix)
        final = self.root() / name
        temp = final.with_name(f".{name}.part")
        size = 0
        try:
            with open(temp, "wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
                    size += len(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            if verify is not None:
                verify(temp)
            os.replace(temp, final)
        finally:
            temp.unlink(missing_ok=True)
        return name, size

    def incoming_folder(self) -> Path:
        """Where incoming files are staged: on the store's own disk, so that adopting one is a hard link."""
        folder = self.root() / ".incoming"
        folder.mkdir(exist_ok=True)
        return folder

    def incoming_file(self):
        """A temporary file in `incoming_folder`, deleted when closed."""
        return tempfile.NamedTemporaryFile(dir=self.incoming_folder(), prefix=".up-")

    def _adopt(self, staged: Staged) -> str:
        """Keep a staged file under a new name: a hard link, flushed to disk first."""
        name = _new_name()
        descriptor = os.open(staged.path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.link(staged.path, self.root() / name)
        return name

    def put(self, stored_name: str, source_path: Path) -> None:
        """Copy a local file in under this exact name (a temp file renamed once flushed)."""
        final = self.local_path(stored_name)
        temp = final.with_name(f".{stored_name}.{secrets.token_hex(4)}.part")
        try:
            with open(source_path, "rb") as source, open(temp, "wb") as target:
                while block := source.read(BLOCK):
                    target.write(block)
                target.flush()
                os.fsync(target.fileno())
            os.replace(temp, final)
        finally:
            temp.unlink(missing_ok=True)

    def delete(self, stored_name: str) -> None:
        """Remove a stored file if it is there."""
        self.local_path(stored_name).unlink(missing_ok=True)

    def open_stored(self, stored_name: str, expect_sha256: str | None = None):
        """The file opened for reading, checked against `expect_sha256` if given."""
        handle = open(self.local_path(stored_name), "rb")
        return handle if expect_sha256 is None else Checked(handle, expect_sha256, stored_name)

    def size_of(self, stored_name: str) -> int:
        """The file's size in bytes (FileNotFoundError if missing)."""
        return self.local_path(stored_name).stat().st_size

    def exists(self, stored_name: str) -> bool:
        """Whether a file of that name is stored."""
        try:
            return self.local_path(stored_name).is_file()
        except FileNotFoundError:
            return False

    def stored_names(self) -> Iterator[str]:
        """Every stored file's name (not the hidden temp files, nor the folders of incoming and partial files)."""
        with os.scandir(self.root()) as entries:
            names = [entry.name for entry in entries if entry.is_file(follow_symlinks=False)]
        yield from (name for name in names if not name.startswith(".") and set(name) <= _NAME_OK)


class S3Store(Store):
    """Files as objects of an S3-compatible store; staged and checked on local disk, then streamed up."""

    is_local = False

    def __init__(self, objects, temp_dir: str | Path):
        self.objects = objects  # an app.core.object_store.ObjectStore
        self.url = objects.url
        self.temp_dir = Path(temp_dir)

    def local_path(self, stored_name: str) -> None:
        """None: the files are not on this machine."""
        _checked_name(stored_name)
        return None

    def incoming_folder(self) -> Path:
        """Where incoming files are staged on this machine (UPLOAD_TMP_DIR) before they are uploaded."""
        self.temp_dir.mkdir(parents=True, exist_ok=True)
        return self.temp_dir

    def temp_file(self, **options):
        """A local temporary file (UPLOAD_TMP_DIR), deleted when closed."""
        return tempfile.NamedTemporaryFile(dir=self.incoming_folder(), **options)

    def _save(self, chunks, suffix: str, verify) -> tuple[str, int]:
        """Write chunks to a local temp file (hashing them), check it, then upload it; see `save`."""
        name = _new_name(suffix)
        digest, size = hashlib.sha256(), 0
        with self.temp_file(prefix=".save-") as handle:
            for chunk in chunks:
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            handle.flush()
            if verify is not None:
                verify(Path(handle.name))
            self.objects.upload(name, Path(handle.name), digest.hexdigest())
        return name, size

    def incoming_file(self):
        """A temporary file on local disk, uploaded when adopted."""
        return self.temp_file(prefix=".up-")

    def _adopt(self, staged: Staged) -> str:
        """Upload a staged file under a new name, with the digest computed as it arrived."""
        name = _new_name()
        self.objects.upload(name, staged.path, staged.sha256)
        return name

    def put(self, stored_name: str, source_path: Path) -> None:
        """Upload a local file under this exact name."""
        self.objects.upload(_checked_name(stored_name), Path(source_path))

    def delete(self, stored_name: str) -> None:
        """Remove a stored object if it is there."""
        self.objects.remove([_checked_name(stored_name)])

    def open_stored(self, stored_name: str, expect_sha256: str | None = None) -> Checked:
        """The object, streamed and checked against its recorded SHA-256 (and `expect_sha256` if given: a
        recorded digest that differs from it is refused at once)."""
        answer = self.objects.get(_checked_name(stored_name))
        recorded = answer.get("Metadata", {}).get("sha256")
        expected = expect_sha256 or recorded
        if expected is None:  # an object put there by other means: nothing to check it against
            log.warning("stored object %s has no sha256 metadata", stored_name)
            answer["Body"].close()
            raise Damaged(f"{stored_name}: no SHA-256 recorded")
        if recorded is not None and recorded != expected:
            answer["Body"].close()
            log.error("stored object %s: recorded SHA-256 differs from the expected one", stored_name)
            raise Damaged(f"{stored_name}: SHA-256 mismatch")
        return Checked(answer["Body"], expected, stored_name, size=answer["ContentLength"],
                       last_modified=answer.get("LastModified"), etag=answer.get("ETag", "").strip('"') or None)

    def size_of(self, stored_name: str) -> int:
        """The object's size in bytes (FileNotFoundError if missing)."""
        head = self.objects.head(_checked_name(stored_name))
        if head is None:
            raise FileNotFoundError(stored_name)
        return head["ContentLength"]

    def exists(self, stored_name: str) -> bool:
        """Whether an object of that name is stored."""
        try:
            return self.objects.head(_checked_name(stored_name)) is not None
        except FileNotFoundError:
            return False

    def stored_names(self) -> Iterator[str]:
        """Every stored file's name (the pieces of resumable uploads, under partial/, are not listed)."""
        for name, _, _ in self.objects.listing(top_only=True):
            if set(name) <= _NAME_OK and not name.startswith("."):
                yield name


def _setting(key: str, default=None):
    if has_app_context() and current_app.config.get(key) is not None:
        return current_app.config[key]
    return os.environ.get(key, default)


def store_for(url: str):
    """The store a URL names: ``file:///path`` or ``s3://bucket/prefix`` (with the S3 settings of the app or the
    environment). Stores are kept per process, since a boto3 client is costly to build and thread-safe."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        key = ("file", parts.path)
    elif parts.scheme == "s3":
        key = ("s3", url, _setting("S3_ENDPOINT_URL"), _setting("AWS_ACCESS_KEY_ID"),
               _setting("AWS_SECRET_ACCESS_KEY"), _setting("AWS_REGION", "us-east-1"), _upload_tmp_dir())
    else:
        raise ValueError(f"STORAGE_URL: unknown scheme in {url!r} (file:///path or s3://bucket/prefix)")
    store = _STORES.get(key)
    if store is None:
        if parts.scheme == "file":
            store = LocalStore(parts.path)
        else:
            from app.core.object_store import ObjectStore  # boto3 is imported only by the deployments that use it

            store = S3Store(ObjectStore(url, parts.netloc, parts.path, endpoint_url=key[2], access_key=key[3],
                                        secret_key=key[4], region=key[5]), key[6])
        _STORES[key] = store
    return store


def _upload_tmp_dir() -> str:
    configured = _setting("UPLOAD_TMP_DIR")
    if configured:
        return str(configured)
    return str(Path(current_app.instance_path) / "tmp") if has_app_context() else tempfile.gettempdir()


def current_store():
    """The configured store: STORAGE_URL, or the local directory STORAGE_DIR when it is unset."""
    url = current_app.config.get("STORAGE_URL")
    return store_for(url or Path(current_app.config["STORAGE_DIR"]).absolute().as_uri())


def root() -> Path:
    """The local store's directory (local-only code: backups of a local store)."""
    store = current_store()
    if not store.is_local:
        raise RuntimeError("the store is not a local directory")
    return store.root()


def path_of(stored_name: str) -> Path:
    """The path of a file of the local store; names that are not ours (``../x``) are refused (local-only code)."""
    return root() / _checked_name(stored_name)


def local_path(stored_name: str) -> Path | None:
    """The stored file's path when the store is a local directory (to send it with ranges), else None."""
    return current_store().local_path(stored_name)


def _remember(kind: str, store, name: str) -> None:
    session = db.session()
    if not session.in_transaction():
        session.begin()  # no SQL yet: it only gives the file a transaction whose end is seen below
    session.info.setdefault(kind, []).append((store, name))


def save(data: bytes | None = None, *, chunks=None, suffix: str = "", verify=None) -> tuple[str, int]:
    """Write bytes (or an iterable of chunks) to a new stored file; returns its generated name and size.

    An exception from ``chunks`` (a size limit) or from ``verify(temp_path)`` (a content check on the complete
    file) leaves nothing behind, not even the temp file.
    """
    return current_store().save(data, chunks=chunks, suffix=suffix, verify=verify)


def incoming_file():
    """A temporary file on local disk, deleted when closed, for a received upload the store can then adopt (with a
    hard link on a local store)."""
    return current_store().incoming_file()


def incoming_folder() -> Path:
    """The local folder where incoming files are staged (STORAGE_DIR/.incoming, or UPLOAD_TMP_DIR)."""
    return current_store().incoming_folder()


def adopt(staged: Staged, verify=None) -> tuple[str, int]:
    """Keep a staged file under a new generated name; returns name and size.

    As with `save`, a rollback deletes it, and ``verify(path)`` refusing leaves nothing behind.
    """
    return current_store().adopt(staged, verify)


def put(stored_name: str, source_path: Path) -> None:
    """Store a local file under this exact name (a restore, a migration), streaming it."""
    current_store().put(stored_name, Path(source_path))


def open_stored(stored_name: str, expect_sha256: str | None = None):
    """The stored file opened for reading (a context manager; streamed from an object store). An object store's
    bytes are checked against their recorded SHA-256, and any store's against `expect_sha256` if given: a
    mismatch raises `Damaged` before the last byte is read."""
    return current_store().open_stored(stored_name, expect_sha256)


def size_of(stored_name: str) -> int:
    """The stored file's size in bytes (FileNotFoundError if it is missing)."""
    return current_store().size_of(stored_name)


def exists(stored_name: str) -> bool:
    """Whether a file of that name is stored."""
    return current_store().exists(stored_name)


def stored_names() -> Iterator[str]:
    """The names of every stored file (not incoming, partial or temporary files)."""
    return current_store().stored_names()


def delete(stored_name: str) -> None:
    """Remove a stored file if it is there."""
    current_store().delete(stored_name)


def delete_after_commit(stored_name: str) -> None:
    """Remove a stored file once the transaction that drops its row commits (kept if it rolls back)."""
    current_store().delete_after_commit(stored_name)


def send(source, *, download_name: str, mimetype: str | None = None, etag: str | None = None):
    """A response sending a stored file as an attachment, with the headers of `flask.send_file`: a local path as
    it is (conditional, with ranges); an object store's checked stream (`open_stored`) whole, conditional on
    `etag` (or the object's), its last bytes withheld if they do not match their SHA-256."""
    if isinstance(source, Path):
        return send_file(source, mimetype=mimetype, as_attachment=True, download_name=download_name, max_age=0)
    response = send_file(source, mimetype=mimetype or "application/octet-stream", as_attachment=True,
                         download_name=download_name, max_age=0, etag=etag or source.etag or False,
                         last_modified=source.last_modified)
    if response.status_code == 200:
        response.content_length = source.size
    else:  # 304: nothing is sent
        source.close()
    return response


def _unlink_all(entries) -> None:
    for store, name in entries:
        try:
            store.delete(name)
        except Exception:  # a failed cleanup must not hide the transaction's own outcome
            log.exception("could not delete stored file %s from %s", name, store.url)


@event.listens_for(Session, "after_commit")
def _keep_files(session: Session) -> None:
    if session.get_nested_transaction() is None:  # not a mere savepoint release
        session.info.pop(_WRITTEN, None)
        _unlink_all(session.info.pop(_DOOMED, []))


@event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted_files(session: Session, transaction) -> None:
    # The outermost transaction ended; after a commit the list is already gone.
    # What is left was rolled back or abandoned (Session.close fires no rollback event).
    if transaction.parent is None:
        session.info.pop(_DOOMED, None)
        _unlink_all(session.info.pop(_WRITTEN, []))


@event.listens_for(Session, "after_soft_rollback")
def _drop_files(session: Session, previous) -> None:
    if previous.nested:
        return
    session.info.pop(_DOOMED, None)
    _unlink_all(session.info.pop(_WRITTEN, []))
