"""The task page and its actions, and the office's review queue."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.auth.models import User
from app.core.errors import DomainError
from app.core.paging import paginate
from app.core.permissions import load_or_404, require
from app.directives.deadlines import describe
from app.directives.forms import parse_vn_date
from app.extensions import db
from app.tasks import services
from app.tasks.forms import AssignForm, CommentForm, DecideForm, EvidenceForm, RequestForm, ReviewForm, SubmitForm, \
    VersionedForm
from app.tasks.models import Task, TaskRequest
from app.tasks.queries import review_queue, task_page_data
from app.tasks.work import data_from, figures_summary, form_for

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _load(task_id: int) -> Task:
    return load_or_404(Task, task_id, current_user, "see_task")


def _back(task: Task):
    return redirect(url_for("tasks.show", task_id=task.id))


def _apply(task: Task, change, message: str):
    """Run a service; commit and say so, or roll back and say why, in Vietnamese."""
    try:
        change()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        if exc.status in (403, 409, 413, 415):
            return show(task.id), exc.status  # the page again, with the reason, and the status the API would give
        return _back(task)
    db.session.commit()
    flash(message, "success")
    return _back(task)


@bp.get("/<int:task_id>")
def show(task_id: int):
    """The requirement, the form its kind asks for, the evidence, comments and history."""
    task = _load(task_id)
    return render_template("tasks/show.html", task=task, describe=describe, work_form=form_for(task),
                           missing=services.missing_parts(task),
                           figures=figures_summary(task), forms=_action_forms(task), **task_page_data(task))


def _action_forms(task: Task) -> dict:
    staff = list(db.session.scalars(select(User).where(User.unit_id == task.unit_id, User.active.is_(True),
                                                       User.role.in_(("unit_staff", "unit_chair")))))
    assign = AssignForm(assignee_id=task.assignee_id or 0)
    assign.assignee_id.choices = [(u.id, u.full_name or u.username) for u in staff]
    return {"submit": SubmitForm(version=task.version), "withdraw": VersionedForm(version=task.version),
            "review": ReviewForm(version=task.version), "assign": assign, "comment": CommentForm(),
            "request": RequestForm(), "decide": DecideForm(), "evidence": EvidenceForm()}


@bp.post("/<int:task_id>/work")
def save_work(task_id: int):
    """Save what the unit filled in for the requirement's kind."""
    task = _load(task_id)
    require(current_user, "work_task", task)
    form = form_for(task, request.form)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in (errors if isinstance(errors, list) else [errors]):
                flash(str(error), "danger")
        return _back(task), 422
    return _apply(task, lambda: services.save_work(task, current_user, data_from(task, form), form.version.data),
                  "Đã lưu.")


@bp.post("/<int:task_id>/submit")
def submit(task_id: int):
    """Hand the task in for review."""
    task = _load(task_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        abort(400)
    missing = services.missing_parts(task)
    note = f" Lưu ý: {'; '.join(missing)}." if missing else ""
    return _apply(task, lambda: services.submit(task, current_user, form.note.data, form.version.data),
                  "Đã nộp, chờ Văn phòng duyệt." + note)


@bp.post("/<int:task_id>/withdraw")
def withdraw(task_id: int):
    """Take the task back before review."""
    task = _load(task_id)
    form = VersionedForm()
    if not form.validate_on_submit():
        abort(400)
    return _apply(task, lambda: services.withdraw(task, current_user, form.version.data), "Đã rút lại để sửa.")


@bp.post("/<int:task_id>/review")
def review(task_id: int):
    """Accept, or return with a comment."""
    task = _load(task_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    message = "Đã chấp nhận kết quả." if form.decision.data == "accept" else "Đã trả lại cho đơn vị."
    return _apply(task, lambda: services.review(task, current_user, form.decision.data, form.comment.data,
                                                form.version.data), message)


@bp.post("/<int:task_id>/assign")
def assign(task_id: int):
    """The chair gives the task to one of the unit's staff."""
    task = _load(task_id)
    form = AssignForm()
    form.assignee_id.choices = []
    if not form.validate_on_submit():
        abort(400)
    assignee = db.session.get(User, form.assignee_id.data)
    return _apply(task, lambda: services.assign(task, current_user, assignee), "Đã phân công.")


@bp.post("/<int:task_id>/comments")
def comment(task_id: int):
    """Add a comment (a leader's is guidance)."""
    task = _load(task_id)
    form = CommentForm()
    if not form.validate_on_submit():
        flash("Vui lòng nhập nội dung ý kiến.", "danger")
        return _back(task)
    return _apply(task, lambda: services.add_comment(task, current_user, form.body.data), "Đã gửi ý kiến.")


@bp.post("/<int:task_id>/requests")
def make_request(task_id: int):
    """Ask for an extension, or say the task does not apply."""
    task = _load(task_id)
    form = RequestForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return _back(task)
    return _apply(task, lambda: services.request_change(task, current_user, form.kind.data, form.reason.data,
                                                        parse_vn_date(form.proposed_on.data)), "Đã gửi đề nghị.")


@bp.post("/<int:task_id>/requests/<int:request_id>")
def decide(task_id: int, request_id: int):
    """The office grants or refuses a request."""
    task = _load(task_id)
    row = db.session.get(TaskRequest, request_id)
    if row is None or row.task_id != task.id:
        abort(404)
    form = DecideForm()
    if not form.validate_on_submit():
        flash("Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy.", "danger")
        return _back(task)
    return _apply(task, lambda: services.decide_request(row, task, current_user, form.decision.data == "grant",
                                                        form.comment.data, parse_vn_date(form.new_due.data)),
                  "Đã xử lý đề nghị.")


@bp.post("/<int:task_id>/evidence")
def upload(task_id: int):
    """Attach one or several evidence files."""
    task = _load(task_id)
    require(current_user, "work_task", task)
    from app.evidence.services import store_evidence

    form = EvidenceForm()
    if not form.validate_on_submit():
        abort(400)
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not files:
        flash("Vui lòng chọn tệp.", "danger")
        return _back(task)
    limit = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024

    def store_all():
        for upload_file in files:
            store_evidence(task, current_user, upload_file.stream, upload_file.filename, limit)

    return _apply(task, store_all, f"Đã tải lên {len(files)} tệp.")


@bp.get("/review")
def queue():
    """Submitted tasks waiting for the office, oldest first."""
    require(current_user, "create_directive")
    return render_template("tasks/queue.html", page=paginate(review_queue(current_user), 50))
