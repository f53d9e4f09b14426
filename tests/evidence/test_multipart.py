"""Multipart bodies read by the C parser (app/core/multipart.py), as a user meets them: files arrive byte for
byte through the live server, a hand-in with two files and typed figures arrives whole, an over-limit file is a
413 and a cut-off or malformed body a 400 in Vietnamese with nothing stored, and no temporary file outlives its
request."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import socket
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from flask import request
from PIL import Image
from sqlalchemy import func, select

from app import create_app
from app.core import storage
from app.evidence.models import Evidence
from app.extensions import db
from tests.conftest import IsolatedClient
from tests.e2e.conftest import live_server  # noqa: F401  (the fixture)
from tests.factories import PASSWORD
from tests.tasks.conftest import task

BOUNDARY = "theodoi-test-ranh-gioi"
MIB = 1024 * 1024
CUT_OFF = "bị ngắt giữa chừng hoặc không đúng định dạng biểu mẫu"


def pdf_of(size: int, seed: bytes = b"x") -> bytes:
    """A PDF of `size` bytes whose padding holds random bytes and near-copies of the boundary, as real files may."""
    head, tail = b"%PDF-1.4\n1 0 obj<<>>endobj\n%", b"\ntrailer<<>>\n%%EOF\n"
    decoys = b"\r\n--" + BOUNDARY[:-1].encode() + b"\r\n--" + BOUNDARY.encode() + b"-\r\n-\r\n--"
    block = hashlib.sha256(seed).digest() * 2048 + decoys
    body = (block * (size // len(block) + 1))[: size - len(head) - len(tail)]
    return head + body + tail


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def multipart(*parts: tuple[str, bytes, str | None]) -> bytes:
    """A multipart/form-data body of (name, content, filename or None for a text field) parts."""
    body = b""
    for name, content, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        body += b"Content-Type: application/pdf\r\n\r\n" if filename is not None else b"\r\n"
        body += content + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


def bearer(base: str, username: str = "mc.xa-a") -> dict:
    token = requests.post(f"{base}/api/v1/auth/token", json={"username": username, "password": PASSWORD},
                          timeout=30).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def evidence_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Evidence))


def stored_files(app) -> list[str]:
    if not storage.current_store().is_local:  # on an object store: the objects, and what is left on local disk
        temp = app.config["UPLOAD_TMP_DIR"]
        return [*storage.stored_names(), *(name for _, _, names in os.walk(temp) for name in names)]
    return [name for _, _, names in os.walk(app.config["STORAGE_DIR"]) for name in names]


@pytest.fixture
def spool(tmp_path, monkeypatch) -> Path:
    """Where uploads are spooled during this test (Python's temporary folder, pointed at a folder of its own)."""
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def open_in(folder: Path) -> list[str]:
    """The files under `folder` this process still holds open (an unlinked temporary file included): each holds
    disk space until it is closed."""
    held = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)):
            held.append(target)
    return held


def raw_post(base: str, path: str, headers: dict, body: bytes, send: int) -> tuple[int, bytes]:
    """POST announcing `body`'s length but sending only its first `send` bytes, then hanging up, as a phone that
    loses its connection does; the status and body of the answer."""
    address = urlsplit(base)
    lines = [f"POST {path} HTTP/1.1", f"Host: {address.netloc}", f"Content-Length: {len(body)}",
             "Connection: close", *(f"{key}: {value}" for key, value in headers.items())]
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall("\r\n".join(lines).encode() + b"\r\n\r\n" + body[:send])
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, content = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), content


@contextmanager
def app_with_upload_limit(app, megabytes: int):
    """The app built with MAX_UPLOAD_MB set, on the same database and store (its request limit follows)."""
    keys = ("SQLALCHEMY_DATABASE_URI", "STORAGE_DIR", "OUTBOX_DIR", "REDIS_URL", "SMTP_HOST", "BASE_URL",
            "STORAGE_URL", "S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "UPLOAD_TMP_DIR")
    other = create_app({"APP_ENV": "testing", **{key: app.config[key] for key in keys}, "MAX_UPLOAD_MB": megabytes})
    other.test_client_class = IsolatedClient
    try:
        yield other
    finally:
        with other.app_context():
            db.engine.dispose()


def test_files_uploaded_through_the_server_keep_their_bytes(app, work, live_server, spool):  # noqa: F811
    task_id = work.tasks[("action", "xa-a")]
    staff = bearer(live_server)
    for size in (3 * MIB + 17, 100):  # several reads of the body, spooled to disk; and a small one
        content = pdf_of(size, seed=str(size).encode())
        response = requests.post(f"{live_server}/api/v1/tasks/{task_id}/evidence", headers={
            **staff, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            data=multipart(("file", content, "Biên bản họp xã.pdf")), timeout=60)
        assert response.status_code == 201, response.text
        stored = response.json()
        assert stored["sha256"] == hashlib.sha256(content).hexdigest() and stored["size"] == size
        assert stored["filename"] == "Biên bản họp xã.pdf"
        download = requests.get(f"{live_server}/api/v1/evidence/{stored['id']}", headers=staff, timeout=60)
        assert download.content == content
    assert open_in(spool) == [] and os.listdir(spool) == []


def test_a_body_arriving_in_pieces_is_read_the_same(client, work):
    """A slow connection hands the body over in pieces, one of them ending inside the closing boundary."""
    task_id = work.tasks[("action", "xa-a")]
    content = pdf_of(MIB + MIB // 2)  # beyond what a refused body may be read again from memory
    body = multipart(("note", "Ghi chú".encode(), None), ("file", content, "Báo cáo.pdf"))
    closing = body.rindex(f"\r\n--{BOUNDARY}--".encode())
    cuts = sorted({*range(64 * 1024, len(body), 64 * 1024), closing + 9, len(body)})

    class Pieces(io.BytesIO):
        def readinto(self, buffer):
            end = next(cut for cut in cuts if cut > self.tell())
            return super().readinto(memoryview(buffer)[: end - self.tell()])

    token = client.post("/api/v1/auth/token", json={"username": "mc.xa-a", "password": PASSWORD}).json["token"]
    response = client.post(f"/api/v1/tasks/{task_id}/evidence", input_stream=Pieces(body), headers={
        "Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Content-Length": str(len(body))})
    assert response.status_code == 201, response.json
    assert response.json["sha256"] == hashlib.sha256(content).hexdigest()


def test_the_task_page_hands_in_two_files_and_the_typed_figures(app, work, live_server, spool):  # noqa: F811
    task_id = work.tasks[("figures", "xa-a")]
    browser = requests.Session()
    page = browser.get(f"{live_server}/login", timeout=30).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    browser.post(f"{live_server}/login", data={"username": "mc.xa-a", "password": PASSWORD, "csrf_token": token},
                 timeout=30)
    page = browser.get(f"{live_server}/tasks/{task_id}", timeout=30).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    report, photo = pdf_of(2 * MIB, seed=b"report"), png()
    note = "Gửi kèm báo cáo tháng 5 và ảnh biên bản – đã rà soát, đúng số liệu"
    answer = browser.post(f"{live_server}/tasks/{task_id}/work", timeout=60, data={
        "csrf_token": token, "version": task(task_id).version, "action": "submit", "total": "1.200",
        "online_level3": "100", "online_level4": "50", "settled_online": "120", "handin_note": note,
    }, files=[("files", ("Báo cáo tháng 5.pdf", report, "application/pdf")),
              ("files", ("Ảnh biên bản họp.png", photo, "image/png"))])
    assert answer.status_code == 200 and "Đã nộp, chờ Văn phòng duyệt. Đã tải lên 2 tệp." in answer.text
    handed_in = task(task_id)
    assert handed_in.state == "submitted" and handed_in.data["handin_note"] == note
    assert handed_in.data["figures"] == {"total": 1200, "online_level3": 100, "online_level4": 50,
                                         "settled_online": 120, "period": "2022-05"}
    files = db.session.execute(select(Evidence.filename, Evidence.sha256).where(Evidence.task_id == task_id)
                               .order_by(Evidence.id)).all()
    assert files == [("Báo cáo tháng 5.pdf", hashlib.sha256(report).hexdigest()),
                     ("Ảnh biên bản họp.png", hashlib.sha256(photo).hexdigest())]
    assert open_in(spool) == [] and os.listdir(spool) == []


def test_a_file_of_the_limit_is_taken_and_a_larger_one_is_413_with_nothing_stored(app, work, spool):
    task_id = work.tasks[("action", "xa-a")]
    with app_with_upload_limit(app, 1) as limited:
        browser = limited.test_client()
        token = browser.post("/api/v1/auth/token", json={"username": "mc.xa-a", "password": PASSWORD}).json["token"]

        def upload(size: int):
            return browser.post(f"/api/v1/tasks/{task_id}/evidence", data=multipart(("file", pdf_of(size), "a.pdf")),
                                headers={"Authorization": f"Bearer {token}",
                                         "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})

        assert upload(MIB).status_code == 201
        just_over, far_over = upload(MIB + 1), upload(3 * MIB)
    assert just_over.status_code == 413 and just_over.json["error"] == "Tệp vượt quá dung lượng cho phép (1 MB)."
    assert far_over.status_code == 413 and far_over.json["error"] == "Tệp tải lên vượt quá dung lượng cho phép."
    assert evidence_count() == 1 and len(stored_files(app)) == 1
    assert open_in(spool) == [] and os.listdir(spool) == []


def test_a_body_without_length_past_the_limit_is_stopped_at_the_limit(app, client, work, spool, monkeypatch):
    """A chunked upload (no Content-Length) is cut off at MAX_CONTENT_LENGTH, not read to its end."""
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", MIB)
    token = client.post("/api/v1/auth/token", json={"username": "mc.xa-a", "password": PASSWORD}).json["token"]
    body = io.BytesIO(multipart(("file", pdf_of(3 * MIB), "a.pdf")))
    response = client.post(f"/api/v1/tasks/{work.tasks[('action', 'xa-a')]}/evidence", input_stream=body,
                           environ_overrides={"wsgi.input_terminated": True}, headers={
                               "Authorization": f"Bearer {token}",
                               "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert response.status_code == 413 and "vượt quá dung lượng" in response.json["error"]
    assert body.tell() < 2 * MIB  # stopped near the limit
    assert evidence_count() == 0 and stored_files(app) == []
    assert open_in(spool) == [] and os.listdir(spool) == []


def test_a_cut_off_or_malformed_body_is_a_400_in_vietnamese(app, work, live_server, spool):  # noqa: F811
    task_id = work.tasks[("action", "xa-a")]
    path = f"/api/v1/tasks/{task_id}/evidence"
    staff = {**bearer(live_server), "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    body = multipart(("file", pdf_of(3 * MIB), "Báo cáo.pdf"))
    status, answer = raw_post(live_server, path, staff, body, send=2 * MIB)  # the connection drops at 2 MB
    assert status == 400 and CUT_OFF in json.loads(answer)["error"]
    for broken in (body[: -len(f"--{BOUNDARY}--\r\n") - 100],  # every byte sent, but the form ends mid-file
                   b"this is not a form at all",
                   body.replace(b"Content-Disposition", b"Content-Disposition\xff", 1)):
        response = requests.post(f"{live_server}{path}", headers=staff, data=broken, timeout=60)
        assert response.status_code == 400 and CUT_OFF in response.json()["error"]
    assert evidence_count() == 0 and stored_files(app) == []
    assert open_in(spool) == [] and os.listdir(spool) == []


def test_a_cut_off_hand_in_on_the_task_page_is_a_vietnamese_page(app, work, live_server, spool):  # noqa: F811
    browser = requests.Session()
    page = browser.get(f"{live_server}/login", timeout=30).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    browser.post(f"{live_server}/login", data={"username": "mc.xa-a", "password": PASSWORD, "csrf_token": token},
                 timeout=30)
    body = multipart(("csrf_token", token.encode(), None), ("files", pdf_of(2 * MIB), "Báo cáo.pdf"))
    cookie = "; ".join(f"{key}={value}" for key, value in browser.cookies.items())
    status, answer = raw_post(live_server, f"/tasks/{work.tasks[('action', 'xa-a')]}/work", {
        "Cookie": cookie, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}, body, send=MIB)
    page = answer.decode()
    assert status == 400 and CUT_OFF in page and "Traceback" not in page
    assert evidence_count() == 0 and open_in(spool) == [] and os.listdir(spool) == []


def test_form_limits_stay_413(app, client, work, monkeypatch):
    """Werkzeug's limits on the parts of a form and on a text field still hold, told in Vietnamese."""
    token = client.post("/api/v1/auth/token", json={"username": "mc.xa-a", "password": PASSWORD}).json["token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    path = f"/api/v1/tasks/{work.tasks[('action', 'xa-a')]}/evidence"
    monkeypatch.setitem(app.config, "MAX_FORM_PARTS", 3)
    many = multipart(*[(f"field{n}", b"x", None) for n in range(4)], ("file", pdf_of(100), "a.pdf"))
    response = client.post(path, data=many, headers=headers)
    assert response.status_code == 413 and "quá nhiều trường" in response.json["error"]
    monkeypatch.setitem(app.config, "MAX_FORM_MEMORY_SIZE", 1000)
    long_text = multipart(("note", "ư".encode() * 600, None), ("file", pdf_of(100), "a.pdf"))
    response = client.post(path, data=long_text, headers=headers)
    assert response.status_code == 413 and "quá dài" in response.json["error"]
    assert evidence_count() == 0


def test_temporary_files_live_only_as_long_as_their_request(app):
    """Each file part goes to the store's own disk while the request runs (so the store can keep it without a
    copy), and is gone after it."""
    incoming = storage.incoming_folder()  # the store's own disk, or the local staging folder of an object store
    body = multipart(("title", "Văn bản số 12/UBND".encode(), None), ("file", pdf_of(2 * MIB), "Văn bản.pdf"),
                     ("file", b"small", "nho.pdf"))
    with app.test_request_context("/", method="POST", data=body,
                                  content_type=f"multipart/form-data; boundary={BOUNDARY}"):
        assert request.form.to_dict() == {"title": "Văn bản số 12/UBND"}
        big, small = request.files.getlist("file")
        assert (big.filename, small.filename, small.read()) == ("Văn bản.pdf", "nho.pdf", b"small")
        assert hashlib.sha256(big.read()).digest() == hashlib.sha256(pdf_of(2 * MIB)).digest()
        assert big.stream.staged.sha256 == hashlib.sha256(pdf_of(2 * MIB)).hexdigest()  # hashed as it came
        assert len(open_in(incoming)) == 2
    assert open_in(incoming) == [] and os.listdir(incoming) == []
