"""Tasks through the API: list, detail, evidence, submit, review."""

import re

from flask import current_app, jsonify, request
from flask_login import current_user

from app.api.params import int_arg, json_body, text_field
from app.api.units import paged_json
from app.api.views import bp
from app.core import clock
from app.core.errors import DomainError
from app.core.periods import TASK_PERIOD, is_month
from app.core.permissions import load_or_404
from app.directives.queries import signatures_json
from app.evidence.downloads import load_evidence_or_404, send_evidence
from app.extensions import db
from app.indicators.services import check_figures
from app.tasks import services
from app.tasks.forms import NOTE_MAX
from app.tasks.models import Task
from app.tasks.queries import task_json, task_page_data, tasks_for
from app.tasks.work import figures_period


@bp.get("/tasks")
def list_tasks():
    """The tasks the user may see, filtered by directive, unit, state, group, period."""
    period = request.args.get("period")
    if period and not re.fullmatch(TASK_PERIOD, period):
        raise DomainError('Tham số "period" phải có dạng YYYY, YYYY-MM, YYYY-Qn, YYYY-Wnn hoặc YYYY-MM-DD.', status=400)
    query = tasks_for(current_user, directive=int_arg("directive"), unit=int_arg("unit"),
                      state=request.args.get("state"), group=request.args.get("group"),
                      period=period)
    today = clock.today()
    return paged_json(query, lambda task: task_json(task, today))


def evidence_json(evidence) -> dict:
    """An evidence file as the API shows it."""
    return {"id": evidence.id, "filename": evidence.filename, "size": evidence.size, "sha256": evidence.sha256,
            "content_type": evidence.content_type, "signatures": signatures_json(evidence.signatures)}


def task_detail_json(task: Task) -> dict:
    """A task with its data, evidence and history."""
    extra = task_page_data(task)
    return {
        **task_json(task), "version": task.version, "data": task.data or {}, "assignee_id": task.assignee_id,
        "submitted_at": task.submitted_at.isoformat() if task.submitted_at else None,
        "evidence": [evidence_json(e) for e in extra["evidence"]],
        "history": [{"at": h.at.isoformat(), "user_id": h.user_id, "action": h.action, "from_state": h.from_state,
                     "to_state": h.to_state, "comment": h.comment} for h in extra["history"]],
        "comments": [{"at": c.at.isoformat(), "user_id": c.user_id, "kind": c.kind, "body": c.body}
                     for c in extra["comments"]],
    }


def figures_from(values: dict, task: Task) -> dict:
    """Checked figures and their month (``period``, default the month the task page reports on)."""
    period = str(values.get("period") or figures_period(task))
    if not is_month(period):
        raise DomainError('Kỳ báo cáo "period" phải có dạng YYYY-MM.')
    return {**check_figures(values), "period": period}


def _task(task_id: int) -> Task:
    return load_or_404(Task, task_id, current_user, "see_task")


@bp.get("/tasks/<int:task_id>")
def get_task(task_id: int):
    """One task with its evidence and history."""
    return jsonify(task_detail_json(_task(task_id)))


@bp.post("/tasks/<int:task_id>/evidence")
def upload_evidence(task_id: int):
    """Attach one file (multipart ``file``) to a task."""
    task = _task(task_id)
    services.require_work(current_user, task)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise DomainError('Thiếu tệp (trường "file").', status=400)
    evidence = services.add_evidence(task, current_user, upload.stream, upload.filename,
                                     current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)
    db.session.commit()
    return jsonify(evidence_json(evidence)), 201


@bp.get("/evidence/<int:evidence_id>")
def download_evidence(evidence_id: int):
    """The bytes of an evidence file, as an attachment."""
    return send_evidence(load_evidence_or_404(evidence_id, current_user))


@bp.post("/tasks/<int:task_id>/submit")
def submit_task(task_id: int):
    """Hand a task in (``note`` optional; ``version`` optional, a stale one is 409)."""
    task = _task(task_id)
    body = json_body(optional=True)
    if isinstance(body.get("figures"), dict):  # a figures report can be filled and handed in in one call
        services.save_work(task, current_user, {"figures": figures_from(body["figures"], task)}, body.get("version"))
        body["version"] = None
    services.submit(task, current_user, text_field(body, "note", NOTE_MAX), body.get("version"))
    db.session.commit()
    return jsonify(task_detail_json(task))


@bp.post("/tasks/<int:task_id>/review")
def review_task(task_id: int):
    """Accept or return a submitted task (a commune reviewing its own task: 403)."""
    task = _task(task_id)
    body = json_body(optional=True)
    services.review(task, current_user, text_field(body, "decision") or "", text_field(body, "comment", NOTE_MAX),
                    body.get("version"), text_field(body, "figures_choice"))
    db.session.commit()
    return jsonify(task_detail_json(task))
