"""Background jobs, enqueued by name and only after the transaction commits.

With ``REDIS_URL`` set, jobs go to RQ queues named by purpose. Without it they
run in this process right after the commit, each in an app context (and so a
database session) of its own. A job that cannot be enqueued (Redis down) is
logged and dropped: the database rows it would act on stay pending, and the
periodic sweep picks them up, so nothing is lost.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

log = logging.getLogger(__name__)

QUEUES = ("emails", "periodic", "default")
_PENDING = "pending_jobs"


@dataclass(frozen=True)
class JobCall:
    """A job to run: the dotted path of its function and its id arguments."""

    func: str
    args: tuple
    queue: str = "default"


def enqueue_after_commit(func: str, *args, queue: str = "default") -> None:
    """Queue a job to start once the current transaction commits; dropped on rollback."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue}")
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback, even of nothing yet, drops the job
    session.info.setdefault(_PENDING, []).append(JobCall(func, args, queue))


def dispatch(call: JobCall) -> None:
    """Hand one job to RQ, or run it here when no Redis is configured."""
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        try:
            queue_for(call.queue).enqueue(call.func, *call.args, job_timeout=600)
        except Exception:  # Redis down: the outbox and the sweep recover it
            log.warning("could not enqueue %s%r; left to the sweep", call.func, call.args, exc_info=True)
        return
    run_inline(call)


def run_inline(call: JobCall) -> None:
    """Run a job in a fresh app context so it has a session of its own."""
    app = current_app._get_current_object()
    with app.app_context():
        try:
            resolve(call.func)(*call.args)
        except Exception:
            log.exception("inline job %s%r failed", call.func, call.args)
            db.session.rollback()


def resolve(dotted: str):
    """The function a dotted path names (jobs are referred to by name only)."""
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def redis_connection():
    """A Redis client for REDIS_URL."""
    from redis import Redis

    return Redis.from_url(current_app.config["REDIS_URL"])


def queue_for(name: str):
    """The RQ queue of that purpose."""
    from rq import Queue

    return Queue(name, connection=redis_connection())


def queue_status() -> str:
    """``ok`` when Redis answers, ``inline`` without Redis, ``down`` otherwise."""
    if not current_app.config.get("REDIS_URL"):
        return "inline"
    try:
        redis_connection().ping()
        return "ok"
    except Exception:
        return "down"


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: the outer transaction has not committed yet
    calls = session.info.pop(_PENDING, [])
    for call in calls:
        dispatch(call)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous) -> None:
    if previous.nested:
        return  # a savepoint rolled back; the outer transaction may still commit
    session.info.pop(_PENDING, None)
