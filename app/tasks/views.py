"""The task page and its actions, and the office's review queue."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.models import User
from app.core import clock
from app.core.dates import parse_vn_date
from app.core.errors import DomainError
from app.core.paging import paginate
from app.core.periods import month_label
from app.core.permissions import allowed, load_or_404, require
from app.directives.deadlines import describe
from app.evidence.models import Evidence
from app.extensions import db
from app.tasks import services
from app.tasks.forms import (
    MAX_INVENTORY_ROWS,
    AssignForm,
    CommentForm,
    DecideForm,
    RequestForm,
    ReviewForm,
    VersionedForm,
)
from app.tasks.groups import urgency
from app.tasks.models import Task, TaskRequest
from app.tasks.queries import assignable_staff, list_context, review_queue, task_page_data
from app.tasks.rows import task_row
from app.tasks.work import (
    data_from,
    figures_conflict,
    figures_period,
    figures_summary,
    form_for,
    handed_in_lines,
    typed_rows,
    with_rows,
)

bp = Blueprint("tasks", __name__, url_prefix="/tasks")
bp.add_app_template_global(task_row)  # every task list's rows (templates/tasks/_list.html)


def _load(task_id: int) -> Task:
    return load_or_404(Task, task_id, current_user, "see_task")


def _page(task: Task, status: int = 200, **typed):
    """The task page; forms given as typed (with their errors) take the place of fresh ones."""
    work_form = typed.pop("work", None) or form_for(task)
    conflict = figures_conflict(task) if task.state == "submitted" else None
    return render_template("tasks/show.html", task=task, describe=describe, work_form=work_form,
                           missing=services.missing_parts(task), handed_in=handed_in_lines(task),
                           period_label=month_label(figures_period(task)), max_rows=MAX_INVENTORY_ROWS,
                           figures=figures_summary(task), conflict=conflict,
                           urgency=urgency(task.state, task.due_on, clock.today()),
                           forms={**_action_forms(task), **typed}, **task_page_data(task)), status


def _done(task: Task, message: str):
    """Commit, say so, and show the task page again at its own address (htmx loads it whole)."""
    db.session.commit()
    flash(message, "success")
    target = url_for("tasks.show", task_id=task.id)
    if request.headers.get("HX-Request"):
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 303)


def _refused(task: Task, exc: DomainError, name: str, form, field: str | None = None):
    """Roll back, and show the page again with the reason beside its field and everything typed kept."""
    db.session.rollback()
    for field_name, message in (getattr(exc, "fields", None) or {field: exc.message}).items():
        target = form._fields.get(field_name) if field_name else None
        if target is not None and target.type not in ("FieldList", "FormField"):
            target.errors = [*target.errors, message]
        elif field_name and hasattr(form, "place_errors"):
            form.place_errors[field_name] = message
        else:
            form.form_errors.append(message)
    return _invalid(task, name, form, exc.status)


def _invalid(task: Task, name: str, form, status: int = 422):
    """The page with a refused form as typed; where that form is not on the page now, its messages lead it."""
    if not _shown(task, name):
        for errors in form.errors.values():
            for message in errors if isinstance(errors, list) else [errors]:
                flash(str(message), "danger")
    return _page(task, status, **{name: form})


def _shown(task: Task, name: str) -> bool:
    """Whether the page shows this form, with its messages, in the task's present state (a refused work form
    is shown as typed even when the task was handed in meanwhile, so nothing typed is lost)."""
    may_work = allowed(current_user, "work_task", task)
    workable = may_work and task.state in services.WORKABLE
    return {"work": may_work, "request": workable, "comment": allowed(current_user, "comment_task", task),
            "review": allowed(current_user, "review_task", task) and task.state == "submitted",
            "decide": allowed(current_user, "review_task", task),
            "assign": allowed(current_user, "assign_task", task)}.get(name, False)


#: Forms that are one button: a failed check means a stale or forged page, not something typed to correct.
BUTTONS = frozenset({"withdraw", "confirm", "assign"})


def _posted(task: Task, name: str, form, change, message: str, field: str | None = None):
    """A task form's whole answer: checked, then the service run and committed, or the page again saying why."""
    if not form.validate_on_submit():
        if name in BUTTONS:
            abort(400)
        return _invalid(task, name, form)
    return _apply(task, change, message, name, form, field)


def _apply(task: Task, change, message: str, name: str, form, field: str | None = None):
    """Run a service; commit and say so, or show the form again with the reason."""
    try:
        change()
    except DomainError as exc:
        return _refused(task, exc, name, form, field)
    return _done(task, message)


@bp.get("/<int:task_id>")
def show(task_id: int):
    """The requirement, the form its kind asks for, the evidence, comments and history."""
    return _page(_load(task_id))


def _staff_choices(task: Task) -> list[tuple[int, str]]:
    return [(u.id, u.full_name or u.username) for u in assignable_staff(task)]


def _action_forms(task: Task) -> dict:
    assign = AssignForm(assignee_id=task.assignee_id or 0)
    assign.assignee_id.choices = _staff_choices(task)
    return {"withdraw": VersionedForm(version=task.version), "review": ReviewForm(version=task.version),
            "assign": assign, "comment": CommentForm(), "request": RequestForm(), "decide": DecideForm(),
            "confirm": VersionedForm(version=task.version)}


@bp.post("/<int:task_id>/work")
def save_work(task_id: int):
    """Save what the unit typed and the files it chose; with "Nộp kết quả", hand it in too: all or nothing."""
    task = _load(task_id)
    require(current_user, "work_task", task)
    action = request.form.get("action", "save")
    form = form_for(task, request.form)
    if action.startswith(("add_row", "remove_row")) and task.requirement.kind == "inventory":
        return _edit_rows(task, form, action)
    if not form.validate_on_submit():
        return _invalid(task, "work", form)
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    limit = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    submit_now = action == "submit"
    try:
        stored = services.hand_in(task, current_user, data_from(task, form), uploads, form.handin_note.data,
                                  form.version.data, submit_now=submit_now, max_bytes=limit)
    except DomainError as exc:
        return _refused(task, exc, "work", form)
    files = f" Đã tải lên {stored} tệp." if stored else ""
    return _done(task, ("Đã nộp, chờ Văn phòng duyệt." if submit_now else "Đã lưu.") + files)


def _edit_rows(task: Task, form, action: str):
    """Add or remove an inventory line in place, keeping everything else as typed (nothing is saved)."""
    rows = typed_rows(form)
    message = None
    if action == "add_row" and len(rows) >= MAX_INVENTORY_ROWS:
        message = f"Tối đa {MAX_INVENTORY_ROWS} dòng; gộp các thiết bị cùng loại vào một dòng."
    elif action == "add_row":
        rows.append({})
    elif action.removeprefix("remove_row:").isdigit() and int(action.removeprefix("remove_row:")) < len(rows):
        rows.pop(int(action.removeprefix("remove_row:")))
    edited = with_rows(task, request.form, rows)
    if message:
        edited.place_errors["rows"] = message
    return _page(task, 422 if message else 200, work=edited)


@bp.post("/<int:task_id>/withdraw")
def withdraw(task_id: int):
    """Take the task back before review."""
    task, form = _load(task_id), VersionedForm()
    return _posted(task, "withdraw", form, lambda: services.withdraw(task, current_user, form.version.data),
                   "Đã rút lại để sửa.")


@bp.post("/<int:task_id>/review")
def review(task_id: int):
    """Accept, or return with a reason: two buttons, nothing pre-chosen."""
    task, form = _load(task_id), ReviewForm()
    message = "Đã chấp nhận kết quả." if form.decision.data == "accept" else "Đã trả lại cho đơn vị."
    return _posted(task, "review", form, lambda: services.review(task, current_user, form.decision.data,
                                                                 form.comment.data, form.version.data,
                                                                 form.figures_choice.data), message)


@bp.post("/<int:task_id>/evidence/<int:evidence_id>/delete")
def remove_evidence(task_id: int, evidence_id: int):
    """The unit removes a file it uploaded while the task is open."""
    task = _load(task_id)
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.task_id != task.id:
        abort(404)
    return _posted(task, "confirm", VersionedForm(), lambda: services.remove_evidence(task, current_user, evidence),
                   f"Đã xoá tệp {evidence.filename}.")


@bp.post("/<int:task_id>/assign")
def assign(task_id: int):
    """The chair gives the task to one of the unit's staff."""
    task, form = _load(task_id), AssignForm()
    form.assignee_id.choices = _staff_choices(task)
    return _posted(task, "assign", form,
                   lambda: services.assign(task, current_user, db.session.get(User, form.assignee_id.data)),
                   "Đã phân công.", "assignee_id")


@bp.post("/<int:task_id>/comments")
def comment(task_id: int):
    """Add a comment (a leader's is guidance)."""
    task, form = _load(task_id), CommentForm()
    return _posted(task, "comment", form, lambda: services.add_comment(task, current_user, form.body.data),
                   "Đã gửi ý kiến.")


@bp.post("/<int:task_id>/requests")
def make_request(task_id: int):
    """Ask for an extension, or say the task does not apply."""
    task, form = _load(task_id), RequestForm()
    return _posted(task, "request", form, lambda: services.request_change(
        task, current_user, form.kind.data, form.reason.data, parse_vn_date(form.proposed_on.data)), "Đã gửi đề nghị.")


@bp.post("/<int:task_id>/requests/<int:request_id>")
def decide(task_id: int, request_id: int):
    """The office grants or refuses a request."""
    task = _load(task_id)
    row = db.session.get(TaskRequest, request_id)
    if row is None or row.task_id != task.id:
        abort(404)
    form = DecideForm()
    return _posted(task, "decide", form, lambda: services.decide_request(
        row, task, current_user, form.decision.data == "grant", form.comment.data, parse_vn_date(form.new_due.data)),
        "Đã xử lý đề nghị.", "comment")


@bp.get("/review")
def queue():
    """Submitted tasks waiting for the office, oldest first."""
    require(current_user, "create_directive")
    return render_template("tasks/queue.html", page=paginate(review_queue(current_user), 50), **list_context())
