"""Downloading evidence: only for those who see the task, always as an attachment."""

from __future__ import annotations

from flask import Blueprint, abort, send_file
from flask_login import current_user

from app.core import audit
from app.core.permissions import allowed
from app.evidence.models import Evidence
from app.extensions import db

bp = Blueprint("evidence", __name__)


def load_evidence_or_404(evidence_id: int, user) -> Evidence:
    """The evidence row if the user sees its task; 404 (and an audit row) otherwise."""
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None:
        abort(404)
    from app.tasks.models import Task

    task = db.session.get(Task, evidence.task_id)
    if not allowed(user, "see_task", task):
        audit.record_now("access_denied", evidence, user=user)
        abort(404)
    return evidence


def send_evidence(evidence: Evidence):
    """The stored bytes, checked against their SHA-256, as an attachment with its Vietnamese name."""
    from app.evidence.services import evidence_file

    path, name, content_type = evidence_file(evidence)
    audit.record_now("download", evidence)
    response = send_file(path, mimetype=content_type, as_attachment=True, download_name=name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/evidence/<int:evidence_id>")
def download(evidence_id: int):
    """Download one evidence file."""
    return send_evidence(load_evidence_or_404(evidence_id, current_user))
