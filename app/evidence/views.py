"""Downloading evidence: only for those who see the task, always as an attachment. Resumable uploads (tus) from
the task page, under the session's log-in (CSRF from the X-CSRFToken header)."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from app.evidence import trust, tus
from app.evidence.downloads import load_evidence_or_404, send_evidence
from app.tasks import uploads

bp = Blueprint("evidence", __name__)


@bp.app_template_global()
def signature_view(entries) -> dict | None:
    """A file's stored signatures as templates/_signatures.html shows them; None when unsigned."""
    return trust.view(entries)


@bp.get("/evidence/<int:evidence_id>")
def download(evidence_id: int):
    """Download one evidence file."""
    return send_evidence(load_evidence_or_404(evidence_id, current_user))


@bp.route("/tasks/<int:task_id>/uploads", methods=["POST", "OPTIONS"], provide_automatic_options=False)
@tus.speaks_tus
def create_upload(task_id: int):
    """Begin a resumable upload of one evidence file (OPTIONS: what the server supports)."""
    return uploads.create(task_id, "evidence.resume_upload")


@bp.route("/tasks/<int:task_id>/uploads/<upload_id>", methods=["HEAD", "PATCH"])
@tus.speaks_tus
def resume_upload(task_id: int, upload_id: str):
    """HEAD: the bytes the server holds; PATCH: the next piece (the last one makes the file evidence)."""
    return uploads.resume(task_id, upload_id)
