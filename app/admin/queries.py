"""Reads for the administration pages: accounts, units to choose from, marked days, the mail outbox."""

from __future__ import annotations

from app.auth.models import User
from app.auth.services import search_filter
from app.core.models import CalendarDay
from app.extensions import db
from app.notices.models import Mail
from app.units.models import Unit

#: The calendar page lists at most this many marked days, the latest first.
MARKED_DAYS_SHOWN = 200


def unit_choices() -> list[tuple[int, str]]:
    """Every unit as an (id, name) choice, in tree order."""
    return [(unit.id, unit.name) for unit in db.session.scalars(db.select(Unit).order_by(Unit.path))]


def accounts(text: str = ""):
    """A select of the accounts by user name, those matching `text` when it is given."""
    query = db.select(User).order_by(User.username)
    return query.where(search_filter(text)) if text else query


def marked_days() -> list[CalendarDay]:
    """The days marked against the usual calendar, the latest first."""
    return list(db.session.scalars(db.select(CalendarDay).order_by(CalendarDay.day.desc()).limit(MARKED_DAYS_SHOWN)))


def mail_counts() -> dict[str, int]:
    """How many mails the outbox holds in each status (statuses with none are absent)."""
    return dict(db.session.execute(db.select(Mail.status, db.func.count()).group_by(Mail.status)).all())


def mails_in(status: str):
    """A select of the outbox's mails in a status, the newest first."""
    return db.select(Mail).where(Mail.status == status).order_by(Mail.id.desc())
