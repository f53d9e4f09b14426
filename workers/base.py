"""Running a job inside an app context of its own, committing once."""

from __future__ import annotations

import functools
import logging

from flask import current_app, has_app_context

from app.extensions import db

log = logging.getLogger(__name__)
_app = None


def _application():
    """The current app, or one built from the environment (a bare ``rq worker``)."""
    global _app
    if has_app_context():
        return current_app._get_current_object()
    if _app is None:
        from app import create_app  # only a bare `rq worker` builds an app: flask worker and tests already have one

        _app = create_app()
    return _app


def job(fn):
    """Make a function a job: ids in, a fresh session, one commit, rollback on error."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        with _application().app_context():
            try:
                result = fn(*args, **kwargs)
                db.session.commit()
                return result
            except Exception:
                db.session.rollback()
                raise

    return run
