"""A 100 MB evidence upload through gunicorn, against copying the same file; the worker's memory and CPU.

Uploads and copies alternate, ROUNDS of each, and the line gives the median of each: on a busy machine a single
pair measures the neighbours as much as the code. The copy is made durable with fsync, as the store makes an
upload durable (not with a machine-wide sync, which would time every other process's writes too).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import children_peak_rss_mb, demo_database, gunicorn, report

SIZE = 100 * 1024 * 1024
ROUNDS = 3
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
    """A multipart upload over HTTP, the file's bytes sent from the disk by the kernel (sendfile): the client never
    holds the file in memory, and spends little of the CPU it shares with the server (15 ms for 100 MB, against
    45 ms reading and sending it from Python)."""
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bao-cao.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.putrequest("POST", f"/api/v1/tasks/{task_id}/evidence")
    for name, value in (("Authorization", f"Bearer {bearer}"),
                        ("Content-Type", f"multipart/form-data; boundary={BOUNDARY}"),
                        ("Content-Length", str(len(head) + path.stat().st_size + len(tail)))):
        conn.putheader(name, value)
    conn.endheaders(head)
    with open(path, "rb") as handle:
        conn.sock.sendfile(handle)
    conn.send(tail)
    response = conn.getresponse()
    result = json.loads(response.read())
    assert response.status == 201, result
    return result


def copy_seconds(source: Path, target: Path) -> float:
    """Copy the file and make the copy durable, as the store does with an upload; the copy is then removed."""
    start = time.perf_counter()
    shutil.copyfile(source, target)
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
    seconds = time.perf_counter() - start
    target.unlink()
    return seconds


def workers_cpu_seconds(master_pid: int) -> float:
    """CPU time (user and system) a gunicorn master's workers have used so far."""
    pids = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15 of proc(5)
    return ticks / os.sysconf("SC_CLK_TCK")


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="theodoi-bench-upload-"))
    source = tmp / "source.pdf"
    make_pdf(source)
    env = {**demo_database(tmp), "MAX_UPLOAD_MB": "128"}
    copies, uploads, cpu = [], [], []
    with gunicorn("wsgi:app", env, workers=1) as (port, master):
        task_id = publish_and_pick_task(port)
        bearer = token(port, "mc.tai-son")
        before = children_peak_rss_mb(master)  # the worker's peak before the upload: what the app costs anyway
        for _ in range(ROUNDS):
            copies.append(copy_seconds(source, tmp / "copy.pdf"))
            used, start = workers_cpu_seconds(master), time.perf_counter()
            result = upload(port, task_id, source, bearer)
            uploads.append(time.perf_counter() - start)
            cpu.append(workers_cpu_seconds(master) - used)
            assert result["size"] == SIZE
        worker_peak = children_peak_rss_mb(master)
    seconds, baseline = statistics.median(uploads), statistics.median(copies)
    report("upload_100mb_gunicorn", SIZE, seconds, baseline, mb_per_s=round(SIZE / 1024 / 1024 / seconds, 1),
           worker_peak_rss_mb=worker_peak, worker_peak_before_mb=before,
           worker_rss_growth_mb=round(worker_peak - before, 1), worker_cpu_seconds=round(statistics.median(cpu), 3),
           rounds=ROUNDS)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
