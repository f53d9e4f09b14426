"""What happens to a task: work saved, handed in, withdrawn, reviewed, assigned, discussed, extended.

Each service checks the version the user saw (a stale one is a 409), changes
the task, writes one history row and flushes; the caller commits.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.core import audit, clock
from app.core.errors import Conflict, DomainError, Forbidden
from app.core.permissions import allowed
from app.extensions import db
from app.indicators.services import record_figures
from app.core.jobs import enqueue_after_commit
from app.notices.models import Notice
from app.notices.services import mail_unit_notices, pending_mails_of_notice
from app.tasks.models import Comment, Task, TaskHistory, TaskRequest

WORKABLE = ("open", "returned")
STALE = "Nhiệm vụ đã được người khác cập nhật trong lúc bạn đang xem. Vui lòng tải lại trang để thấy bản mới nhất."


def check_version(task: Task, version) -> None:
    """Refuse a change made on a stale copy of the task (the version travels in forms and the API)."""
    if version is None or version == "":
        return
    try:
        seen = int(version)
    except (TypeError, ValueError):
        raise DomainError("Phiên bản nhiệm vụ không hợp lệ.", status=400) from None
    if seen != task.version:
        raise Conflict(STALE)


def _require(user, action: str, task: Task) -> None:
    if not allowed(user, action, task):
        raise Forbidden("Bạn không có quyền thực hiện thao tác này với nhiệm vụ.")


def require_work(user, task: Task) -> None:
    """Refuse (403) a user who may see the task but not work on it."""
    _require(user, "work_task", task)


def history(task: Task, user, action: str, to_state: str | None = None, comment: str | None = None) -> TaskHistory:
    """Record one step of the task's life."""
    row = TaskHistory(task_id=task.id, user_id=getattr(user, "id", None), action=action, from_state=task.state,
                      to_state=to_state or task.state, comment=comment, address=audit.client_address())
    db.session.add(row)
    return row


def save_work(task: Task, user, data: dict, version=None) -> None:
    """Keep what the unit filled in (figures, inventory rows, a note) without handing it in."""
    _require(user, "work_task", task)
    check_version(task, version)
    if task.state not in WORKABLE:
        raise Conflict("Nhiệm vụ đã nộp hoặc đã hoàn thành: rút lại trước khi sửa.")
    task.data = {**(task.data or {}), **data}
    task.updated_at = clock.now()
    history(task, user, "saved")
    db.session.flush()


def submit(task: Task, user, note: str | None = None, version=None) -> list[str]:
    """Hand the task in for review; returns what its kind usually needs and is missing (the office decides)."""
    _require(user, "work_task", task)
    check_version(task, version)
    if task.state not in WORKABLE:
        raise Conflict("Nhiệm vụ đã được nộp hoặc đã hoàn thành.")
    missing = missing_parts(task)
    if note:
        task.data = {**(task.data or {}), "note": note}
    history(task, user, "submitted", "submitted", note)
    task.state, task.submitted_at, task.submitted_on = "submitted", clock.now(), clock.today()
    figures = (task.data or {}).get("figures")
    if task.requirement.kind == "figures" and figures:
        record_figures(task.unit_id, figures["period"], figures, "task", task.id)
    db.session.flush()
    return missing


def missing_parts(task: Task) -> list[str]:
    """What the requirement's kind asks for and the task does not have yet, in Vietnamese."""
    data, kind = task.data or {}, task.requirement.kind
    missing = []
    if kind == "figures" and not data.get("figures"):
        missing.append("chưa nhập số liệu")
    if kind == "inventory" and not data.get("inventory"):
        missing.append("chưa có dòng rà soát thiết bị nào")
    if kind == "written_report" and not _has_evidence(task):
        missing.append("chưa tải lên báo cáo bằng văn bản có chữ ký")
    return missing


def _has_evidence(task: Task) -> bool:
    from app.evidence.models import Evidence

    return db.session.scalar(select(Evidence.id).where(Evidence.task_id == task.id).limit(1)) is not None


def withdraw(task: Task, user, version=None) -> None:
    """Take a handed-in task back before the office reviews it."""
    _require(user, "work_task", task)
    check_version(task, version)
    if task.state != "submitted":
        raise Conflict("Chỉ rút lại được nhiệm vụ đang chờ duyệt.")
    history(task, user, "withdrawn", "open")
    task.state, task.submitted_at, task.submitted_on = "open", None, None
    db.session.flush()


def review(task: Task, user, decision: str, comment: str | None, version=None) -> None:
    """Accept (done, on time or late by when it was handed in) or return with a required comment."""
    _require(user, "review_task", task)
    check_version(task, version)
    if task.state != "submitted":
        raise Conflict("Nhiệm vụ không ở trạng thái chờ duyệt (có thể đã được duyệt).")
    comment = (comment or "").strip()
    if decision == "accept":
        history(task, user, "accepted", "done", comment or None)
        task.state, task.done_at = "done", clock.now()
    elif decision == "return":
        if not comment:
            raise DomainError("Vui lòng ghi rõ lý do trả lại để đơn vị biết cần làm lại gì.")
        history(task, user, "returned", "returned", comment)
        db.session.add(Comment(task_id=task.id, user_id=user.id, kind="return", body=comment))
        task.state, task.submitted_at, task.submitted_on = "returned", None, None
        _notify_returned(task, comment)
    else:
        raise DomainError('Quyết định phải là "accept" (chấp nhận) hoặc "return" (trả lại).')
    audit.record("review", task, user=user, detail={"decision": decision})
    db.session.flush()


def _notify_returned(task: Task, comment: str) -> None:
    """An in-app notice to the unit and a mail to its chair and staff; the outbox key makes each return one."""
    notice = Notice(
        key=f"returned:{task.id}:{task.version}", kind="returned", channel="in_app", unit_id=task.unit_id,
        directive_id=task.directive_id, task_id=task.id, status="sent", sent_at=clock.now(),
        subject=f"Nhiệm vụ bị trả lại: {task.directive.number or ''} mục {task.requirement.label or ''}".strip(),
        body=comment)
    db.session.add(notice)
    db.session.flush()
    mail_unit_notices(Notice.id == notice.id)
    for mail_id in pending_mails_of_notice(notice.id):  # one task: send now, after the commit
        enqueue_after_commit("workers.jobs.send_mail", mail_id, queue="emails")


def assign(task: Task, user, assignee) -> None:
    """The chair gives the task to a member of the unit's staff."""
    if user.role != "unit_chair" or user.unit_id != task.unit_id:
        raise Forbidden("Chỉ Chủ tịch UBND xã phân công được nhiệm vụ của xã.")
    if assignee is None or assignee.unit_id != task.unit_id or assignee.role not in ("unit_staff", "unit_chair"):
        raise DomainError("Chỉ phân công được cho công chức của đơn vị.")
    task.assignee_id = assignee.id
    history(task, user, "assigned", comment=assignee.full_name or assignee.username)
    db.session.flush()


def add_comment(task: Task, user, body: str) -> Comment:
    """A comment; a leader's is guidance (ý kiến chỉ đạo)."""
    _require(user, "comment_task", task)
    body = (body or "").strip()
    if not body:
        raise DomainError("Vui lòng nhập nội dung ý kiến.")
    kind = "guidance" if user.role == "district_leader" else "comment"
    comment = Comment(task_id=task.id, user_id=user.id, kind=kind, body=body[:5000])
    db.session.add(comment)
    history(task, user, "guidance" if kind == "guidance" else "commented")
    db.session.flush()
    return comment


def request_change(task: Task, user, kind: str, reason: str, proposed_on: date | None) -> TaskRequest:
    """Ask for more time, or say the task does not apply to the unit."""
    _require(user, "work_task", task)
    if kind not in ("extension", "not_applicable"):
        raise DomainError("Loại đề nghị không hợp lệ.")
    if not (reason or "").strip():
        raise DomainError("Vui lòng nêu lý do.")
    if kind == "extension" and (proposed_on is None or (task.due_on and proposed_on <= task.due_on)):
        raise DomainError("Ngày đề nghị gia hạn phải sau hạn hiện tại.")
    if db.session.scalar(select(TaskRequest.id).where(TaskRequest.task_id == task.id, TaskRequest.state == "pending")):
        raise Conflict("Nhiệm vụ đã có một đề nghị đang chờ xử lý.")
    row = TaskRequest(task_id=task.id, kind=kind, reason=reason.strip(), proposed_on=proposed_on,
                      requested_by_id=user.id)
    db.session.add(row)
    history(task, user, f"requested_{kind}", comment=reason.strip())
    db.session.flush()
    return row


def decide_request(row: TaskRequest, task: Task, user, grant: bool, comment: str | None,
                   new_due: date | None = None) -> None:
    """Grant (a new due date, or the task set aside as not applicable) or refuse with a comment."""
    _require(user, "review_task", task)
    if row.state != "pending":
        raise Conflict("Đề nghị này đã được xử lý.")
    if not grant and not (comment or "").strip():
        raise DomainError("Vui lòng nêu lý do không đồng ý.")
    row.state, row.decided_by_id, row.decided_at = ("granted" if grant else "refused"), user.id, clock.now()
    row.decision_comment = (comment or "").strip() or None
    if grant and row.kind == "extension":
        due = new_due or row.proposed_on
        history(task, user, "extended", comment=f"{task.due_on:%d/%m/%Y} → {due:%d/%m/%Y}" if task.due_on else None)
        task.due_on = due
    elif grant:
        history(task, user, "not_applicable", "done", row.decision_comment or row.reason)
        task.state, task.done_at = "done", clock.now()
        task.submitted_at, task.submitted_on = clock.now(), clock.today()
        task.data = {**(task.data or {}), "not_applicable": True}
    else:
        history(task, user, f"refused_{row.kind}", comment=row.decision_comment)
    db.session.flush()
