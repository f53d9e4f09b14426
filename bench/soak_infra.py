"""The processes of `make soak`: PostgreSQL, Redis, SeaweedFS (the object store), an SMTP recorder, gunicorn
masters, `flask worker`s.

Every process is started in a session of its own (so a Ctrl-C in the terminal reaches only the
driver, which then stops them in order) and is registered, so that `stop_all` ends each one by
its id, never by name.
"""

from __future__ import annotations

import email.parser
import email.policy
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

from bench import seaweed

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    """Poll until `predicate()` is truthy; its value, or RuntimeError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except Exception:  # not up yet
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class Registry:
    """Every process the soak started: stopped at the end, each by its own id."""

    def __init__(self):
        self.procs: list[subprocess.Popen] = []
        self.lock = threading.Lock()

    def popen(self, args: list[str], log: Path, env: dict | None = None, cwd: Path = ROOT,
              **kwargs) -> subprocess.Popen:
        handle = open(log, "ab")
        try:
            proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True, **kwargs)
        finally:
            handle.close()
        proc.log_path = log
        with self.lock:
            self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        with self.lock:
            procs = list(self.procs)
        for proc in reversed(procs):
            terminate(proc, grace=10)


def horses(pid: int) -> list[int]:
    """An RQ worker's work horses: its children that lead a process group of their own."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            try:
                if os.getpgid(child) == child:
                    found.append(child)
            except ProcessLookupError:
                pass
    return found


def terminate(proc: subprocess.Popen, grace: float = 10) -> None:
    """SIGTERM the process, SIGKILL its group (and RQ horses) if it does not end within `grace` seconds."""
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
        except ProcessLookupError:
            pass
    kill_group(proc)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL a process started in its own session, everything in its group, and its RQ horses."""
    if proc.poll() is None:
        for horse in horses(proc.pid):
            try:
                os.killpg(horse, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the group is the session we started: only our processes
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        pass


# -- PostgreSQL ---------------------------------------------------------------------------------------

def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: [int(x) for x in p.split("/")[4].split(".") if x.isdigit()])
    return candidates[-1] if candidates else None


class Postgres:
    """A throwaway cluster made with initdb on a free port (as `postgres` when run as root), or a given URL."""

    def __init__(self, registry: Registry, given_url: str | None):
        self.registry = registry
        self.given_url = given_url
        self.datadir: str | None = None
        self.ctl: str | None = None
        self.url = given_url

    def _as_owner(self, args: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args] if shutil.which("runuser") else \
                ["su", "postgres", "-c", " ".join(args)]
        return args

    def start(self) -> str:
        if self.given_url:
            self._reset_schema(self.given_url)
            return self.given_url
        initdb, self.ctl, psql = _pg_bin("initdb"), _pg_bin("pg_ctl"), _pg_bin("psql")
        if not (initdb and self.ctl and psql):
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql), or set SOAK_PG_URL")
        self.datadir = tempfile.mkdtemp(prefix="theodoi-soak-pg-")
        if os.geteuid() == 0:
            shutil.chown(self.datadir, "postgres")
        port = free_port()
        log = Path(self.datadir) / "log"
        subprocess.run(self._as_owner([initdb, "-D", self.datadir, "-A", "trust", "-U", "postgres", "-E", "UTF8"]),
                       check=True, capture_output=True)
        subprocess.run(self._as_owner([self.ctl, "-D", self.datadir, "-l", str(log), "-w", "-o",
                                       f"-p {port} -k {self.datadir} -c listen_addresses=127.0.0.1 "
                                       "-c max_connections=200", "start"]), check=True, capture_output=True)
        subprocess.run([psql, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-qc", "CREATE DATABASE soak"],
                       check=True, capture_output=True)
        self.url = f"postgresql://postgres@127.0.0.1:{port}/soak"
        return self.url

    @staticmethod
    def _reset_schema(url: str) -> None:
        """A database given for the soak is throwaway: start it from nothing."""
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")

    def stop(self) -> None:
        if self.datadir and self.ctl:
            subprocess.run(self._as_owner([self.ctl, "-D", self.datadir, "-m", "immediate", "stop"]),
                           capture_output=True)
            shutil.rmtree(self.datadir, ignore_errors=True)
            self.datadir = None


# -- Redis ----------------------------------------------------------------------------------------------

class Redis:
    """A redis-server on a fixed free port, without persistence: a restart comes back empty."""

    def __init__(self, registry: Registry, workdir: Path):
        self.registry = registry
        self.binary = shutil.which("redis-server")
        if not self.binary:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = self.registry.popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(self.workdir)],
                                        self.workdir / "redis.log")
        wait_for(self._ping, 15, "redis-server")

    def _ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def stop(self) -> None:
        if self.proc is not None:
            terminate(self.proc, grace=10)
            self.proc = None


# -- SeaweedFS (S3) -------------------------------------------------------------------------------------

class Seaweed(seaweed.Seaweed):
    """SeaweedFS (bench/seaweed.py) with its data in `workdir`, started through the registry (so that `stop_all`
    ends it too), the soak's bucket made before it counts as ready."""

    def __init__(self, registry: Registry, workdir: Path):
        super().__init__(workdir, access_key="soak", bucket="theodoi-soak", popen=registry.popen)


# -- SMTP -----------------------------------------------------------------------------------------------

class Recorder:
    """aiosmtpd handler: every message answered 250 is counted by its X-Theodoi-Mail / Message-ID."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_mail: Counter = Counter()       # X-Theodoi-Mail id -> deliveries
        self.by_message_id: Counter = Counter()  # Message-ID -> deliveries
        self.without_id = 0
        self.total = 0
        self._parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)

    async def handle_DATA(self, server, session, envelope):
        headers = self._parser.parsebytes(envelope.original_content or envelope.content)
        mail_id, message_id = headers.get("X-Theodoi-Mail"), headers.get("Message-ID")
        with self.lock:
            self.total += 1
            if mail_id and mail_id.strip().isdigit():
                self.by_mail[int(mail_id)] += 1
            else:
                self.without_id += 1
            if message_id:
                self.by_message_id[message_id.strip()] += 1
        return "250 OK"

    def snapshot(self) -> tuple[Counter, Counter, int, int]:
        with self.lock:
            return Counter(self.by_mail), Counter(self.by_message_id), self.without_id, self.total


class Smtp:
    """An aiosmtpd server in this process, on 127.0.0.1 and a free port."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.recorder = Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, ready_timeout=10,
                                     data_size_limit=10 * 1024 * 1024)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        try:
            self.controller.stop()
        except Exception:
            pass


# -- the app's processes ----------------------------------------------------------------------------------

class Gunicorn:
    """One gunicorn master with its workers on a fixed port; can be stopped and started again. `cwd`: its
    "machine" (a directory of its own; the repository is on PYTHONPATH, its settings given with -c)."""

    def __init__(self, registry: Registry, env: dict, logdir: Path, name: str, workers: int = 2, cwd: Path = ROOT):
        self.registry, self.env, self.logdir, self.name, self.workers = registry, env, logdir, name, workers
        self.cwd = cwd
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        self.proc = self.registry.popen(
            [PY, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", str(self.workers),
             "-b", f"127.0.0.1:{self.port}", "--capture-output",
             "--control-socket", str(self.logdir / f"{self.name}.ctl"),
             "--access-logfile", str(self.logdir / f"{self.name}-access.log"),
             "--access-logformat", '%(t)s %(p)s "%(r)s" %(s)s %(B)s %(M)sms',
             "--error-logfile", str(self.logdir / f"{self.name}-error.log"), "wsgi:app"],
            self.logdir / f"{self.name}-stdout.log", env=self.env, cwd=self.cwd)
        wait_for(self.healthy, 60, f"gunicorn {self.name} on port {self.port}", interval=0.2)

    def healthy(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"gunicorn {self.name} exited with {self.proc.returncode}; see {self.logdir}")
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as response:
            return response.status == 200

    def stop(self, grace: float = 40) -> None:
        """A graceful stop: the master closes its socket, workers finish the request in hand."""
        if self.proc is not None:
            terminate(self.proc, grace=grace)
            self.proc = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class FlaskWorker:
    """`flask --app wsgi worker`: RQ on every queue of the app, with the periodic ticker."""

    def __init__(self, registry: Registry, env: dict, logdir: Path, name: str, cwd: Path = ROOT):
        self.registry, self.env, self.logdir, self.name, self.cwd = registry, env, logdir, name, cwd
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        self.proc = self.registry.popen([PY, "-m", "flask", "--app", "wsgi", "worker"],
                                        self.logdir / f"{self.name}.log", env=self.env, cwd=self.cwd)

    def sigkill(self, wait_busy: float = 0.0) -> bool:
        """SIGKILL the worker with its work horse, preferably while a horse runs a job; True if one was killed."""
        deadline = time.monotonic() + wait_busy
        while not horses(self.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.005)
        found = horses(self.proc.pid)
        for horse in found:
            try:
                os.killpg(horse, signal.SIGKILL)
            except ProcessLookupError:
                pass
        kill_group(self.proc)
        return bool(found)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def flask_run(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """A one-off `flask --app wsgi ...` command (migrations, seed, sweep); raises on failure."""
    result = subprocess.run([PY, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=timeout, start_new_session=True)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result
