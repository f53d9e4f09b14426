"""A task's resumable evidence uploads (tus), the same for the API and the task page: both ways in call these."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from app.core.permissions import load_or_404, require
from app.evidence import tus
from app.tasks.models import Task
from app.tasks.services import add_evidence, check_takes_files


def _workable_task(task_id: int) -> Task:
    """The task, if the caller sees it (else 404) and works on it (else 403)."""
    task = load_or_404(Task, task_id, current_user, "see_task")
    require(current_user, "work_task", task)
    return task


def create(task_id: int, resume_endpoint: str):
    """Begin a resumable upload of one evidence file, continued at `resume_endpoint` (OPTIONS: what the server
    supports)."""
    if request.method == "OPTIONS":
        return tus.capabilities()
    task = _workable_task(task_id)
    check_takes_files(task)  # refused before any byte is sent, not after the last one
    return tus.begin(task, current_user, resume_endpoint)


def resume(task_id: int, upload_id: str):
    """HEAD: the bytes the server holds; PATCH: the next piece (the last one makes the file evidence)."""
    return tus.resume(_workable_task(task_id), current_user, upload_id, add_evidence)
