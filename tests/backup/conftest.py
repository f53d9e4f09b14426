"""A database filled through the app's own services, and empty second databases (and stores) to restore into."""

from __future__ import annotations

import contextvars
import io
import os
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from flask_migrate import upgrade
from PIL import Image
from sqlalchemy import JSON, Text, cast, create_engine, select, text
from sqlalchemy.engine import make_url
from werkzeug.datastructures import FileStorage

from app import create_app
from app.core import clock, storage
from app.core.models import CalendarDay
from app.directives.intake import draft_from_file
from app.escalation.services import sweep_and_queue
from app.extensions import db
from app.indicators.services import set_target
from app.tasks import services as tasks
from app.tasks.fanout import publish
from app.tasks.models import Task
from app.units.services import save_group
from tests import factories
from tests.conftest import IsolatedClient

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MAX_BYTES = 10 * 1024 * 1024


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), name)


@pytest.fixture
def filled(tree):
    """A published directive (from an uploaded .txt kept in the store) with tasks worked on, handed in, returned,
    accepted, with evidence, comments, requests, notices and mails; a unit group, a target and a make-up day."""
    clock.freeze(clock.parse_instant("2022-06-01T08:00:00"))
    office, staff_a, staff_b = tree.users["office"], tree.users["staff_a"], tree.users["staff_b"]
    directive = draft_from_file(tree.district, office, "Về việc tuyên truyền dịch vụ công\n".encode(),
                                "Công văn 77.txt", allow_empty=True)
    directive.number, directive.issued_on = "77/UBND-VP", date(2022, 6, 1)
    for label, (kind, text_) in enumerate((("action", "Tổ chức tuyên truyền"), ("written_report", "Báo cáo")), 1):
        factories.make_requirement(directive, text_, label=str(label), kind=kind,
                                   deadline={"kind": "date", "date": "2022-06-15"})
    db.session.refresh(directive)
    publish(directive, office, [tree.commune_a.id, tree.commune_b.id])
    save_group(tree.district, "Hai xã", [tree.commune_a.id, tree.commune_b.id])
    set_target(tree.district.id, "2022-06", 0.1, 0.05)
    db.session.add(CalendarDay(day=date(2022, 6, 4), is_working=True, note="Làm bù"))
    db.session.commit()

    clock.freeze(clock.parse_instant("2022-06-10T09:00:00"))
    task_a = _task(directive.id, tree.commune_a.id, "action")
    tasks.save_work(task_a, staff_a, {"note": "Đã họp dân ở 5 thôn"})
    tasks.store_uploads(task_a, staff_a, [upload(PDF, "Biên bản họp.pdf"), upload(png(), "Ảnh hội nghị.png")],
                        MAX_BYTES)
    tasks.submit(task_a, staff_a, "Đã xong")
    db.session.commit()
    tasks.review(task_a, office, "return", "Thiếu danh sách\r\nngười dự")
    db.session.commit()

    task_b = _task(directive.id, tree.commune_b.id, "written_report")
    tasks.store_uploads(task_b, staff_b, [upload(PDF + b"% b\n%%EOF\n", "Báo cáo xã B.pdf")], MAX_BYTES)
    tasks.submit(task_b, staff_b)
    db.session.commit()
    tasks.review(task_b, office, "accept", None)
    tasks.add_comment(task_b, tree.users["leader"], "Tốt, cần nhân rộng")
    tasks.request_change(_task(directive.id, tree.commune_b.id, "action"), staff_b, "extension", "Mưa bão",
                         date(2022, 6, 30))
    db.session.commit()
    sweep_and_queue(clock.parse_instant("2022-06-12T08:00:00"))  # reminders: notices and mails in the outbox
    db.session.commit()
    return tree


def _task(directive_id: int, unit_id: int, kind: str) -> Task:
    from app.directives.models import Requirement

    return db.session.scalar(select(Task).join(Requirement).where(
        Task.directive_id == directive_id, Task.unit_id == unit_id, Requirement.kind == kind))


def in_context(app, function, *args, **kwargs):
    """Run inside `app`'s own context, apart from the test's (as a separate process would)."""
    def run():
        with app.app_context():
            return function(*args, **kwargs)

    return contextvars.Context().run(run)


def cli(app, *args):
    """`flask …` on that app, as an operator types it."""
    return contextvars.Context().run(app.test_cli_runner().invoke, args=[str(a) for a in args])


def table_rows(app) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order (JSON as its text: SQL NULL and JSON null differ)."""
    def read():
        out = {}
        with db.engine.connect() as conn:
            for table in db.metadata.sorted_tables:
                columns = [cast(c, Text) if isinstance(c.type, JSON) else c for c in table.columns]
                query = select(*columns).order_by(*table.primary_key.columns)
                out[table.name] = [tuple(row) for row in conn.execute(query)]
        return out

    return in_context(app, read)


def table_names(app) -> list[str]:
    from sqlalchemy import inspect

    return in_context(app, lambda: inspect(db.engine).get_table_names())


def stored_files(app) -> dict[str, bytes]:
    """Every file of `app`'s store by name, read through the storage interface (a directory or an object store)."""
    def read():
        found = {}
        for name in sorted(storage.stored_names()):
            with storage.open_stored(name) as handle:
                found[name] = handle.read()
        return found

    return in_context(app, read)


def put_file(app, name: str, data: bytes, scratch: Path) -> None:
    """A file in `app`'s store under `name`, as if an earlier service had left it there."""
    source = scratch / f"put-{name}"
    source.write_bytes(data)
    in_context(app, storage.put, name, source)


@pytest.fixture
def other_app(app, tmp_path):
    """Makes apps on new, empty databases (SQLite files, or databases on the same PostgreSQL server) and stores."""
    made: list[tuple] = []

    def make(migrated: bool = False):
        name = f"theodoi_backup_{uuid.uuid4().hex[:10]}"
        url = _new_database(name)
        target = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{tmp_path / name}.db",
                             "STORAGE_DIR": str(tmp_path / name / "evidence"),
                             "OUTBOX_DIR": str(tmp_path / name / "outbox"),
                             "REDIS_URL": None, "SMTP_HOST": None, "BASE_URL": "http://theodoi.test",
                             **_own_object_store(app, name)})
        target.test_client_class = IsolatedClient
        made.append((target, name if url else None))
        if migrated:
            in_context(target, upgrade)
        return target

    yield make
    for target, database in made:
        in_context(target, lambda: db.engine.dispose())
        if _object_store(target):
            in_context(target, _empty_store)
        if database:
            with _server() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


def _object_store(app) -> bool:
    return str(app.config.get("STORAGE_URL") or "").startswith("s3://")


def _own_object_store(app, name: str) -> dict:
    """With TEST_STORAGE=s3: the session app's bucket and settings under a prefix of the second app's own, as a
    second service would have; nothing to change on the local store (STORAGE_DIR is the second app's own)."""
    if not _object_store(app):
        return {}
    bucket = app.config["STORAGE_URL"][len("s3://"):].split("/", 1)[0]
    settings = {key: value for key, value in app.config.items() if key.startswith(("S3_", "AWS_"))}
    return {**settings, "STORAGE_URL": f"s3://{bucket}/{name}"}


def _empty_store() -> None:
    for name in list(storage.stored_names()):
        storage.delete(name)


def _new_database(name: str) -> str | None:
    """On PostgreSQL a new database on the test server; None on SQLite (a new file is made by connecting)."""
    if not os.environ.get("DATABASE_URL"):
        return None
    with _server() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return _server_url().set(database=name).render_as_string(hide_password=False)


def _server_url():
    return make_url(os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1))


@contextmanager
def _server():
    """An AUTOCOMMIT connection to the server's postgres database (CREATE/DROP DATABASE)."""
    engine = create_engine(_server_url().set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()
