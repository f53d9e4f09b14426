"""Jobs: thin functions that take ids, call a service and commit (through `job`)."""

from __future__ import annotations

from app.auth.services import purge_expired_tokens
from workers.base import job


@job
def purge_tokens() -> int:
    """Delete expired API tokens."""
    return purge_expired_tokens()


@job
def open_new_periods() -> int:
    """Create each recurring requirement's task for the periods opened since the last run."""
    from app.directives.services import open_new_periods as open_periods

    return open_periods()
