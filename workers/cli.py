"""``flask worker [--burst]``: an RQ worker with the scheduler, plus the periodic jobs."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from app.core.jobs import QUEUES, redis_connection
from app.extensions import db
from workers.schedule import Ticker, tick


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
    from rq import Queue, Worker

    connection = redis_connection()
    os.register_at_fork(after_in_child=_dispose_engines_in_child)
    rq_worker = Worker([Queue(name, connection=connection) for name in QUEUES], connection=connection)
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
