"""Resumable uploads through the API (tus 1.0.0, core and creation): a file sent in pieces becomes evidence."""

from flask import request
from flask_login import current_user

from app.api.views import bp
from app.core.permissions import load_or_404, require
from app.evidence import tus
from app.tasks.models import Task
from app.tasks.services import add_evidence


def _workable_task(task_id: int) -> Task:
    """The task, if the caller sees it (else 404) and works on it (else 403)."""
    task = load_or_404(Task, task_id, current_user, "see_task")
    require(current_user, "work_task", task)
    return task


@bp.route("/tasks/<int:task_id>/uploads", methods=["POST", "OPTIONS"], provide_automatic_options=False)
@tus.speaks_tus
def create_upload(task_id: int):
    """Begin a resumable upload of one evidence file (OPTIONS: what the server supports)."""
    if request.method == "OPTIONS":
        return tus.capabilities()
    return tus.begin(_workable_task(task_id), current_user, "api.resume_upload")


@bp.route("/tasks/<int:task_id>/uploads/<upload_id>", methods=["HEAD", "PATCH"])
@tus.speaks_tus
def resume_upload(task_id: int, upload_id: str):
    """HEAD: the bytes the server holds; PATCH: the next piece (the last one makes the file evidence)."""
    return tus.resume(_workable_task(task_id), current_user, upload_id, add_evidence)
