"""The end of a page action: commit what a service did, or roll back and say why, then redirect."""

from __future__ import annotations

from flask import flash, redirect

from app.core.errors import DomainError
from app.extensions import db


def commit_and_redirect(change, message: str, target: str):
    """Run a service; commit and flash `message` (``{}`` takes its result), or roll back and flash why."""
    try:
        result = change()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(message.format(result), "success")
    return redirect(target)
