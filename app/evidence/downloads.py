"""Sending an evidence file: one response for the page and the API alike."""

from __future__ import annotations

from pathlib import Path

from app.core import audit, storage
from app.core.permissions import load_or_404
from app.evidence.models import Evidence
from app.evidence.services import evidence_file


def load_evidence_or_404(evidence_id: int, user) -> Evidence:
    """The evidence row if the user sees its task; 404 (and an audit row) otherwise."""
    return load_or_404(Evidence, evidence_id, user, "see_evidence")


def send_evidence(evidence: Evidence):
    """The stored bytes, checked against their SHA-256, as an attachment with its Vietnamese name."""
    source, name, content_type = evidence_file(evidence)
    audit.record_now("download", evidence)
    # From an object store the bytes stream through their SHA-256: a mismatch ends the response short (logged).
    etag = None if isinstance(source, Path) else evidence.sha256
    response = storage.send(source, download_name=name, mimetype=content_type, etag=etag)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
