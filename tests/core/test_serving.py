"""Request bodies read straight from the socket under gunicorn (app/core/serving.py, hooked in by the repository's
gunicorn.conf.py): a body arrives byte for byte however it is read, a pipelined request behind it is left intact,
a chunked body keeps gunicorn's reader, and a client that hangs up half-way gets a 400 with nothing left on disk."""

from __future__ import annotations

import hashlib
import json
import os
import runpy
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest
import requests
from gunicorn.config import Config
from gunicorn.http.body import Body
from gunicorn.http.parser import RequestParser

from app.core import serving, storage
from tests.conftest import ROOT
from tests.evidence.test_multipart import BOUNDARY, CUT_OFF, MIB, evidence_count, multipart, pdf_of, raw_post
from tests.factories import PASSWORD
from tests.tasks.conftest import work  # noqa: F401  (the fixture)
from tests.timing import patience


@contextmanager
def received(*messages: bytes, hang_up: bool = True):
    """gunicorn's parser on one end of a socket pair, the `messages` sent into the other end by a thread (so a
    body larger than the socket's buffers still arrives); the client then hangs up unless told not to."""
    server, client = socket.socketpair()

    def send():
        try:
            for message in messages:
                client.sendall(message)
            if hang_up:
                client.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the test is over and closed its end before all was sent: nobody is left to read it

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        yield RequestParser(Config(), server, ("127.0.0.1", 5000))
    finally:
        server.close()  # a sender still writing fails at once instead of waiting on full buffers
        sender.join(patience(10))
        client.close()


def post(body: bytes, path: str = "/upload", length: int | None = None) -> bytes:
    """An HTTP/1.1 POST with a Content-Length (the body's own unless told)."""
    length = len(body) if length is None else length
    return f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode() + body


def hooked(parser: RequestParser):
    """The next request, through the repository's gunicorn.conf.py hook as a worker calls it."""
    request = next(parser)
    hook = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["pre_request"]
    hook(type("Worker", (), {"log": type("Log", (), {"debug": staticmethod(lambda *args: None)})})(), request)
    return request


def test_a_body_of_known_length_is_read_byte_for_byte_and_a_pipelined_request_stays_whole():
    body = pdf_of(3 * MIB + 5)
    with received(post(body), post(b"second", "/next")) as parser:
        first = hooked(parser)
        assert isinstance(first.body, serving.LengthBody)
        buffer, got = bytearray(MIB), b""
        while count := first.body.readinto(buffer):
            got += bytes(buffer[:count])
        assert got == body and first.body.read() == b"" and not first.body.failed
        second = hooked(parser)
        assert second.path == "/next" and second.body.read() == b"second"


def test_read_readline_and_lines_give_the_bytes_sent():
    body = b"line one\nline two\n" + os.urandom(200_000) + b"\nlast line without end"
    with received(post(body)) as parser:
        request = hooked(parser)
        got = request.body.readline() + request.body.read(5) + request.body.readline(3)
        got += b"".join(request.body.readlines())
    assert got == body


def test_a_request_without_a_body_keeps_gunicorns_reader():
    with received(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n", post(b"body", "/b")) as parser:
        request = hooked(parser)
        assert isinstance(request.body, Body) and request.body.read() == b""
        assert hooked(parser).body.read() == b"body"


def test_a_chunked_body_keeps_gunicorns_reader_and_arrives_whole():
    content = os.urandom(MIB + 123)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece)
                      for piece in (content[:1000], content[1000:700_000], content[700_000:]))
    head = b"POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    with received(head + chunks + b"0\r\n\r\n") as parser:
        request = hooked(parser)
        assert isinstance(request.body, Body)
        assert request.body.read() == content


def test_a_client_hanging_up_half_way_gives_what_came_and_closes_the_connection():
    body = os.urandom(2 * MIB)
    with received(post(body[:MIB], length=len(body))) as parser:
        request = hooked(parser)
        assert request.body.read() == body[:MIB]
        assert request.body.failed and parser.finish_body() is False  # no next request is looked for


# -- through gunicorn, as the benchmark and production run it -------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(params=["sync", "gthread"])
def gunicorn(app, request):
    """The app served by gunicorn started from the repository (so with its gunicorn.conf.py) on the test database,
    with the sync worker and the threaded one; its address."""
    port = free_port()
    env = dict(os.environ, APP_ENV="testing", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               STORAGE_DIR=app.config["STORAGE_DIR"], OUTBOX_DIR=app.config["OUTBOX_DIR"], MAX_UPLOAD_MB="8")
    env.pop("REDIS_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-k", request.param, "-b",
                             f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + patience(20)
    try:  # stopped below even when it never answers: no server outlives the test
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=patience(5))
                break
            # The master listens before its worker has loaded the app: a busy machine may keep the answer waiting.
            except (requests.ConnectionError, requests.Timeout):
                assert proc.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        errors = proc.communicate(timeout=patience(20))[1].decode()
        assert "Traceback" not in errors, errors


def test_uploads_through_gunicorn_keep_their_bytes_and_a_cut_one_leaves_nothing(app, work, gunicorn):  # noqa: F811
    path = f"/api/v1/tasks/{work.tasks[('action', 'xa-a')]}/evidence"
    token = requests.post(f"{gunicorn}/api/v1/auth/token", json={"username": "mc.xa-a", "password": PASSWORD},
                          timeout=30).json()["token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    for size, chunked in ((3 * MIB + 17, False), (2 * MIB + 5, True)):
        content = pdf_of(size, seed=str(size).encode())
        body = multipart(("file", content, "Báo cáo.pdf"))
        # A generator has no length: requests sends it chunked, as a client streaming a file of unknown size does.
        data = (body[start:start + 100_000] for start in range(0, len(body), 100_000)) if chunked else body
        answer = requests.post(f"{gunicorn}{path}", headers=headers, data=data, timeout=60)
        assert answer.status_code == 201, answer.text
        assert answer.json()["sha256"] == hashlib.sha256(content).hexdigest() and answer.json()["size"] == size
        download = requests.get(f"{gunicorn}/api/v1/evidence/{answer.json()['id']}", headers=headers, timeout=60)
        assert download.content == content
    body = multipart(("file", pdf_of(3 * MIB), "Báo cáo.pdf"))
    status, answer = raw_post(gunicorn, path, headers, body, send=len(body) // 2)  # the phone loses its signal
    assert status == 400 and CUT_OFF in json.loads(answer)["error"]
    assert evidence_count() == 2
    incoming = storage.incoming_folder()
    assert os.listdir(incoming) == []
