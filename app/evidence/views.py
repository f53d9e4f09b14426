"""Downloading evidence: only for those who see the task, always as an attachment."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from app.evidence.downloads import load_evidence_or_404, send_evidence

bp = Blueprint("evidence", __name__)


@bp.get("/evidence/<int:evidence_id>")
def download(evidence_id: int):
    """Download one evidence file."""
    return send_evidence(load_evidence_or_404(evidence_id, current_user))
