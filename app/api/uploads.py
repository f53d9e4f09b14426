"""Resumable uploads through the API (tus 1.0.0, core and creation): a file sent in pieces becomes evidence."""

from app.api.views import bp
from app.evidence import tus
from app.tasks import uploads


@bp.route("/tasks/<int:task_id>/uploads", methods=["POST", "OPTIONS"], provide_automatic_options=False)
@tus.speaks_tus
def create_upload(task_id: int):
    """Begin a resumable upload of one evidence file (OPTIONS: what the server supports)."""
    return uploads.create(task_id, "api.resume_upload")


@bp.route("/tasks/<int:task_id>/uploads/<upload_id>", methods=["HEAD", "PATCH"])
@tus.speaks_tus
def resume_upload(task_id: int, upload_id: str):
    """HEAD: the bytes the server holds; PATCH: the next piece (the last one makes the file evidence)."""
    return uploads.resume(task_id, upload_id)
