"""The job that verifies stored signatures again when the trusted roots change (issue 19)."""

from __future__ import annotations

from app.evidence.trust import reverify_all
from workers.base import job


@job
def reverify_signatures() -> int:
    """Verify every stored signed file again with today's roots; returns how many results changed."""
    return reverify_all()
