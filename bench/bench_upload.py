"""A 100 MB evidence upload through gunicorn, against copying the same file; the worker's peak memory."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench.common import children_peak_rss_mb, demo_database, gunicorn, report

SIZE = 100 * 1024 * 1024
BOUNDARY = "theodoi-bench-boundary"


def make_pdf(path: Path) -> None:
    """A valid PDF of SIZE bytes (a comment pads it), written without holding it in memory."""
    head, tail = b"%PDF-1.4\n1 0 obj<<>>endobj\n", b"\ntrailer<<>>\n%%EOF\n"
    with open(path, "wb") as handle:
        handle.write(head)
        remaining = SIZE - len(head) - len(tail)
        chunk = b"%" + b"0" * (1024 * 1024 - 2) + b"\n"
        while remaining > 0:
            handle.write(chunk[:remaining])
            remaining -= len(chunk)
        handle.write(tail)


def token(port: int, username: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("POST", "/api/v1/auth/token", json.dumps({"username": username, "password": "demo-2022"}),
                 {"Content-Type": "application/json"})
    return json.loads(conn.getresponse().read())["token"]


def publish_and_pick_task(port: int) -> int:
    office = {"Authorization": f"Bearer {token(port, 'vanphong')}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("POST", "/api/v1/directives/1/publish", json.dumps({"units": "all"}), office)
    conn.getresponse().read()
    staff = {"Authorization": f"Bearer {token(port, 'mc.tai-son')}"}
    conn.request("GET", "/api/v1/tasks", headers=staff)
    return json.loads(conn.getresponse().read())[0]["id"]


def upload(port: int, task_id: int, path: Path, bearer: str) -> dict:
    """Stream a multipart upload from disk (the client never holds the file in memory)."""
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bao-cao.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    def body():
        yield head
        with open(path, "rb") as handle:
            while chunk := handle.read(1024 * 1024):
                yield chunk
        yield tail

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request("POST", f"/api/v1/tasks/{task_id}/evidence", body(), {
        "Authorization": f"Bearer {bearer}", "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Content-Length": str(len(head) + SIZE + len(tail))})
    response = conn.getresponse()
    result = json.loads(response.read())
    assert response.status == 201, result
    return result


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="theodoi-bench-upload-"))
    source = tmp / "source.pdf"
    make_pdf(source)
    start = time.perf_counter()
    shutil.copyfile(source, tmp / "copy.pdf")
    os.sync()
    baseline = time.perf_counter() - start
    env = {**demo_database(tmp), "MAX_UPLOAD_MB": "128"}
    with gunicorn("wsgi:app", env, workers=1) as (port, master):
        task_id = publish_and_pick_task(port)
        bearer = token(port, "mc.tai-son")
        before = children_peak_rss_mb(master)  # the worker's peak before the upload: what the app costs anyway
        start = time.perf_counter()
        result = upload(port, task_id, source, bearer)
        seconds = time.perf_counter() - start
        worker_peak = children_peak_rss_mb(master)
    assert result["size"] == SIZE
    report("upload_100mb_gunicorn", SIZE, seconds, baseline, mb_per_s=round(SIZE / 1024 / 1024 / seconds, 1),
           worker_peak_rss_mb=worker_peak, worker_peak_before_mb=before)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
