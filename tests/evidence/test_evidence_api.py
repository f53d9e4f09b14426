"""Evidence through the API and the pages: limits, downloads, audit, isolation (RELIABILITY 5-9, 14)."""

import hashlib
import io
import os

from PIL import Image
from sqlalchemy import func

from app.core import storage
from app.core.models import AuditLog
from app.evidence.models import Evidence
from app.extensions import db
from app.tasks.models import Task
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def bearer(client, username="mc.xa-a"):
    token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).json["token"]
    return {"Authorization": f"Bearer {token}"}


def upload(client, task_id, data, name, headers):
    return client.post(f"/api/v1/tasks/{task_id}/evidence", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name)})


def stored_files(app) -> list[str]:
    if not storage.current_store().is_local:  # on an object store: the objects, and what is left on local disk
        temp = app.config["UPLOAD_TMP_DIR"]
        return [*storage.stored_names(), *(name for _, _, names in os.walk(temp) for name in names)]
    return [name for _, _, names in os.walk(app.config["STORAGE_DIR"]) for name in names]


def padded_pdf(size: int) -> bytes:
    body = PDF[:-7]
    return body + b"%" * (size - len(PDF)) + PDF[-7:]


def test_a_file_of_exactly_the_limit_is_accepted_and_one_byte_more_is_413(app, client, work, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    task_id = work.tasks[("action", "xa-a")]
    staff = bearer(client)
    exact = padded_pdf(1024 * 1024)
    accepted = upload(client, task_id, exact, "Báo cáo.pdf", staff)
    assert accepted.status_code == 201
    assert accepted.json["size"] == len(exact) and accepted.json["sha256"] == hashlib.sha256(exact).hexdigest()
    assert accepted.json["content_type"] == "application/pdf" and accepted.json["filename"] == "Báo cáo.pdf"
    refused = upload(client, task_id, padded_pdf(1024 * 1024 + 1), "Quá lớn.pdf", staff)
    assert refused.status_code == 413 and "vượt quá" in refused.json["error"]
    db.session.rollback()
    assert db.session.scalar(db.select(func.count()).select_from(Evidence)) == 1
    assert len(stored_files(app)) == 1


def test_download_is_an_attachment_with_the_vietnamese_name(client, work):
    task_id = work.tasks[("action", "xa-a")]
    staff = bearer(client)
    evidence = upload(client, task_id, PDF, "Biên bản họp xã.pdf", staff).json
    response = client.get(f"/api/v1/evidence/{evidence['id']}", headers=staff)
    assert response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/pdf"
    detail = client.get(f"/api/v1/tasks/{task_id}", headers=staff).json
    assert [e["filename"] for e in detail["evidence"]] == ["Biên bản họp xã.pdf"]
    db.session.rollback()
    actions = db.session.scalars(db.select(AuditLog.action).where(AuditLog.action.in_(("upload", "download")))).all()
    assert sorted(actions) == ["download", "upload"]


def test_another_commune_gets_404_by_id_and_by_guessed_paths(app, client, work):
    task_id = work.tasks[("action", "xa-a")]
    evidence = upload(client, task_id, PDF, "a.pdf", bearer(client)).json
    other = bearer(client, "mc.xa-b")
    assert client.get(f"/api/v1/evidence/{evidence['id']}", headers=other).status_code == 404
    assert client.get(f"/api/v1/evidence/{evidence['id'] + 1}", headers=other).status_code == 404
    stored = db.session.scalar(db.select(Evidence.stored_name))
    for path in (f"/api/v1/evidence/{stored}", "/api/v1/evidence/..%2F..%2Fapp%2F__init__.py",
                 f"/evidence/{stored}", "/evidence/../../config.py"):
        response = client.get(path, headers=other)
        assert response.status_code == 404 and PDF not in response.data
    login(client, "mc.xa-b")
    assert client.get(f"/evidence/{evidence['id']}").status_code == 404


def test_a_phone_photo_with_data_after_the_image_is_accepted(client, work):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buffer, "JPEG")
    motion_photo = buffer.getvalue() + b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64  # a video appended
    response = upload(client, work.tasks[("action", "xa-a")], motion_photo, "Ảnh hiện trường.jpg", bearer(client))
    assert response.status_code == 201 and response.json["content_type"] == "image/jpeg"


def test_several_files_at_once_through_the_page(app, client, work):
    task_id = work.tasks[("written_report", "xa-a")]
    login(client, "mc.xa-a")
    response = client.post(f"/tasks/{task_id}/work", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/"), "version": "1", "action": "save",
        "files": [(io.BytesIO(PDF), "Báo cáo có chữ ký.pdf"), (io.BytesIO(PDF), "Phụ lục.pdf")]})
    assert response.status_code == 303
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Báo cáo có chữ ký.pdf" in page and "Phụ lục.pdf" in page and "Đã tải lên 2 tệp" in page
    version = db.session.get(Task, task_id).version
    db.session.rollback()
    bad = client.post(f"/tasks/{task_id}/work", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/"), "version": str(version), "action": "submit",
        "handin_note": "Gửi kèm phụ lục",
        "files": [(io.BytesIO(PDF), "Tốt.pdf"), (io.BytesIO(b"MZ\x90\x00" * 10), "Xấu.pdf")]})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Location" not in bad.headers
    assert "Không tệp nào được tải lên" in text and "Xấu.pdf: " in text and "chương trình chạy được" in text
    assert "Tốt.pdf: hợp lệ, nhưng chưa tải lên" in text
    assert "Gửi kèm phụ lục" in text  # the note typed stays on screen
    db.session.rollback()
    names = db.session.scalars(db.select(Evidence.filename)).all()
    assert sorted(names) == ["Báo cáo có chữ ký.pdf", "Phụ lục.pdf"]  # nothing of the refused batch
    assert len(stored_files(app)) == 2
    assert db.session.get(Task, task_id).state == "open"  # and the hand-in did not happen


def test_observer_cannot_upload(client, work):
    response = upload(client, work.tasks[("action", "xa-a")], PDF, "a.pdf", bearer(client, "bt.xa-a"))
    assert response.status_code == 403
