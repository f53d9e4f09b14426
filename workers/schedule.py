"""The periodic jobs, declared as data, and the ticker that starts them on time."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from app.core import clock
from app.core.jobs import enqueue_after_commit, queue_status
from app.core.periodic import claim, slot_start
from app.extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    """A job to run once per slot of ``every_seconds``."""

    name: str
    func: str
    every_seconds: int
    queue: str = "periodic"


SCHEDULE: tuple[Periodic, ...] = (
    Periodic("purge-tokens", "workers.jobs.purge_tokens", 3600),
    Periodic("open-new-periods", "workers.jobs.open_new_periods", 3600),
    Periodic("escalation-sweep", "workers.jobs.escalation_sweep", 900),
    Periodic("flush-outbox", "workers.jobs.flush_outbox", 60),
    Periodic("purge-uploads", "workers.jobs.purge_uploads", 3600),
)
#: How often the ticker looks at the schedule.
TICK_SECONDS = 20
#: Held while the ticker is inside a database transaction; the worker forks its work horses only outside
#: it, because a child forked mid-transaction inherits SQLite's in-process lock state and waits out the
#: busy timeout.
TICK_LOCK = threading.Lock()


def tick(schedule: tuple[Periodic, ...] = SCHEDULE) -> list[str]:
    """Start every periodic job whose current slot nobody has claimed; returns their names."""
    started = []
    if queue_status() == "down":
        return started  # a slot claimed now could queue nothing: leave it to the first tick after Redis is back
    for periodic in schedule:
        if claim(periodic.name, slot_start(clock.now(), periodic.every_seconds)):
            enqueue_after_commit(periodic.func, queue=periodic.queue)
            started.append(periodic.name)
    db.session.commit()  # the claims, then (after commit) the jobs
    return started


class Ticker(threading.Thread):
    """Runs `tick` every TICK_SECONDS in an app context of its own, until stopped."""

    def __init__(self, app):
        super().__init__(name="periodic-ticker", daemon=True)
        self.app = app
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            with self.app.app_context(), TICK_LOCK:
                try:
                    tick()
                except Exception:
                    log.exception("periodic tick failed")
                    db.session.rollback()
                finally:
                    db.session.remove()  # give the connection back before the lock is released
            self.stopped.wait(TICK_SECONDS)
