"""A 100 MB evidence upload through gunicorn, against copying the same file; the worker's memory and CPU.

Two lines, one a storage backend (``"storage"``): `upload_100mb_gunicorn` stores in a local directory,
`upload_100mb_gunicorn_s3` in an S3 object store, SeaweedFS (`bench.soak_infra.Seaweed`) started for the run and
removed with its data after it. Both lines have the same baseline, the raw operation the feature stands on:
storing 100 MB, as a local copy. The S3 line adds `s3_put_seconds`, boto3's upload_file of the same file
straight to the same SeaweedFS, so that a reader sees what the app adds over the raw object put.

Uploads and copies (and puts) alternate, ROUNDS of each, and the line gives the median of each: on a busy machine a
single pair measures the neighbours as much as the code. The copy is made durable with fsync, as the local store
makes an upload durable (not with a machine-wide sync, which would time every other process's writes too).
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
from bench.soak_infra import Registry, Seaweed

SIZE = 100 * 1024 * 1024
ROUNDS = 3
BOUNDARY = "theodoi-bench-boundary"
BUCKET = "theodoi-bench"
#: As app.core.object_store.TRANSFER (not imported: the client must not load the app), so that the raw put sends
#: the same parts as the app does.
PART_SIZE = 8 * 1024 * 1024


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
    return cpu_seconds(subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split())


def cpu_seconds(pids) -> float:
    """CPU time (user and system, every thread) these processes have used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15 of proc(5)
    return ticks / os.sysconf("SC_CLK_TCK")


def s3_client(seaweed: Seaweed):
    """A boto3 client of the SeaweedFS, configured as the app's (app.core.object_store.ObjectStore)."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=seaweed.endpoint, region_name="us-east-1",
                        aws_access_key_id=seaweed.access_key, aws_secret_access_key=seaweed.secret_key,
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                                      retries={"max_attempts": 3, "mode": "standard"}))


def put_seconds(client, source: Path) -> float:
    """The raw object put: boto3's upload_file of the file in the app's parts; the object is then removed."""
    from boto3.s3.transfer import TransferConfig

    transfer = TransferConfig(multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE, max_concurrency=4,
                              use_threads=True)
    start = time.perf_counter()
    client.upload_file(str(source), BUCKET, "raw/source.pdf", ExtraArgs={"ContentType": "application/pdf"},
                       Config=transfer)
    seconds = time.perf_counter() - start
    client.delete_object(Bucket=BUCKET, Key="raw/source.pdf")
    return seconds


def measure(env: dict, source: Path, tmp: Path, put=None, store_pid: int | None = None) -> dict:
    """ROUNDS of copy (and `put`, the raw object put) and upload, alternating; their medians and the worker's
    memory and CPU (and the object store's CPU, `store_pid`, for each upload)."""
    copies, puts, uploads, cpu, store_cpu = [], [], [], [], []
    with gunicorn("wsgi:app", env, workers=1) as (port, master):
        task_id = publish_and_pick_task(port)
        bearer = token(port, "mc.tai-son")
        before = children_peak_rss_mb(master)  # the worker's peak before the upload: what the app costs anyway
        for _ in range(ROUNDS):
            copies.append(copy_seconds(source, tmp / "copy.pdf"))
            if put is not None:
                puts.append(put())
            used, start = workers_cpu_seconds(master), time.perf_counter()
            store_used = cpu_seconds([store_pid]) if store_pid else 0.0
            result = upload(port, task_id, source, bearer)
            uploads.append(time.perf_counter() - start)
            cpu.append(workers_cpu_seconds(master) - used)
            store_cpu.append(cpu_seconds([store_pid]) - store_used if store_pid else 0.0)
            assert result["size"] == SIZE
        worker_peak = children_peak_rss_mb(master)
    seconds = statistics.median(uploads)
    figures = {"seconds": seconds, "baseline": statistics.median(copies),
               "mb_per_s": round(SIZE / 1024 / 1024 / seconds, 1), "worker_peak_rss_mb": worker_peak,
               "worker_peak_before_mb": before, "worker_rss_growth_mb": round(worker_peak - before, 1),
               "worker_cpu_seconds": round(statistics.median(cpu), 3)}
    if puts:
        put_median = statistics.median(puts)
        figures.update(s3_put_seconds=round(put_median, 4), ratio_to_s3_put=round(seconds / put_median, 3),
                       store_cpu_seconds=round(statistics.median(store_cpu), 3))
    return figures


def line(name: str, storage: str, figures: dict) -> None:
    """Print one backend's line."""
    figures = dict(figures)
    seconds, baseline = figures.pop("seconds"), figures.pop("baseline")
    report(name, SIZE, seconds, baseline, storage=storage, **figures, rounds=ROUNDS)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="theodoi-bench-upload-"))
    source = tmp / "source.pdf"
    make_pdf(source)
    env = {**demo_database(tmp), "MAX_UPLOAD_MB": "128"}  # demo_database removes tmp when the process ends
    line("upload_100mb_gunicorn", "local", measure(env, source, tmp))

    (tmp / "seaweed").mkdir()
    seaweed = Seaweed(Registry(), tmp / "seaweed")
    try:
        seaweed.start()  # started after the local line, so that its idle CPU is not in the local figures
        client = s3_client(seaweed)
        client.create_bucket(Bucket=BUCKET)  # here, so that the first upload does not time the app creating it
        s3_env = {**env, "STORAGE_URL": f"s3://{BUCKET}/evidence", "S3_ENDPOINT_URL": seaweed.endpoint,
                  "AWS_ACCESS_KEY_ID": seaweed.access_key, "AWS_SECRET_ACCESS_KEY": seaweed.secret_key,
                  "UPLOAD_TMP_DIR": str(tmp / "upload-tmp")}
        figures = measure(s3_env, source, tmp, put=lambda: put_seconds(client, source), store_pid=seaweed.proc.pid)
        stored = client.list_objects_v2(Bucket=BUCKET, Prefix="evidence/")["KeyCount"]
        assert stored == ROUNDS, f"{stored} objects in s3://{BUCKET}/evidence, not {ROUNDS}: not the S3 backend?"
        line("upload_100mb_gunicorn_s3", "s3", figures)
    finally:
        seaweed.stop()
        shutil.rmtree(tmp / "seaweed", ignore_errors=True)  # its data: 300 MB of objects
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
