"""`flask storage migrate --to s3://bucket/prefix`: copy the local store's files into an object store, each one read
back and checked against its SHA-256, resumable, never deleting a local file.

Evidence rows record their file's SHA-256 and size: the local file is checked against them first (a file already
damaged on disk is reported, not copied). A directive's source file has no recorded digest: the bytes read back from
the object store are compared with the local file's own SHA-256. An object already there with the same size whose
recorded and actual SHA-256 are the expected one is skipped, so an interrupted migration is simply run again.
The local files stay where they are: the operator switches STORAGE_URL afterwards.
"""

from __future__ import annotations

import hashlib
import time

from sqlalchemy import select

from app.backup.services import CHUNK, BackupRefused, Progress
from app.core import storage
from app.directives.models import Directive
from app.evidence.models import Evidence
from app.extensions import db


def migrate_store(to_url: str, progress: Progress | None = None) -> dict:
    """Copy every file of the configured local store to the object store at `to_url`; returns the summary."""
    progress = progress or Progress()
    started = time.monotonic()
    source, target = _stores(to_url)
    recorded = dict(db.session.execute(select(Evidence.stored_name, Evidence.sha256)).all())
    names = sorted(source.stored_names())
    sizes = {name: source.size_of(name) for name in names}
    counts = {"copied": 0, "skipped": 0}
    mismatches: list[dict] = []
    progress.begin("Chuyển tệp sang kho đối tượng (byte)", sum(sizes.values()))
    for name in names:
        digest, size = _digest(source, name)
        if name in recorded and recorded[name] != digest:
            mismatches.append({"name": name, "problem": "tệp trên đĩa đã sai SHA-256 so với CSDL (không chép)"})
        elif size == _size_there(target, name) and _read_back(target, name, digest, size):
            counts["skipped"] += 1  # copied by an earlier run, and intact
        else:
            target.put(name, source.local_path(name))
            if _read_back(target, name, digest, size):
                counts["copied"] += 1
            else:
                target.delete(name)  # a wrong object is worse than none: the next run copies it again
                mismatches.append({"name": name, "problem": "đọc lại từ kho đối tượng khác SHA-256 của tệp gốc"})
        progress.advance(sizes[name])
    progress.end()
    referenced = set(recorded) | set(db.session.scalars(select(Directive.source_stored_name)
                                                        .where(Directive.source_stored_name.is_not(None))))
    return {"from": source.url, "to": target.url, "files": len(names), **counts, "bytes": sum(sizes.values()),
            "mismatches": mismatches, "missing": sorted(referenced - set(names)),
            "seconds": round(time.monotonic() - started, 2)}


def _stores(to_url: str):
    """The configured store, which must be a local directory, and the object store to fill."""
    source = storage.current_store()
    if not source.is_local:
        raise BackupRefused(f"Kho tệp đang dùng là {source.url}, không phải thư mục trên máy này: không có gì để "
                            "chuyển (lệnh chạy với cấu hình cũ, khi STORAGE_URL chưa đặt hoặc là file://).")
    if not to_url.startswith("s3://") or len(to_url) <= len("s3://"):
        raise BackupRefused(f"Địa chỉ đích {to_url!r} không hợp lệ: cần dạng s3://bucket/tiền-tố.")
    return source, storage.store_for(to_url)


def _digest(store, name: str, expect_sha256: str | None = None) -> tuple[str, int]:
    """SHA-256 and size of a stored file, read through the store."""
    digest, size = hashlib.sha256(), 0
    with store.open_stored(name, expect_sha256) as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _size_there(store, name: str) -> int | None:
    try:
        return store.size_of(name)
    except FileNotFoundError:
        return None


def _read_back(store, name: str, sha256: str, size: int) -> bool:
    """Whether the object reads back whole with this SHA-256 and size (the store also refuses one whose recorded
    SHA-256 differs)."""
    try:
        return _digest(store, name, sha256) == (sha256, size)
    except (storage.Damaged, FileNotFoundError):
        return False
