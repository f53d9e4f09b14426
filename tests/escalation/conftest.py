"""Fixtures for the escalation tests: a real SMTP server, a Redis we can stop, real workers.

Nothing of the application is mocked: the app sends through SMTP to an
aiosmtpd server on 127.0.0.1; workers are ``flask --app wsgi worker``
subprocesses on the test database and a real redis-server; time is faked only
with ``--at`` or ``clock.freeze`` in this process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.core import clock
from app.core.models import PeriodicRun
from app.core.periodic import slot_start
from app.extensions import db
from app.notices.models import Mail
from app.units.models import Unit
from bench.soak_infra import horses as horses_of
from tests import factories
from tests.conftest import free_port
from tests.escalation.mailbox import SmtpServer
from tests.timing import patience

ROOT = Path(__file__).resolve().parents[2]
#: Seconds a claimed mail belongs to its worker, in the workers and in this process (tests of crashes).
LEASE_SECONDS = 2


# -- SMTP ------------------------------------------------------------------------------------------

@pytest.fixture
def smtp():
    """A real SMTP server on a free port; its mailbox records what it accepted."""
    server = SmtpServer(free_port()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def inline_smtp(app, smtp, monkeypatch):
    """The app (no Redis: mails go out right after the commit, in this process) sends to `smtp`."""
    monkeypatch.setitem(app.config, "SMTP_HOST", smtp.host)
    monkeypatch.setitem(app.config, "SMTP_PORT", smtp.port)
    return smtp.mailbox


# -- the clock and the sweep ------------------------------------------------------------------------

def sweep(runner, at: str | None = None) -> dict:
    """``flask escalation sweep [--at ...]`` through the CLI runner; its JSON line."""
    args = ["escalation", "sweep", *(["--at", at] if at else [])]
    db.session.rollback()  # the command runs in this app context: no stale read snapshot of ours under it
    result = runner.invoke(args=args)
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.output.strip().splitlines()[-1])


def flush(at: str | datetime | None = None) -> int:
    """The periodic flush-outbox job, run here (inline, or queued to RQ when REDIS_URL is set)."""
    from workers.jobs import flush_outbox

    db.session.rollback()  # no read snapshot of ours stays open while the job writes
    if at is not None:
        clock.freeze(clock.parse_instant(at) if isinstance(at, str) else at)
    try:
        return flush_outbox()
    finally:
        if at is not None:
            clock.freeze(None)


def mails(**where) -> list[Mail]:
    """The outbox as the database has it now."""
    db.session.rollback()
    query = db.select(Mail).order_by(Mail.id)
    for name, value in where.items():
        query = query.where(getattr(Mail, name) == value)
    return list(db.session.scalars(query))


def vn_today() -> date:
    """Today in Asia/Ho_Chi_Minh, by the real clock (workers in subprocesses read the real clock)."""
    return clock.local_date(datetime.now(timezone.utc))


# -- data ------------------------------------------------------------------------------------------

@dataclass
class Commune:
    id: int
    slug: str
    name: str
    chair: str
    staff: str
    secretary: str
    tasks: list[int] = field(default_factory=list)


@dataclass
class Setup:
    """A district, its communes and one published directive with tasks."""

    directive_id: int
    number: str
    communes: list[Commune]
    office: str
    leader: str

    def commune(self, slug: str) -> Commune:
        return next(c for c in self.communes if c.slug == slug)


def small_district(extra_communes: int = 0, number: str = "9/UBND-VP",
                   due_dates: tuple[date, ...] = (date(2022, 6, 15),)) -> Setup:
    """The factories' district (xa-a, xa-b, plus `extra_communes` more), a directive with one
    requirement per due date and a task of each for every commune. Tasks are made directly,
    so no 'assigned' mail waits in the outbox."""
    tree = factories.make_tree()
    units = [tree.commune_a, tree.commune_b]
    for index in range(extra_communes):
        slug = f"xa-{chr(ord('c') + index)}"
        unit = factories.make_unit(slug, f"Xã {chr(ord('C') + index)}", "commune", tree.district)
        factories.make_user(f"ct.{slug}", "unit_chair", unit)
        factories.make_user(f"mc.{slug}", "unit_staff", unit)
        factories.make_user(f"bt.{slug}", "observer", unit)
        units.append(unit)
    directive = factories.make_directive(tree.district, number=number, subject="Về việc báo cáo chuyển đổi số")
    communes = [Commune(u.id, u.slug, u.name, f"ct.{u.slug}@test.example", f"mc.{u.slug}@test.example",
                        f"bt.{u.slug}@test.example") for u in units]
    for label, due in enumerate(due_dates, start=1):
        requirement = factories.make_requirement(directive, f"Tổ chức triển khai nội dung {label}", label=str(label),
                                                 kind="action", deadline={"kind": "date", "date": due.isoformat()})
        for commune in communes:
            commune.tasks.append(factories.make_task(requirement, db.session.get(Unit, commune.id), due).id)
    setup = Setup(directive.id, number, communes, "vanphong@test.example", "chutich@test.example")
    db.session.commit()  # and no read transaction left open: subprocesses write next
    return setup


def hold_periodic_jobs(minutes: int = 30) -> None:
    """Claim every periodic slot of the coming minutes, as another worker would have.

    Workers started after this run no periodic job: the test alone decides when
    the outbox is flushed. Without it, a worker that starts in a new minute
    flushes the outbox itself and may take back a killed send before the test does.
    """
    from workers.schedule import SCHEDULE

    now = datetime.now(timezone.utc)
    for periodic in SCHEDULE:
        slot = slot_start(now, periodic.every_seconds)
        while slot <= now + timedelta(minutes=minutes):
            db.session.add(PeriodicRun(name=periodic.name, slot=slot, claimed_by="a test holding the schedule"))
            slot += timedelta(seconds=periodic.every_seconds)
    db.session.commit()


# -- subprocesses ------------------------------------------------------------------------------------

def flask_env(app, *, smtp: SmtpServer | None = None, redis_url: str | None = None) -> dict:
    """The environment of a ``flask --app wsgi`` subprocess on the test database."""
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], APP_ENV="testing",
               STORAGE_DIR=app.config["STORAGE_DIR"], OUTBOX_DIR=app.config["OUTBOX_DIR"],
               BASE_URL=app.config["BASE_URL"], MAIL_LEASE_SECONDS=str(LEASE_SECONDS), PYTHONUNBUFFERED="1")
    for name in ("REDIS_URL", "SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD"):
        env.pop(name, None)
    if smtp is not None:
        env.update(SMTP_HOST=smtp.host, SMTP_PORT=str(smtp.port))
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


class Processes:
    """Subprocesses started by a test, each in a session of its own; all stopped at teardown."""

    def __init__(self, logdir: Path):
        self.logdir = logdir
        self.started: list[subprocess.Popen] = []

    def start(self, env: dict, *args: str) -> subprocess.Popen:
        log = open(self.logdir / f"{len(self.started):02d}-{'-'.join(args)[:40]}.log", "wb")
        proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        proc.log_path = log.name
        log.close()
        self.started.append(proc)
        return proc

    def finish(self, proc: subprocess.Popen, seconds: float = 60) -> int:
        """Wait for a process to end (`seconds` on a quiet machine); its exit code."""
        return proc.wait(patience(seconds))

    def output(self, proc: subprocess.Popen) -> str:
        return Path(proc.log_path).read_text(errors="replace")

    @staticmethod
    def horses(proc: subprocess.Popen) -> list[int]:
        """An RQ worker's work horses (the soak finds them the same way)."""
        return horses_of(proc.pid)

    def kill_horse(self, proc: subprocess.Popen, client_pid: int) -> None:
        """SIGKILL the work horse of a worker that holds an SMTP connection (the worker lives on)."""
        assert client_pid in self.horses(proc), (client_pid, self.horses(proc))
        os.killpg(client_pid, signal.SIGKILL)

    def kill_all(self, proc: subprocess.Popen, client_pid: int | None = None) -> None:
        """SIGKILL a worker with everything it started: its horses (own groups) and its group."""
        if client_pid is not None:
            assert client_pid in self.horses(proc), (client_pid, self.horses(proc))
        for horse in self.horses(proc):
            try:
                os.killpg(horse, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(patience(10))

    def stop(self, proc: subprocess.Popen, timeout: float = 15.0) -> None:
        """A warm shutdown (SIGTERM: RQ finishes the job in hand), then SIGKILL if it does not end in time."""
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(patience(timeout))
        except subprocess.TimeoutExpired:
            self.kill_all(proc)
        except ProcessLookupError:
            pass

    def stop_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                self.kill_all(proc)


def pid_of_client(peer: tuple, server_port: int) -> int:
    """The process that holds the TCP connection from `peer` to our server (read from /proc)."""
    local = f"{int(peer[1]):04X}"
    remote = f"{server_port:04X}"
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(f":{local}") and fields[2].endswith(f":{remote}"):
            inode = fields[9]
    assert inode, f"no connection from port {peer[1]}"
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]"
                   for fd in os.listdir(f"/proc/{pid}/fd")):
                return int(pid)
        except OSError:  # gone, or not ours to look at
            continue
    raise AssertionError(f"no process holds the connection from port {peer[1]}")


@pytest.fixture
def procs(tmp_path):
    """Start subprocesses through this; every one is killed at teardown."""
    processes = Processes(tmp_path)
    try:
        yield processes
    finally:
        processes.stop_all()


# -- a Redis we can stop and start again -------------------------------------------------------------

class RedisProcess:
    """A redis-server on a fixed port that a test can stop and start."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = tempfile.mkdtemp(prefix="theodoi-redis-esc-")
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        from redis import Redis

        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", self.workdir], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + patience(10)
        while time.monotonic() < deadline:
            try:
                Redis.from_url(self.url).ping()
                return
            except Exception:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture
def own_redis(app, monkeypatch):
    """A dedicated redis-server (started), with the app switched to it; stopped at teardown."""
    server = RedisProcess()
    server.start()
    monkeypatch.setitem(app.config, "REDIS_URL", server.url)
    try:
        yield server
    finally:
        server.close()


def wait_until(predicate, timeout: float, what: str, interval: float = 0.05):
    """Poll `predicate` until it returns something truthy, or fail after `timeout` seconds (on a quiet machine)."""
    timeout = patience(timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


def shift(moment: str, **delta) -> datetime:
    return clock.parse_instant(moment) + timedelta(**delta)
