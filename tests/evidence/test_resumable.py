"""Resumable uploads (tus 1.0.0) over real HTTP: tuspy against the app served on a port, a line cut mid-piece,
offsets, who may continue an upload, expiry, and a file refused when its last byte arrives (issue 16)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import socket
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError

from app.core import clock, storage
from app.evidence.models import Evidence, ResumableUpload
from app.evidence.resumable import partial_folder
from app.extensions import db
from app.tasks.models import Task, TaskHistory
from tests.conftest import csrf_token, login
from tests.e2e.conftest import live_server  # noqa: F401  (the fixture)
from tests.factories import PASSWORD
from tests.timing import patience
from workers.jobs import purge_uploads

PIECE = 256 * 1024
TUS = {"Tus-Resumable": "1.0.0"}
PROGRAM = b"MZ\x90\x00" * 64


def pdf(size: int) -> bytes:
    """A PDF of `size` bytes that passes the store's checks, its bytes varied so that a misplaced piece shows."""
    head, tail = b"%PDF-1.4\n%", b"\n%%EOF\n"
    body = hashlib.shake_256(b"ho so").digest(size - len(head) - len(tail)).replace(b"%%EOF", b"%%EOX")
    return head + body + tail


def token(base: str, username: str = "mc.xa-a") -> dict:
    answer = requests.post(f"{base}/api/v1/auth/token", json={"username": username, "password": PASSWORD}, timeout=30)
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def uploads_url(base: str, task_id: int) -> str:
    return f"{base}/api/v1/tasks/{task_id}/uploads"


def create(base: str, task_id: int, auth: dict, length: int, name: str = "Biên bản họp.pdf") -> requests.Response:
    metadata = "filename " + base64.b64encode(name.encode()).decode()
    return requests.post(uploads_url(base, task_id), timeout=30,
                         headers={**auth, **TUS, "Upload-Length": str(length), "Upload-Metadata": metadata})


def location(base: str, created: requests.Response) -> str:
    assert created.status_code == 201, created.text
    return base + created.headers["Location"]


def patch(url: str, auth: dict, offset: int, data: bytes, **headers) -> requests.Response:
    return requests.patch(url, data=data, timeout=30, headers={
        **auth, **TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream", **headers})


def held(url: str, auth: dict) -> int:
    answer = requests.head(url, headers={**auth, **TUS}, timeout=30)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    return int(answer.headers["Upload-Offset"])


def partial_names() -> list[str]:
    """What is kept of uploads not yet complete, and of pieces on their way: files under partial/ on a local
    store; pieces under partial/ on an object store, with the spools on local disk."""
    store = storage.current_store()
    if store.is_local:
        return os.listdir(partial_folder())
    spooled = [path.name for path in store.temp_dir.glob("*.in")] if store.temp_dir.exists() else []
    return [name for name, _, _ in store.objects.listing("partial/")] + spooled


def spools() -> list[str]:
    """The pieces being received right now (their spool files)."""
    return [name for name in partial_names() if name.endswith(".in")]


def holds_bytes(url: str) -> bool:
    """Whether the store keeps bytes of the upload at `url`."""
    upload_id = url.rstrip("/").rpartition("/")[2]
    return any(upload_id in name and not name.endswith(".in") for name in partial_names())


def stored_bytes(stored_name: str) -> bytes:
    with storage.open_stored(stored_name) as handle:
        return handle.read()


def stored_files(app) -> list[str]:
    if not storage.current_store().is_local:
        return [*storage.stored_names(), *partial_names()]
    return [name for _, _, names in os.walk(app.config["STORAGE_DIR"]) for name in names]


def evidence_of(task_id: int) -> list[Evidence]:
    db.session.rollback()  # a fresh snapshot: the server wrote after ours began
    return db.session.scalars(select(Evidence).where(Evidence.task_id == task_id)).all()


def uploads_left() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(ResumableUpload))


def test_a_file_sent_in_pieces_by_tuspy_becomes_evidence_with_its_sha256(app, live_server, work):
    task_id = work.tasks[("action", "xa-a")]
    data = pdf(3 * PIECE + 1234)
    client = TusClient(uploads_url(live_server, task_id), headers=token(live_server))
    uploader = client.uploader(file_stream=io.BytesIO(data), chunk_size=PIECE,
                               metadata={"filename": "Biên bản họp.pdf"})
    uploader.upload()

    [evidence] = evidence_of(task_id)
    assert (evidence.filename, evidence.size, evidence.content_type) == ("Biên bản họp.pdf", len(data),
                                                                          "application/pdf")
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert hashlib.sha256(stored_bytes(evidence.stored_name)).hexdigest() == evidence.sha256
    assert db.session.scalar(select(TaskHistory.comment).where(TaskHistory.action == "evidence_added")) == \
        "Biên bản họp.pdf"
    assert partial_names() == []  # the bytes went to the store, nothing else stays behind
    # A client whose last answer was lost asks again: the upload is whole, and sending its end again adds nothing.
    auth = client.headers
    assert held(uploader.url, auth) == len(data)
    assert patch(uploader.url, auth, len(data), b"").headers["Upload-Offset"] == str(len(data))
    assert len(evidence_of(task_id)) == 1


def test_a_piece_cut_at_60_percent_keeps_what_arrived_and_the_upload_resumes_from_there(app, live_server, work):
    task_id = work.tasks[("written_report", "xa-a")]
    auth = token(live_server)
    data = pdf(2 * 1024 * 1024 + 77)
    url = location(live_server, create(live_server, task_id, auth, len(data), "Báo cáo quét.pdf"))
    cut = len(data) * 6 // 10
    # The whole file announced in one PATCH, 60 % of it sent, then the line drops (the phone lost its signal).
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port)) as line:
        line.sendall((f"PATCH {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                      f"Authorization: {auth['Authorization']}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
                      f"Content-Type: application/offset+octet-stream\r\nContent-Length: {len(data)}\r\n\r\n").encode()
                     + data[:cut])
    deadline = time.monotonic() + patience(10)
    while held(url, auth) != cut:  # the server notices the cut when its read ends
        assert time.monotonic() < deadline, f"the server holds {held(url, auth)} bytes, not the {cut} sent"
        time.sleep(0.05)
    assert evidence_of(task_id) == []

    client = TusClient(uploads_url(live_server, task_id), headers=auth)
    uploader = client.uploader(file_stream=io.BytesIO(data), url=url, chunk_size=PIECE)
    assert uploader.offset == cut  # tuspy asked the server (HEAD) where to go on from
    uploader.upload()

    [evidence] = evidence_of(task_id)
    assert evidence.sha256 == hashlib.sha256(data).hexdigest() and evidence.size == len(data)
    assert hashlib.sha256(stored_bytes(evidence.stored_name)).digest() == hashlib.sha256(data).digest()
    assert partial_names() == []


def test_a_piece_sent_from_another_offset_is_a_409_and_changes_nothing(app, live_server, work):
    task_id = work.tasks[("action", "xa-a")]
    auth = token(live_server)
    data = pdf(100_000)
    url = location(live_server, create(live_server, task_id, auth, len(data)))
    assert patch(url, auth, 0, data[:40_000]).headers["Upload-Offset"] == "40000"
    for offset in (0, 39_999, 50_000):
        answer = patch(url, auth, offset, data[offset:offset + 10_000])
        assert answer.status_code == 409 and answer.headers["Tus-Resumable"] == "1.0.0"
        assert "khác số byte máy chủ đã nhận (40000)" in answer.json()["error"]
    assert held(url, auth) == 40_000
    assert patch(url, auth, 40_000, data[40_000:]).status_code == 204
    assert [e.sha256 for e in evidence_of(task_id)] == [hashlib.sha256(data).hexdigest()]


def _begin_piece(url: str, auth: dict, offset: int, length: int, first_part: bytes) -> socket.socket:
    """A PATCH announcing `length` bytes from `offset`, of which only `first_part` is sent for now."""
    parts = urlsplit(url)
    line = socket.create_connection((parts.hostname, parts.port))
    line.sendall((f"PATCH {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n"
                  f"Authorization: {auth['Authorization']}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\n"
                  f"Content-Type: application/offset+octet-stream\r\nContent-Length: {length}\r\n\r\n").encode()
                 + first_part)
    return line


def _finish_piece(line: socket.socket, rest: bytes) -> int:
    """Send the rest of a piece; the status of the answer."""
    with line:
        line.sendall(rest)
        return int(line.makefile("rb").readline().split()[1])


def test_two_pieces_sent_at_once_from_the_same_offset_cannot_both_land(app, live_server, work):
    task_id = work.tasks[("action", "xa-a")]
    auth = token(live_server)
    data = pdf(400_000)
    forged = bytes(reversed(data[:200_000]))
    url = location(live_server, create(live_server, task_id, auth, len(data)))
    first = _begin_piece(url, auth, 0, 200_000, data[:100_000])
    second = _begin_piece(url, auth, 0, 200_000, forged[:100_000])
    deadline = time.monotonic() + patience(10)
    while len(spools()) < 2:  # both past the first offset check
        assert time.monotonic() < deadline, "the two pieces were not both being received"
        time.sleep(0.02)
    assert _finish_piece(first, data[100_000:200_000]) == 204
    assert _finish_piece(second, forged[100_000:]) == 409  # the offset is checked again under the row's lock
    assert held(url, auth) == 200_000
    assert patch(url, auth, 200_000, data[200_000:]).status_code == 204
    assert [e.sha256 for e in evidence_of(task_id)] == [hashlib.sha256(data).hexdigest()]


def test_the_protocol_answers_tus_clients_expect(app, live_server, work, monkeypatch):
    task_id = work.tasks[("action", "xa-a")]
    auth = token(live_server)
    options = requests.options(uploads_url(live_server, task_id), headers=auth, timeout=30)
    assert options.status_code == 204
    assert (options.headers["Tus-Version"], options.headers["Tus-Extension"], options.headers["Tus-Max-Size"]) == (
        "1.0.0", "creation", str(50 * 1024 * 1024))

    other_version = requests.post(uploads_url(live_server, task_id), timeout=30, headers={
        **auth, "Tus-Resumable": "0.2.2", "Upload-Length": "10", "Upload-Metadata": "filename YS5wZGY="})
    assert other_version.status_code == 412 and other_version.headers["Tus-Version"] == "1.0.0"
    assert "tus 1.0.0" in other_version.json()["error"]

    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    too_large = create(live_server, task_id, auth, 1024 * 1024 + 1)
    assert too_large.status_code == 413 and too_large.json()["error"] == "Tệp vượt quá dung lượng cho phép (1 MB)."
    exe = create(live_server, task_id, auth, 1000, "chay.exe")
    assert exe.status_code == 415 and "Không nhận tệp .exe" in exe.json()["error"]

    url = location(live_server, create(live_server, task_id, auth, 1000))
    wrong_type = patch(url, auth, 0, b"x" * 10, **{"Content-Type": "application/octet-stream"})
    assert wrong_type.status_code == 415 and "application/offset+octet-stream" in wrong_type.json()["error"]
    too_long = patch(url, auth, 0, b"x" * 1001)
    assert too_long.status_code == 413 and "dài hơn phần còn lại" in too_long.json()["error"]
    assert held(url, auth) == 0 and uploads_left() == 1


def test_only_the_user_who_began_an_upload_may_continue_it_and_another_commune_gets_404(app, live_server, work):
    task_id = work.tasks[("action", "xa-a")]
    staff = token(live_server)
    data = pdf(50_000)
    url = location(live_server, create(live_server, task_id, staff, len(data)))
    assert patch(url, staff, 0, data[:20_000]).status_code == 204

    other_commune = token(live_server, "mc.xa-b")
    assert create(live_server, task_id, other_commune, len(data)).status_code == 404
    assert requests.head(url, headers={**other_commune, **TUS}, timeout=30).status_code == 404
    assert patch(url, other_commune, 20_000, data[20_000:]).status_code == 404
    colleague = token(live_server, "ct.xa-a")  # the same commune's chair works the task, but not this upload
    assert patch(url, colleague, 20_000, data[20_000:]).status_code == 404
    office = token(live_server, "vanphong")  # sees the task, does not work it
    assert create(live_server, task_id, office, len(data)).status_code == 403
    task_b = work.tasks[("action", "xa-b")]  # the upload's address under another task is no address at all
    assert requests.head(url.replace(f"/tasks/{task_id}/", f"/tasks/{task_b}/"),
                         headers={**other_commune, **TUS}, timeout=30).status_code == 404

    assert held(url, staff) == 20_000 and evidence_of(task_id) == []


def test_an_upload_never_completed_expires_and_leaves_nothing_behind(app, live_server, work):
    task_id = work.tasks[("action", "xa-a")]
    auth = token(live_server)
    data = pdf(30_000)
    url = location(live_server, create(live_server, task_id, auth, len(data)))
    assert patch(url, auth, 0, data[:10_000]).status_code == 204
    local = storage.current_store().is_local  # an object can not be made older: strays are tried on disk only
    if local:
        stray, fresh_stray = partial_folder() / ("0" * 40), partial_folder() / f"{'1' * 40}.abc.in"
        for path in (stray, fresh_stray):
            path.write_bytes(b"left by a worker killed mid-piece")
        a_day_ago = time.time() - 25 * 3600
        os.utime(stray, (a_day_ago, a_day_ago))

    clock.freeze(clock.now() + timedelta(hours=23))
    auth = token(live_server)  # the first one lived 12 hours
    assert purge_uploads() == 0 and held(url, auth) == 10_000 and holds_bytes(url)
    if local:
        assert not stray.exists() and fresh_stray.exists()  # a file no upload owns goes once a whole day old

    clock.freeze(clock.now() + timedelta(hours=2))
    auth = token(live_server)
    assert requests.head(url, headers={**auth, **TUS}, timeout=30).status_code == 404  # expired: gone already
    assert purge_uploads() == 1
    assert uploads_left() == 0 and not holds_bytes(url)
    assert patch(url, auth, 10_000, data[10_000:]).status_code == 404
    assert evidence_of(task_id) == []


def test_a_file_of_the_wrong_type_is_refused_when_its_last_byte_arrives_and_nothing_is_kept(app, live_server, work):
    task_id = work.tasks[("action", "xa-a")]
    program = PROGRAM * 2048  # 512 KiB of a Windows program, named as a PDF
    client = TusClient(uploads_url(live_server, task_id), headers=token(live_server))
    uploader = client.uploader(file_stream=io.BytesIO(program), chunk_size=PIECE, metadata={"filename": "Báo cáo.pdf"})
    uploader.upload_chunk()  # the first piece is taken: only the whole file is judged
    assert uploader.offset == PIECE
    with pytest.raises(TusCommunicationError) as refused:
        uploader.upload()
    assert refused.value.status_code == 415
    answer = refused.value.response_content.decode()
    assert "Tệp .pdf này thực chất là chương trình chạy được (Windows), không được nhận." in \
        json.loads(answer)["error"]
    assert evidence_of(task_id) == [] and uploads_left() == 0
    assert stored_files(app) == []  # neither the partial file, nor a piece's spool, nor a stored copy


def test_the_task_page_uploads_under_its_session_with_the_csrf_header(client, work):
    task_id = work.tasks[("action", "xa-a")]
    login(client, "mc.xa-a")
    data = pdf(5000)
    headers = {**TUS, "Upload-Length": str(len(data)), "Accept": "application/json",
               "Upload-Metadata": "filename " + base64.b64encode("Ảnh hiện trường.pdf".encode()).decode()}
    refused = client.post(f"/tasks/{task_id}/uploads", headers=headers)
    assert refused.status_code == 400 and "Phiên làm việc" in refused.json["error"]  # no CSRF token, no upload
    headers["X-CSRFToken"] = csrf_token(client, f"/tasks/{task_id}")
    created = client.post(f"/tasks/{task_id}/uploads", headers=headers)
    assert created.status_code == 201 and created.headers["Location"].startswith(f"/tasks/{task_id}/uploads/")
    piece = {**TUS, "X-CSRFToken": headers["X-CSRFToken"], "Content-Type": "application/offset+octet-stream"}
    assert client.patch(created.headers["Location"], data=data[:3000], headers={**piece, "Upload-Offset": "0"}) \
        .headers["Upload-Offset"] == "3000"
    assert client.head(created.headers["Location"], headers=TUS).headers["Upload-Offset"] == "3000"
    assert client.patch(created.headers["Location"], data=data[3000:],
                        headers={**piece, "Upload-Offset": "3000"}).status_code == 204
    assert [(e.filename, e.sha256) for e in evidence_of(task_id)] == [("Ảnh hiện trường.pdf",
                                                                        hashlib.sha256(data).hexdigest())]
    assert "Ảnh hiện trường.pdf" in client.get(f"/tasks/{task_id}").get_data(as_text=True)


def test_a_handed_in_task_refuses_an_upload_before_its_first_byte(client, work):
    task_id = work.tasks[("action", "xa-a")]
    db.session.get(Task, task_id).state = "submitted"
    db.session.commit()
    auth = {"Authorization": "Bearer " + client.post("/api/v1/auth/token", json={
        "username": "mc.xa-a", "password": PASSWORD}).json["token"]}
    answer = client.post(f"/api/v1/tasks/{task_id}/uploads", headers={
        **auth, **TUS, "Upload-Length": "5000",
        "Upload-Metadata": "filename " + base64.b64encode("Biên bản.pdf".encode()).decode()})
    assert answer.status_code == 409
    assert "Nhiệm vụ đã nộp hoặc đã hoàn thành: không thêm tệp được nữa." in answer.json["error"]
    assert uploads_left() == 0
