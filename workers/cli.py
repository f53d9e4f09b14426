"""``flask worker [--burst]``: an RQ worker with the scheduler, plus the periodic jobs."""

from __future__ import annotations

import logging
import os
import signal
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from redis.exceptions import ConnectionError as RedisConnectionError

from app.core.jobs import QUEUES, redis_connection
from app.extensions import db
from workers.schedule import TICK_LOCK, Ticker, tick

log = logging.getLogger(__name__)
#: Seconds between RQ loops when one quit on its own (Redis went away mid-job).
RESTART_SECONDS = 5


def _app_worker_class():
    """An RQ worker that never forks a work horse while the ticker thread is inside a transaction."""
    from rq import Worker

    class AppWorker(Worker):
        stop_asked = False

        def fork_work_horse(self, job, queue):
            with TICK_LOCK:
                return super().fork_work_horse(job, queue)

        def request_stop(self, signum, frame):
            self.stop_asked = True  # a warm shutdown asked for: the loop below must not start again
            return super().request_stop(signum, frame)

    return AppWorker


def _dispose_engines_in_child() -> None:
    """A forked work horse must not share the parent's database connections."""
    for engine in db.engines.values():
        engine.dispose(close=False)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Dừng khi hàng đợi trống.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run the jobs of every queue and the periodic jobs on their schedule."""
    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        _run_periodic_only(app, burst)
        return
    from rq import Queue

    connection = redis_connection()
    os.register_at_fork(after_in_child=_dispose_engines_in_child)
    worker_class = _app_worker_class()

    def new_worker():
        return worker_class([Queue(name, connection=connection) for name in QUEUES], connection=connection)

    if burst:
        tick()
        new_worker().work(burst=True, with_scheduler=True)
        return
    Ticker(app).start()
    _work_until_stopped(new_worker)


def _work_until_stopped(new_worker) -> None:
    """Run RQ's loop, and again whenever it quits on its own: only a stop request ends the worker.

    RQ leaves its loop on an error it does not expect, such as Redis going away
    while a job is in hand; a worker that then exited would send no mail after
    the outage until someone restarted it.
    """
    while True:
        rq_worker = None
        try:
            rq_worker = new_worker()  # RQ asks Redis for this process's address already here
            rq_worker.work(with_scheduler=True)
        except RedisConnectionError:  # still down when the loop starts or registers itself: wait, try again
            pass
        if rq_worker is not None and rq_worker.stop_asked:
            return
        log.warning("the RQ loop quit on its own (Redis unreachable?); starting it again in %s s", RESTART_SECONDS)
        for name in (signal.SIGINT, signal.SIGTERM):
            signal.signal(name, signal.SIG_DFL)  # a stop asked during the wait ends the process at once
        time.sleep(RESTART_SECONDS)


def _run_periodic_only(app, burst: bool) -> None:
    """Without Redis, jobs run where they are enqueued; this process keeps the schedule."""
    click.echo("Không có REDIS_URL: chạy các công việc định kỳ trong tiến trình này.")
    if burst:
        tick()
        return
    ticker = Ticker(app)
    ticker.start()
    try:
        ticker.join()
    except KeyboardInterrupt:
        ticker.stopped.set()
