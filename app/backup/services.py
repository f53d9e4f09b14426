"""Backups of every table (one snapshot) and every stored file, and their restore into an empty service.

A backup directory holds::

    manifest.json          format, alembic revision; per table its file, rows and SHA-256; per stored file its size
                           and SHA-256; the files rows name that were missing or damaged when it was taken
    db/<table>.jsonl.gz    a header line (table, columns, kinds), then one JSON list per row (codec.py)
    files/<stored name>    the store's files, byte for byte (read through app.core.storage: a local directory or an
                           object store alike)

Every file is written under a temporary name and renamed once complete, and
manifest.json last: a directory without it is an interrupted backup.
"""

from __future__ import annotations

import contextvars
import gzip
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import Integer, and_, func, insert, inspect, literal, select, update
from sqlalchemy.exc import SQLAlchemyError

from app.backup import codec
from app.core import clock, storage
from app.core.database import set_write_intent
from app.extensions import db

FORMAT = "theodoi-backup/1"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
BATCH = 1000
NOTHING_CHANGED = "Không có gì bị thay đổi."
STORE_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.")


class BackupRefused(Exception):
    """A backup or restore that must not go on; the message tells the operator why, in Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Progress:
    """Long work reports through this; the CLI draws progress bars, this base shows nothing."""

    def begin(self, label: str, total: int) -> None:
        """A phase of `total` units (rows or bytes) starts."""

    def advance(self, amount: int) -> None:
        """`amount` more units are done."""

    def end(self) -> None:
        """The phase is over."""


# --- create -------------------------------------------------------------------------------------------------------


def create_backup(directory: Path, progress: Progress | None = None) -> dict:
    """Copy every table (one snapshot) and every stored file into a new or empty directory; returns the summary."""
    progress = progress or Progress()
    started = time.monotonic()
    tables = _backup_tables()
    _prepare(directory)
    try:
        with _snapshot() as conn:
            revision = _database_revision(conn)
            if revision != code_revision():
                raise BackupRefused(f"CSDL đang ở phiên bản {revision or '(chưa có)'}, phần mềm ở {code_revision()}: "
                                    "hãy chạy `flask db upgrade` trước khi sao lưu.")
            references: list[dict] = []
            entries = _dump_tables(conn, tables, directory / "db", progress, references)
        files = _copy_store(directory / "files", progress)
        problems = _file_problems(references, files)
        _write_manifest(directory, {"format": FORMAT, "created_at": clock.now().isoformat(),
                                    "database": db.engine.dialect.name, "alembic_revision": revision,
                                    "tables": entries, "files": sorted(files.values(), key=_name),
                                    "problems": problems})
    except BaseException:
        _discard(directory)
        raise
    return {"backup": str(directory), "tables": len(entries), "rows": sum(e["rows"] for e in entries),
            "files": len(files), "bytes": sum(f["size"] for f in files.values()),
            "db_bytes": sum(e["bytes"] for e in entries), "problems": problems,
            "seconds": round(time.monotonic() - started, 2)}


def _backup_tables() -> list:
    """Every table of the models, parents first; refused if a column has a type the codec cannot copy exactly."""
    tables = list(db.metadata.sorted_tables)
    for table in tables:
        for column in table.columns:
            if codec.kind_of(column) is None:
                raise BackupRefused(f"Cột {table.name}.{column.name} có kiểu {column.type} mà bản sao lưu chưa hỗ "
                                    "trợ (cần bổ sung app/backup/codec.py). Chưa sao lưu gì.")
    return tables


def _prepare(directory: Path) -> None:
    """Refuse a directory that holds anything: a backup never mixes with an older or an interrupted one."""
    if directory.exists() and not directory.is_dir():
        raise BackupRefused(f"{directory} là một tệp, không phải thư mục.")
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BackupRefused(f"Thư mục {directory} không trống: mỗi bản sao lưu cần một thư mục mới hoặc trống "
                            "(ví dụ đặt tên theo ngày).")
    (directory / "db").mkdir()
    (directory / "files").mkdir()


def _discard(directory: Path) -> None:
    """Remove what a failed backup wrote (the directory was empty before it), the manifest first."""
    (directory / MANIFEST).unlink(missing_ok=True)
    for folder in ("db", "files"):
        shutil.rmtree(directory / folder, ignore_errors=True)


@contextmanager
def _snapshot():
    """One read-only transaction: every table is read as of one instant while the service keeps writing."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        transaction = _begin(conn, write=False)  # SQLite in WAL: a deferred BEGIN reads one snapshot, locks nothing
        try:
            yield conn
        finally:
            transaction.rollback()


def _begin(conn, write: bool):
    """Begin a transaction with SQLite's lock chosen here, leaving the caller's write intent as it was."""
    def begin():
        set_write_intent(write)
        return conn.begin()

    return contextvars.copy_context().run(begin)


def _dump_tables(conn, tables: list, folder: Path, progress: Progress, references: list) -> list[dict]:
    """Write every table; the row counts for the progress bar come from the same snapshot."""
    total = sum(conn.scalar(select(func.count()).select_from(table)) for table in tables)
    progress.begin("Sao lưu cơ sở dữ liệu (dòng)", total)
    entries = [_dump_table(conn, table, folder, progress, references) for table in tables]
    progress.end()
    return entries


def _dump_table(conn, table, folder: Path, progress: Progress, references: list) -> dict:
    """One table as gzip'd JSON lines in primary-key order; returns its manifest entry."""
    columns = list(table.columns)
    kinds = [codec.kind_of(column) for column in columns]
    encode = codec.encoders(kinds)
    names = [column.name for column in columns]
    query = select(*(codec.readable(c, k) for c, k in zip(columns, kinds))).order_by(*table.primary_key.columns)
    rows = 0
    path = folder / f"{table.name}.jsonl.gz"
    with _atomic_file(path) as out:
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=6) as packed:
            packed.write(_line({"table": table.name, "columns": names, "kinds": kinds}))
            for batch in conn.execute(query.execution_options(yield_per=BATCH)).partitions():
                packed.write(b"".join(_line(codec.encode_row(row, encode)) for row in batch))
                references.extend(_references(table.name, names, batch))
                rows += len(batch)
                progress.advance(len(batch))
    return {"table": table.name, "file": f"db/{path.name}", "rows": rows, "bytes": out.size,
            "sha256": out.digest.hexdigest()}


def _line(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _copy_store(folder: Path, progress: Progress) -> dict[str, dict]:
    """Copy every complete file of the store, streamed; returns name -> {name, size, sha256}."""
    listed = _stored_files()
    progress.begin("Sao lưu tệp minh chứng (byte)", sum(size for _, size in listed))
    copied = {}
    for name, _ in listed:
        try:
            source = storage.open_stored(name)
        except FileNotFoundError:
            continue  # deleted since it was listed: its row was deleted after the snapshot (or was never ours)
        with source, _atomic_file(folder / name) as out:
            _stream(source, out, progress)
        copied[name] = {"name": name, "size": out.size, "sha256": out.digest.hexdigest()}
    progress.end()
    return copied


def _stored_files() -> list[tuple[str, int]]:
    """(name, size) of the store's complete files by name (uploads still being written are not listed)."""
    found = []
    for name in storage.stored_names():
        try:
            found.append((name, storage.size_of(name)))
        except FileNotFoundError:
            pass  # deleted since it was listed
    return sorted(found)


def _write_manifest(directory: Path, manifest: dict) -> None:
    """The manifest last, once everything it lists is on disk: its presence means the backup is complete."""
    for folder in (directory / "db", directory / "files"):
        _sync_directory(folder)
    with _atomic_file(directory / MANIFEST) as out:
        out.write(json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    _sync_directory(directory)


# --- files and checks shared by both directions -------------------------------------------------------------------


class _HashingFile:
    """A write-only file that counts and hashes what goes through it (gzip writes into it)."""

    def __init__(self, handle):
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()


@contextmanager
def _atomic_file(path: Path):
    """Write under a temporary name, fsync, then rename: a half-written file never has the final name."""
    temp = path.with_name(f".{path.name}.part")
    try:
        with open(temp, "wb") as handle:
            out = _HashingFile(handle)
            yield out
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def _sync_directory(path: Path) -> None:
    """Make the renames inside a directory durable."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _stream(source, out, progress: Progress) -> None:
    while block := source.read(CHUNK):
        out.write(block)
        progress.advance(len(block))


def _name(entry: dict) -> str:
    return entry["name"]


def _names_a_file(column_name: str) -> bool:
    """Columns holding a name in the store: ``stored_name`` (evidence), ``source_stored_name`` (directives)."""
    return column_name == "stored_name" or column_name.endswith("_stored_name")


def _references(table_name: str, names: list[str], rows) -> list[dict]:
    """The stored files some rows name, with the size and SHA-256 the row records when it has them."""
    watched = [name for name in names if _names_a_file(name)]
    if not watched:
        return []
    found = []
    for row in rows:
        values = dict(zip(names, row))
        for column in watched:
            if values[column]:
                own = column == "stored_name"  # sha256 and size describe the row's own file
                found.append({"table": table_name, "row": values.get("id"), "name": values[column],
                              "sha256": values.get("sha256") if own else None,
                              "size": values.get("size") if own else None})
    return found


def _file_problems(references: list[dict], files: dict[str, dict]) -> list[dict]:
    """References whose file is missing, or whose size or SHA-256 differs from the row's."""
    problems = []
    for ref in references:
        found = files.get(ref["name"])
        if found is None:
            problems.append({**ref, "problem": "missing"})
        elif ref["sha256"] is not None and (found["sha256"], found["size"]) != (ref["sha256"], ref["size"]):
            problems.append({**ref, "problem": "checksum"})
    return problems


def code_revision() -> str:
    """The revision the code's migrations end at (heads joined by commas, should they ever branch)."""
    return ",".join(sorted(ScriptDirectory.from_config(_alembic_config()).get_heads()))


def _database_revision(conn) -> str:
    return ",".join(sorted(MigrationContext.configure(conn).get_current_heads()))


def _alembic_config():
    return current_app.extensions["migrate"].migrate.get_config()


# --- restore ------------------------------------------------------------------------------------------------------


def restore_backup(directory: Path, progress: Progress | None = None) -> dict:
    """Fill an empty database and store from a backup, after checking all of it; returns the summary."""
    progress = progress or Progress()
    started = time.monotonic()
    manifest = _read_manifest(directory)
    tables = _tables_of(manifest)
    migrate = _check_target()  # first: it is quick, and says at once when the target is not empty
    _verify_backup(directory, manifest, tables, progress)
    files = {entry["name"]: entry for entry in manifest["files"]}
    tolerated = {problem["name"] for problem in manifest["problems"]}
    _refuse_problems(_backup_references(directory, tables), files, tolerated, "bản sao lưu")
    if migrate:
        command.upgrade(_alembic_config(), "heads")
    rows, copied = _fill(directory, tables, files, tolerated, progress)
    return {"restored": str(directory), "tables": len(tables), "rows": rows, "files": len(copied),
            "bytes": sum(entry["size"] for entry in copied.values()), "migrated": migrate,
            "problems": manifest["problems"], "seconds": round(time.monotonic() - started, 2)}


def _read_manifest(directory: Path) -> dict:
    """The manifest, refused unless complete, of this format and of the code's own database revision."""
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupRefused(f"Không thấy {path}: đây không phải bản sao lưu, hoặc bản sao lưu bị gián đoạn "
                            f"(chưa hoàn tất). {NOTHING_CHANGED}")
    try:
        manifest = json.loads(path.read_text("utf-8"))
        well_formed = (manifest["format"] == FORMAT and isinstance(manifest["tables"], list)
                       and all({"name", "size", "sha256"} <= set(f) for f in manifest["files"])
                       and isinstance(manifest["problems"], list))
    except (ValueError, KeyError, TypeError):
        well_formed = False
    if not well_formed:
        raise BackupRefused(f"{path} bị hỏng hoặc không phải của phần mềm này. {NOTHING_CHANGED}")
    if manifest["alembic_revision"] != code_revision():
        raise BackupRefused(f"Bản sao lưu thuộc phiên bản CSDL {manifest['alembic_revision']}, phần mềm đang ở "
                            f"{code_revision()}: hãy khôi phục bằng đúng phiên bản phần mềm đã tạo bản sao lưu, "
                            f"rồi nâng cấp. {NOTHING_CHANGED}")
    return manifest


def _tables_of(manifest: dict) -> list[tuple]:
    """(table, manifest entry) in foreign-key order, refused unless the backup has exactly the models' tables."""
    entries = {entry.get("table"): entry for entry in manifest["tables"]}
    tables = list(db.metadata.sorted_tables)
    if set(entries) != {table.name for table in tables}:
        raise BackupRefused(f"Danh sách bảng trong bản sao lưu khác với phần mềm này. {NOTHING_CHANGED}")
    return [(table, entries[table.name]) for table in tables]


def _verify_backup(directory: Path, manifest: dict, tables: list[tuple], progress: Progress) -> None:
    """Every table file and stored file against the manifest's SHA-256 and size, and every header, before writing."""
    checks = [(_table_file(directory, table), entry["sha256"], entry["bytes"]) for table, entry in tables]
    for entry in manifest["files"]:
        checks.append((_backup_file(directory, entry["name"]), entry["sha256"], entry["size"]))
    progress.begin("Kiểm tra bản sao lưu (byte)", sum(size for _, _, size in checks))
    for path, sha256, size in checks:
        _verify(path, sha256, size, progress)
    progress.end()
    for table, _ in tables:
        with _open_rows(directory, table):
            pass  # the header names this table's columns


def _table_file(directory: Path, table) -> Path:
    return directory / "db" / f"{table.name}.jsonl.gz"


def _backup_file(directory: Path, name: str) -> Path:
    """A stored file inside the backup; a name that is not a store name (``../x``) is refused."""
    if not _is_store_name(name):
        raise BackupRefused(f"Tên tệp không hợp lệ trong manifest.json: {name!r}. {NOTHING_CHANGED}") from None
    return directory / "files" / name


def _is_store_name(name) -> bool:
    """A name the store generates (hex, a lower-case suffix): never a path such as ``../x``."""
    return isinstance(name, str) and bool(name) and not name.startswith(".") and set(name) <= STORE_NAME_CHARACTERS


def _verify(path: Path, sha256: str, size: int, progress: Progress) -> None:
    digest, seen = hashlib.sha256(), 0
    try:
        with open(path, "rb") as handle:
            while block := handle.read(CHUNK):
                digest.update(block)
                seen += len(block)
                progress.advance(len(block))
    except FileNotFoundError:
        raise BackupRefused(f"Thiếu tệp {path} trong bản sao lưu. {NOTHING_CHANGED}") from None
    if (digest.hexdigest(), seen) != (sha256, size):
        raise BackupRefused(f"Tệp {path} không khớp mã kiểm tra SHA-256 ghi trong manifest.json: bản sao lưu bị "
                            f"hỏng hoặc đã bị sửa. {NOTHING_CHANGED}")


@contextmanager
def _open_rows(directory: Path, table):
    """The JSON rows of a table file, once its header is checked against the table's columns."""
    with gzip.open(_table_file(directory, table), "rt", encoding="utf-8") as lines:
        header = json.loads(lines.readline())
        if header.get("table") != table.name or header.get("columns") != [c.name for c in table.columns]:
            raise BackupRefused(f"Các cột của bảng {table.name} trong bản sao lưu khác với phần mềm này. "
                                f"{NOTHING_CHANGED}")
        yield (json.loads(line) for line in lines)


def _backup_references(directory: Path, tables: list[tuple]) -> list[dict]:
    """The stored files the backup's rows name (read from the table files)."""
    found = []
    for table, _ in tables:
        names = [c.name for c in table.columns]
        if any(_names_a_file(name) for name in names):
            with _open_rows(directory, table) as rows:
                found.extend(_references(table.name, names, rows))
    return found


def _refuse_problems(references: list[dict], files: dict, tolerated: set, where: str) -> None:
    """Refuse a row whose file is missing or differs, unless the backup recorded it so when it was taken."""
    problems = [p for p in _file_problems(references, files) if p["name"] not in tolerated]
    if problems:
        first = problems[0]
        raise BackupRefused(f"{len(problems)} tệp không khớp với dữ liệu trong {where} (ví dụ {first['table']} "
                            f"dòng {first['row']}, tệp {first['name']}: "
                            f"{'thiếu tệp' if first['problem'] == 'missing' else 'sai SHA-256'}). {NOTHING_CHANGED}")


def _check_target() -> bool:
    """Refuse unless the database and the store are empty; True when the database has no tables (to migrate)."""
    with db.engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        if present:
            _check_empty_schema(conn, present)
    _check_store_empty()
    return not present


def _check_empty_schema(conn, present: set) -> None:
    """A database with tables must be at the code's revision, with every table empty."""
    revision = _database_revision(conn)
    missing = [table.name for table in db.metadata.sorted_tables if table.name not in present]
    if revision != code_revision() or missing:
        raise BackupRefused(f"CSDL đích đang ở phiên bản {revision or '(không rõ)'}: chỉ khôi phục vào CSDL chưa có "
                            f"bảng nào, hoặc đã nâng cấp lên {code_revision()} (flask db upgrade) mà chưa có dữ liệu. "
                            f"{NOTHING_CHANGED}")
    _refuse_filled(conn)


def _refuse_filled(conn) -> None:
    filled = [table.name for table in db.metadata.sorted_tables
              if conn.execute(select(literal(1)).select_from(table).limit(1)).first() is not None]
    if filled:
        raise BackupRefused(f"CSDL đích không trống (bảng {', '.join(filled[:5])} đã có dữ liệu): chỉ khôi phục vào "
                            f"CSDL trống. {NOTHING_CHANGED}")


def _check_store_empty() -> None:
    if next(iter(storage.stored_names()), None) is not None:
        raise BackupRefused(f"Kho tệp {storage.current_store().url} không trống: chỉ khôi phục vào kho tệp trống. "
                            f"{NOTHING_CHANGED}")


def _fill(directory: Path, tables: list[tuple], files: dict, tolerated: set, progress: Progress) -> tuple[int, dict]:
    """Insert every row and copy every file in one transaction; on any failure both are undone."""
    written: list[str] = []
    with db.engine.connect() as conn:
        transaction = _begin(conn, write=True)  # SQLite: BEGIN IMMEDIATE, no other writer until the commit
        try:
            _lock(conn, tables)
            _refuse_filled(conn)  # again, under the lock: nobody wrote since the first look
            rows = _insert_all(conn, directory, tables, progress)
            _reset_sequences(conn, tables)
            copied = _copy_into_store(directory, files, progress, written)
            _refuse_problems(_database_references(conn, tables), copied, tolerated, "CSDL vừa khôi phục")
            transaction.commit()
        except BaseException as exc:
            transaction.rollback()
            for name in written:
                storage.delete(name)
            if isinstance(exc, SQLAlchemyError):
                raise BackupRefused(f"CSDL từ chối dữ liệu khôi phục, đã hoàn tác: CSDL và kho tệp vẫn trống. "
                                    f"Chi tiết: {getattr(exc, 'orig', None) or exc}") from exc
            raise
    return rows, copied


def _lock(conn, tables: list[tuple]) -> None:
    """PostgreSQL: no one reads or writes the tables until the restore commits."""
    if conn.dialect.name == "postgresql":
        quote = conn.dialect.identifier_preparer.quote
        conn.exec_driver_sql(f"LOCK TABLE {', '.join(quote(t.name) for t, _ in tables)} IN ACCESS EXCLUSIVE MODE")


def _insert_all(conn, directory: Path, tables: list[tuple], progress: Progress) -> int:
    progress.begin("Khôi phục cơ sở dữ liệu (dòng)", sum(entry["rows"] for _, entry in tables))
    total = 0
    for table, entry in tables:
        with _open_rows(directory, table) as rows:
            count = _insert_table(conn, table, rows, progress)
        if count != entry["rows"]:
            raise BackupRefused(f"Bảng {table.name} có {count} dòng, manifest.json ghi {entry['rows']}. "
                                f"{NOTHING_CHANGED}")
        total += count
    progress.end()
    return total


def _insert_table(conn, table, rows, progress: Progress) -> int:
    """Insert a table's rows in batches; a link to a later row of the same table is set once that row exists."""
    names = [c.name for c in table.columns]
    kinds = [codec.kind_of(c) for c in table.columns]
    decode = codec.decoders(kinds)
    forward = _ForwardLinks(table)
    batch, count = [], 0
    for raw in rows:
        batch.append(forward.hold(dict(zip(names, codec.decode_row(raw, decode, kinds)))))
        if len(batch) >= BATCH:
            count += _insert_batch(conn, table, batch, progress)
    count += _insert_batch(conn, table, batch, progress)
    forward.set(conn)
    return count


class _ForwardLinks:
    """Links to rows of the same table (a unit's parent, a directive it follows) that are not inserted yet:
    written as NULL first, then set (PostgreSQL cannot defer ordinary foreign keys)."""

    def __init__(self, table):
        self.table, self.pending = table, []
        self.links = [(fk.parent.name, fk.column.name) for fk in table.foreign_keys if fk.column.table is table]
        self.seen: dict[str, set] = {target: set() for _, target in self.links}

    def hold(self, values: dict) -> dict:
        """The row as it can be inserted now."""
        for column, target in self.links:
            if values[column] is not None and values[column] not in self.seen[target]:
                self.pending.append((values, column, values[column]))
                values[column] = None
        for target, ids in self.seen.items():
            ids.add(values[target])
        return values

    def set(self, conn) -> None:
        """Set the links held back, now that every row of the table is in."""
        for values, column, target in self.pending:
            key = and_(*(c == values[c.name] for c in self.table.primary_key.columns))
            conn.execute(update(self.table).where(key).values({column: target}))


def _insert_batch(conn, table, batch: list[dict], progress: Progress) -> int:
    count = len(batch)
    if batch:
        conn.execute(insert(table), batch)
        progress.advance(count)
        batch.clear()
    return count


def _reset_sequences(conn, tables: list[tuple]) -> None:
    """PostgreSQL: each id sequence continues after the largest restored id, so new rows do not collide."""
    if conn.dialect.name != "postgresql":
        return  # SQLite takes max(rowid) + 1 by itself
    for table, _ in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = conn.scalar(select(func.pg_get_serial_sequence(table.name, column.name)))
            if sequence:
                top = conn.scalar(select(func.max(column)))
                conn.execute(select(func.setval(sequence, top or 1, top is not None)))


def _copy_into_store(directory: Path, files: dict, progress: Progress, written: list) -> dict[str, dict]:
    """Put the backup's files into the store, each read back from the store and checked again against the
    manifest (the bytes that landed, not the bytes sent)."""
    progress.begin("Khôi phục tệp minh chứng (byte)", sum(entry["size"] for entry in files.values()))
    copied = {}
    for name, entry in files.items():
        written.append(name)  # before it exists: a failure from here on removes it
        storage.put(name, _backup_file(directory, name))
        digest, size = _read_back(name, progress)
        copied[name] = {"name": name, "size": size, "sha256": digest}
        if (digest, size) != (entry["sha256"], entry["size"]):
            raise BackupRefused(f"Tệp {name} đọc lại từ kho tệp khác lúc kiểm tra (lỗi đĩa hoặc kho tệp?). "
                                f"{NOTHING_CHANGED}")
    progress.end()
    return copied


def _read_back(name: str, progress: Progress) -> tuple[str, int]:
    """SHA-256 and size of a stored file, read from the store."""
    out = _HashingFile(_Discard())
    with storage.open_stored(name) as source:
        _stream(source, out, progress)
    return out.digest.hexdigest(), out.size


class _Discard:
    """A file that keeps nothing (only the hash of what goes through is wanted)."""

    def write(self, data) -> int:
        return len(data)

    def flush(self) -> None:
        pass


def _database_references(conn, tables: list[tuple]) -> list[dict]:
    """The stored files the restored rows name, read back from the database."""
    found = []
    for table, _ in tables:
        names = [c.name for c in table.columns]
        if any(_names_a_file(name) for name in names):
            found.extend(_references(table.name, names, conn.execute(select(table))))
    return found
