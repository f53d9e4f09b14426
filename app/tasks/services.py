"""What happens to a task: work saved, handed in, withdrawn, reviewed, assigned, discussed, extended.

Each service checks the version the user saw (a stale one is a 409), changes
the task, writes one history row and flushes; the caller commits.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.core import audit, clock, storage
from app.core.errors import Conflict, DomainError, Forbidden
from app.core.jobs import enqueue_after_commit
from app.core.permissions import allowed, can_be_assigned, speaks_as_leader
from app.evidence.models import Evidence
from app.evidence.services import UploadRefused, store_evidence
from app.extensions import db
from app.indicators.services import check_figures, record_figures
from app.notices.models import Notice
from app.notices.services import mail_unit_notices, pending_mails_of_notice
from app.tasks.forms import MAX_INVENTORY_ROWS, too_many_rows
from app.tasks.models import Comment, Task, TaskHistory, TaskRequest
from app.tasks.work import figures_conflict

WORKABLE = ("open", "returned")
STALE = "Nhiệm vụ đã được người khác cập nhật trong lúc bạn đang xem. Vui lòng tải lại trang để thấy bản mới nhất."


def check_version(task: Task, version) -> None:
    """Refuse a change made on a stale copy of the task (the version travels in forms and the API)."""
    if version is None or version == "":
        return
    try:
        seen = int(version)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(float("inf"))
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


def check_work(data: dict) -> None:
    """Refuse work no page could show or no column hold, whichever path it came by: more inventory lines than
    an inventory holds, figures out of range."""
    if len(data.get("inventory") or []) > MAX_INVENTORY_ROWS:
        raise HandInRefused({"rows": too_many_rows(len(data["inventory"]))})
    if data.get("figures"):
        try:
            check_figures(data["figures"])
        except DomainError as exc:
            raise HandInRefused({"total": exc.message}) from None


def save_work(task: Task, user, data: dict, version=None) -> None:
    """Keep what the unit filled in (figures, inventory rows, a note) without handing it in."""
    _require(user, "work_task", task)
    check_version(task, version)
    check_work(data)
    if task.state not in WORKABLE:
        raise Conflict("Nhiệm vụ đã nộp hoặc đã hoàn thành: rút lại trước khi sửa.")
    task.data = {**(task.data or {}), **data}
    task.updated_at = clock.now()
    history(task, user, "saved")
    db.session.flush()


class HandInRefused(DomainError):
    """A hand-in or save refused, with a message per form field (``fields``) to show beside each."""

    def __init__(self, fields: dict[str, str], status: int = 422):
        super().__init__(" ".join(fields.values()), status)
        self.fields = fields


def hand_in(task: Task, user, data: dict | None, uploads: list, note: str | None, version, *,
            submit_now: bool, max_bytes: int) -> int:
    """Save what the unit typed, store the files chosen and, when asked, hand in: all of it or nothing.

    Returns the number of files stored; the caller commits (or rolls back on a refusal).
    """
    _require(user, "work_task", task)
    check_version(task, version)
    if task.state not in WORKABLE:
        raise Conflict("Nhiệm vụ đã nộp hoặc đã hoàn thành: không sửa, không thêm tệp được nữa.")
    check_work(data or {})
    merged = {**(task.data or {}), **(data or {})}
    if merged != (task.data or {}):  # a hand-in with nothing retyped records no save
        task.data = merged
        task.updated_at = clock.now()
        history(task, user, "saved")
    stored = store_uploads(task, user, uploads, max_bytes)
    if submit_now:
        _hand_in_now(task, user, note, extra_evidence=stored)
    db.session.flush()
    return stored


def check_takes_files(task: Task) -> None:
    """Refuse (409) a file for a task handed in or done: evidence is added while the task is being worked."""
    if task.state not in WORKABLE:
        raise Conflict("Nhiệm vụ đã nộp hoặc đã hoàn thành: không thêm tệp được nữa.")


def add_evidence(task: Task, user, stream, filename: str, max_bytes: int):
    """Check and store one file on an open task, with a step in its history; the caller commits."""
    check_takes_files(task)
    evidence = store_evidence(task, user, stream, filename, max_bytes)
    history(task, user, "evidence_added", comment=evidence.filename)
    return evidence


def store_uploads(task: Task, user, uploads: list, max_bytes: int) -> int:
    """Store a batch of files on an open task: every file, or none with the reason for each."""
    if uploads:
        check_takes_files(task)
    reasons = {}
    for upload in uploads:
        try:
            add_evidence(task, user, upload.stream, upload.filename, max_bytes)
        except UploadRefused as exc:
            reasons[upload.filename] = exc.message
    if reasons:
        lines = [f"{name}: {reasons.get(name, 'hợp lệ, nhưng chưa tải lên vì tệp khác bị từ chối')}"
                 for name in (u.filename for u in uploads)]
        raise HandInRefused({"files": "Không tệp nào được tải lên. " + "; ".join(lines) + "."})
    return len(uploads)


def submit(task: Task, user, note: str | None = None, version=None) -> list[str]:
    """Hand the task in for review (refused while its kind's figures or rows are missing)."""
    _require(user, "work_task", task)
    check_version(task, version)
    if task.state not in WORKABLE:
        raise Conflict("Nhiệm vụ đã được nộp hoặc đã hoàn thành.")
    missing = _hand_in_now(task, user, note)
    db.session.flush()
    return missing


def _hand_in_now(task: Task, user, note: str | None, extra_evidence: int = 0) -> list[str]:
    """Check what the kind needs, then mark the task handed in with one history row."""
    blockers = handin_blockers(task, note, extra_evidence)
    if blockers:
        raise HandInRefused(blockers)
    note = (note or "").strip() or None
    if note:
        task.data = {**(task.data or {}), "handin_note": note}
    history(task, user, "submitted", "submitted", note)
    task.state, task.submitted_at, task.submitted_on = "submitted", clock.now(), clock.today()
    return missing_parts(task)


def handin_blockers(task: Task, note: str | None = None, extra_evidence: int = 0) -> dict[str, str]:
    """Why the task cannot be handed in yet, by form field: figures and rows are required, an action needs
    a note or a file, a written report its text or the signed file."""
    data, kind = task.data or {}, task.requirement.kind
    has_files = extra_evidence > 0 or _has_evidence(task)
    if kind == "figures" and not data.get("figures"):
        return {"total": "Chưa nộp được: nhập số liệu của kỳ báo cáo trước khi nộp."}
    if kind == "inventory" and not data.get("inventory"):
        return {"rows": "Chưa nộp được: nhập ít nhất một dòng rà soát thiết bị (có số lượng) trước khi nộp."}
    if kind == "written_report" and not (has_files or data.get("difficulties") or data.get("proposals")):
        return {"files": "Chưa nộp được: đính kèm báo cáo bằng văn bản hoặc ghi nội dung báo cáo."}
    if kind == "action" and not (has_files or data.get("note") or (note or "").strip()):
        return {"note": "Chưa nộp được: ghi kết quả thực hiện hoặc đính kèm minh chứng."}
    return {}


def missing_parts(task: Task) -> list[str]:
    """What the office should know is missing though the task could be handed in, in Vietnamese."""
    if task.requirement.kind == "written_report" and not _has_evidence(task):
        return ["chưa tải lên báo cáo bằng văn bản có chữ ký"]
    return []


def _has_evidence(task: Task) -> bool:
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


def review(task: Task, user, decision: str, comment: str | None, version=None,
           figures_choice: str | None = None) -> None:
    """Accept (done, on time or late by when it was handed in) or return with a required comment.

    Accepting a figures report makes its figures the unit's official ones for the period; where the office
    imported other figures for it, `figures_choice` says which to keep ("task" or "import").
    """
    _require(user, "review_task", task)
    check_version(task, version)
    if task.state != "submitted":
        raise Conflict("Nhiệm vụ không ở trạng thái chờ duyệt (có thể đã được duyệt).")
    comment = (comment or "").strip()
    if decision == "accept":
        _make_figures_official(task, user, figures_choice)
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


def _make_figures_official(task: Task, user, choice: str | None) -> None:
    """Record an accepted report's figures, never over an imported row unless the office chose them."""
    figures = (task.data or {}).get("figures")
    if task.requirement.kind != "figures" or not figures:
        return
    conflict = figures_conflict(task)
    if conflict and choice not in ("task", "import"):
        raise HandInRefused({"figures_choice": f"Số liệu tháng {conflict['period']} đơn vị báo cáo khác số liệu "
                                               "đã nhập từ phần mềm một cửa: chọn số liệu giữ lại."})
    if conflict and choice == "import":
        history(task, user, "figures_kept_import", comment=f"tháng {conflict['period']}")
        return
    record_figures(task.unit_id, figures["period"], figures, "task", task.id)


def remove_evidence(task: Task, user, evidence) -> None:
    """The unit takes back a file while the task is open; the removal stays in the history."""
    _require(user, "work_task", task)
    if evidence.task_id != task.id:
        raise DomainError("Không tìm thấy tệp.", status=404)
    if task.state not in WORKABLE:
        raise Conflict("Nhiệm vụ đã nộp hoặc đã hoàn thành: không xoá tệp được nữa.")
    history(task, user, "evidence_removed", comment=evidence.filename)
    audit.record("evidence_removed", evidence, user=user, detail={"task_id": task.id})
    storage.delete_after_commit(evidence.stored_name)
    db.session.delete(evidence)
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
    if not allowed(user, "assign_task", task):
        raise Forbidden("Chỉ Chủ tịch UBND xã phân công được nhiệm vụ của xã.")
    if assignee is None or not can_be_assigned(assignee, task):
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
    kind = "guidance" if speaks_as_leader(user) else "comment"
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
