"""``flask worker [--burst]``: an RQ worker with the scheduler, plus the periodic jobs."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from app.core.jobs import QUEUES, redis_connection
from app.extensions import db
from workers.schedule import TICK_LOCK, Ticker, tick


def _app_worker_class():
    """An RQ worker that never forks a work horse while the ticker thread is inside a transaction."""
    from rq import Worker

    class AppWorker(Worker):
        def fork_work_horse(self, job, queue):
            with TICK_LOCK:
                return super().fork_work_horse(job, queue)

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
    rq_worker = _app_worker_class()([Queue(name, connection=connection) for name in QUEUES], connection=connection)
    if burst:
        tick()
        rq_worker.work(burst=True, with_scheduler=True)
        return
    Ticker(app).start()
    rq_worker.work(with_scheduler=True)


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
