"""`flask backup create` and `restore` (issue 11): a running service copied, restored identically into an empty
one; refusals that change nothing; a snapshot of one instant while others write."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.backup.services import Progress, create_backup
from app.core import storage
from app.directives.models import Requirement
from app.evidence.models import Evidence
from app.extensions import db
from app.indicators.services import set_target
from app.tasks.models import Task, TaskHistory
from app.units.services import upsert_unit
from tests import factories
from tests.backup.conftest import PDF, cli, put_file, stored_files, table_names, table_rows
from tests.conftest import login
from tests.factories import PASSWORD


def summary_of(result) -> dict:
    """The JSON line a command ends with."""
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def back_up(app, directory: Path) -> dict:
    return summary_of(cli(app, "backup", "create", directory))


def test_a_backup_restores_into_an_empty_database_and_store_identically(app, filled, other_app, tmp_path):
    source = table_rows(app)
    assert len(source["tasks"]) == 4 and len(source["evidence"]) == 3
    assert len(source["task_history"]) >= 6 and len(source["mails"]) >= 4 and len(source["notices"]) >= 3
    made = back_up(app, tmp_path / "backup")
    assert made["tables"] == len(source) and made["rows"] == sum(len(rows) for rows in source.values())
    assert made["files"] == 4 and made["bytes"] == sum(len(data) for data in stored_files(app).values())

    target = other_app()
    restored = summary_of(cli(target, "backup", "restore", tmp_path / "backup"))
    assert restored["migrated"] is True and restored["rows"] == made["rows"] and restored["files"] == 4

    copy = table_rows(target)
    for name, rows in source.items():
        assert copy[name] == rows, f"table {name} differs after the restore"
    files = stored_files(target)
    assert files == stored_files(app)
    for stored_name, sha256, size in db.session.execute(select(Evidence.stored_name, Evidence.sha256, Evidence.size)):
        assert hashlib.sha256(files[stored_name]).hexdigest() == sha256 and len(files[stored_name]) == size


def test_the_restored_service_serves_the_files_and_takes_new_uploads(app, filled, other_app, tmp_path):
    back_up(app, tmp_path / "backup")
    target = other_app()
    summary_of(cli(target, "backup", "restore", tmp_path / "backup"))
    evidence_id, task_id = db.session.execute(select(Evidence.id, Evidence.task_id)
                                              .where(Evidence.filename == "Biên bản họp.pdf")).one()
    client = target.test_client()
    login(client, "mc.xa-a")
    download = client.get(f"/evidence/{evidence_id}")
    assert download.status_code == 200 and download.data == PDF

    token = client.post("/api/v1/auth/token", json={"username": "mc.xa-a", "password": PASSWORD}).json["token"]
    added = client.post(f"/api/v1/tasks/{task_id}/evidence", headers={"Authorization": f"Bearer {token}"},
                        content_type="multipart/form-data", data={"file": (io.BytesIO(PDF), "Bổ sung.pdf")})
    assert added.status_code == 201, added.json  # the id sequences continue after the restored rows
    assert added.json["id"] > max(row[0] for row in table_rows(app)["evidence"])


def test_a_database_with_rows_is_refused_and_nothing_changes(app, filled, tmp_path):
    back_up(app, tmp_path / "backup")
    rows, files = table_rows(app), stored_files(app)
    refused = cli(app, "backup", "restore", tmp_path / "backup")
    assert refused.exit_code != 0
    assert "CSDL đích không trống" in refused.stderr and "Không có gì bị thay đổi" in refused.stderr
    assert table_rows(app) == rows and stored_files(app) == files


def test_a_file_already_missing_from_the_store_is_reported_and_the_rest_restored(app, filled, other_app, tmp_path):
    lost = db.session.scalar(select(Evidence.stored_name).where(Evidence.filename == "Ảnh hội nghị.png"))
    storage.delete(lost)
    made = cli(app, "backup", "create", tmp_path / "backup")
    assert "Cảnh báo: 1 tệp" in made.stderr and summary_of(made)["problems"] == 1
    target = other_app()
    restored = summary_of(cli(target, "backup", "restore", tmp_path / "backup"))
    assert restored["problems"] == 1 and restored["files"] == 3
    assert stored_files(target) == stored_files(app) and table_rows(target) == table_rows(app)


def test_a_store_with_files_is_refused_before_anything_is_migrated(app, filled, other_app, tmp_path):
    back_up(app, tmp_path / "backup")
    target = other_app()
    left_over = "0123456789abcdef0123456789abcdef.pdf"
    put_file(target, left_over, PDF, tmp_path)
    refused = cli(target, "backup", "restore", tmp_path / "backup")
    assert refused.exit_code != 0 and "Kho tệp" in refused.stderr and "không trống" in refused.stderr
    assert table_names(target) == [] and stored_files(target) == {left_over: PDF}


def test_one_changed_byte_in_a_table_file_is_refused_and_nothing_is_written(app, filled, other_app, tmp_path):
    back_up(app, tmp_path / "backup")
    damaged = tmp_path / "backup" / "db" / "tasks.jsonl.gz"
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    target = other_app()
    refused = cli(target, "backup", "restore", tmp_path / "backup")
    assert refused.exit_code != 0 and "không khớp mã kiểm tra SHA-256" in refused.stderr
    assert "tasks.jsonl.gz" in refused.stderr
    assert table_names(target) == [] and stored_files(target) == {}


def test_a_changed_evidence_file_is_refused_too(app, filled, other_app, tmp_path):
    back_up(app, tmp_path / "backup")
    stored = db.session.scalar(select(Evidence.stored_name).limit(1))
    (tmp_path / "backup" / "files" / stored).write_bytes(PDF.replace(b"1.4", b"1.5"))
    target = other_app(migrated=True)
    refused = cli(target, "backup", "restore", tmp_path / "backup")
    assert refused.exit_code != 0 and stored in refused.stderr and "SHA-256" in refused.stderr
    assert all(rows == [] for rows in table_rows(target).values()) and stored_files(target) == {}


def test_a_backup_of_another_database_version_is_refused(app, filled, other_app, tmp_path):
    back_up(app, tmp_path / "backup")
    manifest_path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["alembic_revision"] = "0123456789ab"
    manifest_path.write_text(json.dumps(manifest))
    target = other_app()
    refused = cli(target, "backup", "restore", tmp_path / "backup")
    assert refused.exit_code != 0 and "phiên bản CSDL 0123456789ab" in refused.stderr
    assert table_names(target) == []


class Interrupted(Progress):
    """Stops the backup as a Ctrl-C would, once it is copying files."""

    def begin(self, label: str, total: int) -> None:
        if "tệp" in label:
            raise KeyboardInterrupt


def test_an_interrupted_backup_is_never_taken_for_a_complete_one(app, filled, other_app, tmp_path):
    directory = tmp_path / "backup"
    with pytest.raises(KeyboardInterrupt):
        create_backup(directory, Interrupted())
    assert not (directory / "manifest.json").exists()
    refused = cli(other_app(), "backup", "restore", directory)
    assert refused.exit_code != 0 and "gián đoạn" in refused.stderr
    assert back_up(app, directory)["files"] == 4  # the same directory takes the next backup


def test_a_backup_never_writes_into_a_directory_that_holds_something(app, filled, tmp_path):
    directory = tmp_path / "backup"
    back_up(app, directory)
    before = sorted(p.name for p in directory.rglob("*"))
    again = cli(app, "backup", "create", directory)
    assert again.exit_code != 0 and "không trống" in again.stderr
    assert sorted(p.name for p in directory.rglob("*")) == before


class WriterDuringBackup(Progress):
    """Once the backup has read its first rows, another connection commits tasks with their history rows;
    the backup goes on only after three such commits."""

    def __init__(self, app, requirement_id: int, unit_id: int):
        self.stop, self.committed, self.written, self.errors = threading.Event(), threading.Semaphore(0), 0, []
        self.thread = threading.Thread(target=self._write, args=(app, requirement_id, unit_id))

    def advance(self, amount: int) -> None:
        if self.thread.ident is None:
            self.thread.start()
            for _ in range(3):
                assert self.committed.acquire(timeout=120), self.errors

    def _write(self, app, requirement_id: int, unit_id: int) -> None:
        with app.app_context():
            try:
                requirement = db.session.get(Requirement, requirement_id)
                while not self.stop.is_set():
                    task = Task(requirement_id=requirement.id, directive_id=requirement.directive_id, unit_id=unit_id,
                                period=f"w{self.written}")
                    db.session.add(task)
                    db.session.flush()
                    db.session.add(TaskHistory(task_id=task.id, action="created", to_state="open"))
                    db.session.commit()
                    self.written += 1
                    self.committed.release()
            except Exception as exc:  # seen by the test, not lost in the thread
                self.errors.append(exc)
                self.committed.release(3)
            finally:
                db.session.remove()


def test_a_backup_taken_while_another_connection_writes_holds_one_instant(app, filled, other_app, tmp_path):
    requirement_id, unit_id = db.session.scalar(select(Requirement.id).limit(1)), filled.commune_a.id
    before = {"tasks": _count(Task), "task_history": _count(TaskHistory)}
    db.session.commit()
    writer = WriterDuringBackup(app, requirement_id, unit_id)
    try:
        create_backup(tmp_path / "backup", writer)
    finally:
        writer.stop.set()
        writer.thread.join(60)
    assert writer.errors == [] and writer.written >= 3
    db.session.rollback()  # a fresh look
    assert _count(Task) == before["tasks"] + writer.written  # the writes did land, during the backup

    target = other_app(migrated=True)
    restored = summary_of(cli(target, "backup", "restore", tmp_path / "backup"))
    assert restored["migrated"] is False
    copy = table_rows(target)
    assert {name: len(copy[name]) for name in before} == before
    task_ids = {row[0] for row in copy["tasks"]}
    history_task = [c.name for c in TaskHistory.__table__.columns].index("task_id")
    assert all(row[history_task] in task_ids for row in copy["task_history"])


def test_a_unit_placed_under_a_newer_unit_is_restored(app, tree, other_app, tmp_path):
    province, _ = upsert_unit("tinh", "UBND tỉnh Thử", "province", None)
    upsert_unit("huyen", "UBND huyện Thử", "district", province)  # its parent row comes after it
    db.session.commit()
    assert province.id > tree.district.id
    back_up(app, tmp_path / "backup")
    target = other_app()
    summary_of(cli(target, "backup", "restore", tmp_path / "backup"))
    assert table_rows(target) == table_rows(app)


def test_values_read_back_exactly_json_null_and_sql_null_apart(app, tree, other_app, tmp_path):
    directive = factories.make_directive(tree.district)
    factories.make_requirement(directive, "Báo cáo", label="1", deadline=None)  # a JSON null
    factories.make_requirement(directive, "Tuyên truyền", label="2")  # no deadline at all: SQL NULL
    set_target(tree.district.id, "2022-07", 1 / 3, 0.1 + 0.2)
    db.session.commit()
    source = table_rows(app)
    deadline = [c.name for c in Requirement.__table__.columns].index("deadline")
    assert sorted(str(row[deadline]) for row in source["requirements"]) == ["None", "null"]
    back_up(app, tmp_path / "backup")
    target = other_app()
    summary_of(cli(target, "backup", "restore", tmp_path / "backup"))
    assert table_rows(target) == source


def test_the_table_files_read_as_json_lines(app, filled, tmp_path):
    back_up(app, tmp_path / "backup")
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    entry = next(t for t in manifest["tables"] if t["table"] == "evidence")
    with gzip.open(tmp_path / "backup" / entry["file"], "rt", encoding="utf-8") as lines:
        header, *rows = [json.loads(line) for line in lines]
    assert header["columns"][:2] == ["id", "task_id"] and len(rows) == entry["rows"] == 3
    uploaded_at = header["columns"].index("uploaded_at")
    assert all(row[uploaded_at].endswith("+00:00") for row in rows)  # instants keep their offset
    assert {f["name"] for f in manifest["files"]} == set(stored_files(app))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))
