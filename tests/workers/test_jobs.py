"""Jobs start only after the commit, through RQ on a real Redis or in-process."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from redis import Redis
from rq import Queue
from sqlalchemy import func

from app.auth.models import ApiToken
from app.core import clock
from app.core.jobs import enqueue_after_commit
from app.core.models import PeriodicRun
from app.extensions import db
from tests.conftest import free_port
from workers.schedule import tick

ROOT = Path(__file__).resolve().parents[2]


def _expired_token(tree) -> None:
    db.session.add(ApiToken(user_id=tree.users["staff_a"].id, token_hash="x" * 64,
                            expires_at=clock.now() - timedelta(hours=1)))
    db.session.commit()


def _tokens() -> int:
    db.session.rollback()
    return db.session.scalar(db.select(func.count()).select_from(ApiToken))


def run_flask(app, *args, redis_url=None, timeout=120):
    """Run ``flask --app wsgi ...`` in a subprocess on the test database."""
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], APP_ENV="testing",
               STORAGE_DIR=app.config["STORAGE_DIR"], OUTBOX_DIR=app.config["OUTBOX_DIR"])
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_inline_job_runs_after_commit_not_before(tree):
    _expired_token(tree)
    enqueue_after_commit("workers.jobs.purge_tokens")
    db.session.flush()
    assert db.session.scalar(db.select(func.count()).select_from(ApiToken)) == 1  # not yet
    db.session.commit()
    assert _tokens() == 0


def test_rolled_back_change_starts_no_job(tree):
    _expired_token(tree)
    enqueue_after_commit("workers.jobs.purge_tokens")
    db.session.rollback()
    db.session.commit()  # a later commit must not carry the dropped job
    assert _tokens() == 1


def test_rq_job_is_enqueued_after_commit_and_run_by_the_worker(app, tree, redis_url):
    _expired_token(tree)
    queue = Queue("periodic", connection=Redis.from_url(redis_url))
    enqueue_after_commit("workers.jobs.purge_tokens", queue="periodic")
    db.session.flush()
    assert queue.count == 0
    db.session.commit()
    assert queue.count == 1
    assert _tokens() == 1  # queued, not run here
    result = run_flask(app, "worker", "--burst", redis_url=redis_url)
    assert result.returncode == 0, result.stderr
    assert _tokens() == 0
    assert queue.count == 0


def test_redis_down_does_not_break_the_commit(app, tree, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    _expired_token(tree)
    enqueue_after_commit("workers.jobs.purge_tokens", queue="periodic")
    db.session.commit()  # no exception: the periodic sweep will do the work later
    assert _tokens() == 1


def test_periodic_slot_runs_once_however_many_ticks(tree):
    clock.freeze(clock.parse_instant("2022-05-20T08:00:00"))
    everything = ["purge-tokens", "open-new-periods", "escalation-sweep", "flush-outbox", "purge-uploads"]
    assert tick() == everything
    assert tick() == []
    clock.freeze(clock.parse_instant("2022-05-20T08:01:00"))  # only the every-minute job has a new slot
    assert tick() == ["flush-outbox"]
    clock.freeze(clock.parse_instant("2022-05-20T09:00:01"))  # the next hourly slot: all of them
    assert tick() == everything
    assert db.session.scalar(db.select(func.count()).select_from(PeriodicRun)) == 11


def test_no_periodic_slot_is_used_up_while_redis_is_down(app, tree, redis_url, monkeypatch):
    """A slot claimed while nothing could be queued was lost: mail waited a minute more after Redis came back."""
    clock.freeze(clock.parse_instant("2022-05-20T08:00:00"))
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # down
    assert tick() == []
    assert db.session.scalar(db.select(func.count()).select_from(PeriodicRun)) == 0
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)  # back, within the same minute
    assert tick() == ["purge-tokens", "open-new-periods", "escalation-sweep", "flush-outbox", "purge-uploads"]


def test_two_burst_workers_claim_each_slot_once(app, tree, redis_url):
    _expired_token(tree)
    env_args = ("worker", "--burst")
    procs = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", *env_args], cwd=ROOT,
                              env=dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                                       APP_ENV="testing", REDIS_URL=redis_url),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    for proc in procs:
        assert proc.wait(120) == 0, proc.stderr.read()
    db.session.rollback()
    runs = db.session.scalars(db.select(PeriodicRun.name)).all()
    assert runs.count("purge-tokens") == 1
    assert _tokens() == 0


def test_worker_without_redis_keeps_the_schedule(app, tree):
    _expired_token(tree)
    result = run_flask(app, "worker", "--burst")
    assert result.returncode == 0, result.stderr
    assert "REDIS_URL" in result.stdout
    assert _tokens() == 0
