"""Claiming a periodic job's slot, so one worker of many runs it."""

from __future__ import annotations

import socket
from datetime import datetime, timezone

from sqlalchemy.exc import IntegrityError

from app.core.models import PeriodicRun
from app.extensions import db


def slot_start(moment: datetime, every_seconds: int) -> datetime:
    """The start of the schedule slot an instant falls in."""
    stamp = int(moment.timestamp()) // every_seconds * every_seconds
    return datetime.fromtimestamp(stamp, tz=timezone.utc)


def claim(name: str, slot: datetime) -> bool:
    """Take the slot for this process; False when another worker already has it.

    The UNIQUE (name, slot) key decides, so no lock server is needed and
    several workers on several machines never run the same slot twice.
    """
    try:
        with db.session.begin_nested():
            db.session.add(PeriodicRun(name=name, slot=slot, claimed_by=f"{socket.gethostname()}"))
    except IntegrityError:
        return False
    return True
