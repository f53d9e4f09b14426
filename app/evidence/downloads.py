"""Sending an evidence file: one response for the page and the API alike."""

from __future__ import annotations

from flask import send_file

from app.core import audit
from app.core.permissions import load_or_404
from app.evidence.models import Evidence
from app.evidence.services import evidence_file


def load_evidence_or_404(evidence_id: int, user) -> Evidence:
    """The evidence row if the user sees its task; 404 (and an audit row) otherwise."""
    return load_or_404(Evidence, evidence_id, user, "see_evidence")


def send_evidence(evidence: Evidence):
    """The stored bytes, checked against their SHA-256, as an attachment with its Vietnamese name."""
    path, name, content_type = evidence_file(evidence)
    audit.record_now("download", evidence)
    response = send_file(path, mimetype=content_type, as_attachment=True, download_name=name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
