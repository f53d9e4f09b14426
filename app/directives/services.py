"""Changes to directives: drafts from extraction, editing, publishing, new periods, closing.

Services change state and flush; the caller commits (one commit per request or job).
"""

from __future__ import annotations

import functools
import re
import uuid
from datetime import date

from sqlalchemy import insert, literal, select

from app.core import audit, clock, storage
from app.core.errors import DomainError
from app.core.limits import column_length, is_id
from app.directives import deadlines
from app.directives.extraction.text import fold
from app.directives.models import Directive, DirectiveReference, Requirement
from app.extensions import db
from app.notices.models import Notice
from app.notices.services import notify_units_assigned
from app.tasks.models import Task, TaskHistory
from app.units.models import Unit, UnitGroup
from app.units.queries import match_names

NO_REQUIREMENTS = "Không tìm thấy yêu cầu nào trong văn bản. Hãy kiểm tra nội dung hoặc nhập các yêu cầu bằng tay."
NOTHING_TO_PUBLISH = "Dự thảo chưa có yêu cầu nào: nhập ít nhất một yêu cầu (Sửa dự thảo) rồi mới ban hành."
#: The most requirements a directive holds: a long plan has a hundred or so; each becomes a task per unit, and
#: every one is a row of the draft form.
MAX_REQUIREMENTS = 300
#: What the header fields are called on the page, for the messages that name them.
HEADER_LABELS = {"number": "Số, ký hiệu", "place": "Địa danh", "issuer_name": "Cơ quan ban hành",
                 "subject": "Trích yếu", "signer_name": "Người ký", "signer_title": "Chức vụ người ký"}

#: What each kind of requirement asks the unit to attach, unless the office says otherwise.
EVIDENCE_BY_KIND = {
    "figures": "Số liệu của kỳ báo cáo; báo cáo bằng văn bản nếu văn bản yêu cầu.",
    "inventory": "Bảng rà soát thiết bị kèm đề xuất sửa chữa, mua sắm.",
    "written_report": "Báo cáo bằng văn bản có chữ ký, đóng dấu (PDF).",
    "action": "Tài liệu minh chứng việc thực hiện (nếu có).",
}


def guess_kind(text: str, deadline: dict | None) -> str:
    """What form a requirement wants, from its wording: inventory, figures, written report or action."""
    folded = fold(text)
    if re.search(r"\b(?:ra soat|thong ke|kiem ke)\b.{0,80}?\b(?:thiet bi|may|tai san|ho so)\b", folded):
        return "inventory"  # a list of things to count: machines, assets, files
    reports = re.search(r"\bbao cao\b", folded)
    if reports and (deadlines.is_recurring(deadline) or re.search(r"\bbao cao\b.{0,80}?\b(?:so lieu|ket qua|ty le)\b",
                                                                   folded)):
        return "figures"  # "báo cáo … số liệu / kết quả / tỷ lệ": figures, not prose
    if reports or re.search(r"\bgiai trinh\b", folded):
        return "written_report"
    return "action"


def create_draft(issuer: Unit, user, extracted: dict, *, body: str = "", source: tuple[str, str] | None = None,
                 read_by_ocr: bool = False, allow_empty: bool = False) -> Directive:
    """A draft directive from an extraction (header fields may have been overridden by the caller).

    Without requirements it is refused, unless `allow_empty` (the office types them in the draft form).
    """
    if not extracted.get("requirements") and not allow_empty:
        raise DomainError(NO_REQUIREMENTS)
    directive = Directive(issuer=issuer, created_by_id=getattr(user, "id", None), body=body, state="draft",
                          read_by_ocr=read_by_ocr)
    if source:
        directive.source_filename, directive.source_stored_name = source
    set_header(directive, extracted)
    db.session.add(directive)
    set_requirements(directive, [_requirement_fields(r) for r in extracted.get("requirements") or []],
                     allow_empty=allow_empty)
    set_references(directive, extracted.get("references") or [])
    directive.named_units = match_names(extracted.get("named_units") or [], issuer)
    db.session.flush()
    audit.record("directive_created", directive, user=user)
    return directive


def _requirement_fields(extracted: dict) -> dict:
    deadline = extracted.get("deadline")
    kind = guess_kind(extracted["text"], deadline)
    return {"label": extracted.get("label"), "text": extracted["text"], "deadline": deadline,
            "kind": kind, "evidence_wanted": EVIDENCE_BY_KIND[kind]}


HEADER_FIELDS = ("number", "place", "issuer_name", "subject", "signer_name", "signer_title")


def set_header(directive: Directive, fields: dict) -> None:
    """Copy the header fields given (extraction names or model names) onto the directive; a text that is not one,
    or longer than its column, is refused naming its field."""
    signer = fields.get("signer") or {}
    values = {"number": fields.get("number"), "place": fields.get("place"),
              "issuer_name": fields.get("issuer") or fields.get("issuer_name"),
              "subject": without_vv(fields.get("subject")),
              "signer_name": signer.get("name") if signer else fields.get("signer_name"),
              "signer_title": signer.get("title") if signer else fields.get("signer_title")}
    for name, value in values.items():
        setattr(directive, name, fitting(_blank_to_none(value), getattr(Directive, name), HEADER_LABELS[name]))
    directive.issued_on = _as_date(fields.get("issued_on"))
    directive.addressees = list(fields.get("addressees") or [])
    directive.recipients = list(fields.get("recipients") or [])


def without_vv(subject):
    """A subject without a leading "V/v" or "V/v:" (pages and documents print their own)."""
    if not isinstance(subject, str):
        return subject
    return re.sub(r"^\s*v\s*/\s*v\b\s*[:.]?\s*", "", subject, flags=re.IGNORECASE)


def fitting(value, attribute, label: str):
    """A text for a column, refused in Vietnamese when it is not text or longer than the column holds
    (PostgreSQL would refuse it at the INSERT; SQLite would keep it whole)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise DomainError(f"{label} phải là chữ, không phải {type(value).__name__}.")
    limit = column_length(attribute)
    if limit and len(value) > limit:
        raise DomainError(f"{label} dài {len(value)} ký tự; tối đa {limit} ký tự.")
    return value


def _blank_to_none(value):
    value = (value or "").strip() if isinstance(value, str) else value
    return value or None


def _as_date(value) -> date | None:
    """An ISO date (or None); anything else is refused in Vietnamese."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(f"Ngày không hợp lệ: {value!r}. Dùng dạng YYYY-MM-DD (ví dụ 2022-04-14).") from None


def set_requirements(directive: Directive, rows: list[dict], allow_empty: bool = False) -> None:
    """Replace a draft's requirements by these rows, in order (validated); none only if `allow_empty`."""
    if not rows and not allow_empty:
        raise DomainError(NO_REQUIREMENTS)
    if len(rows) > MAX_REQUIREMENTS:  # refused whole: keeping the first ones would drop the rest unseen
        raise DomainError(f"Văn bản có {len(rows)} yêu cầu; tối đa {MAX_REQUIREMENTS}. Hãy tách thành nhiều văn bản "
                          "hoặc gộp các yêu cầu nhỏ vào mục lớn.")
    directive.requirements.clear()
    for position, row in enumerate(rows):
        text = (row.get("text") or "").strip()
        if not text:
            raise DomainError(f"Yêu cầu thứ {position + 1} chưa có nội dung.")
        where = f"Yêu cầu thứ {position + 1}"
        requirement = Requirement(
            position=position, label=fitting(_blank_to_none(row.get("label")), Requirement.label, f"{where}: số mục"),
            text=text, kind=row.get("kind") or "action", deadline=deadlines.validate_rule(row.get("deadline")),
            evidence_wanted=row.get("evidence_wanted"),
        )
        lead = row.get("lead_unit_id")
        requirement.lead_unit = _units_of(directive, [lead], f"{where}: đơn vị chủ trì")[0] if lead else None
        requirement.cooperating_units = _units_of(directive, row.get("cooperating_unit_ids") or [],
                                                  f"{where}: đơn vị phối hợp")
        directive.requirements.append(requirement)


def _units_of(directive: Directive, unit_ids: list, what: str) -> list[Unit]:
    """The units of these ids in the issuer's tree; an id that is none of them is refused, never dropped."""
    wanted = set(unit_ids)
    valid = {unit_id for unit_id in wanted if is_id(unit_id)}  # a larger number never reaches the database
    found = list(db.session.scalars(select(Unit).where(
        Unit.id.in_(valid), Unit.path.startswith(_issuer(directive).path)).order_by(Unit.id))) if valid else []
    missing = sorted(map(str, wanted - {unit.id for unit in found}))
    if missing:
        raise DomainError(f"{what}: không tìm thấy đơn vị mã {', '.join(missing)} trong các đơn vị của bạn.")
    return found


def _issuer(directive: Directive) -> Unit:
    return directive.issuer or db.session.get(Unit, directive.issuer_unit_id)


def set_references(directive: Directive, references: list[dict]) -> None:
    """Store the cited documents, linked to the directive on file with the same number."""
    directive.references.clear()
    for position, ref in enumerate(references):
        target, number = None, fitting(ref["number"], DirectiveReference.number, "Số văn bản được dẫn chiếu")
        if number:
            target = db.session.scalar(
                select(Directive.id).where(Directive.number == number, Directive.issuer_unit_id.in_(
                    select(Unit.id).where(Unit.path.startswith(_root_path(directive)))))
                .order_by(Directive.id).limit(1)
            )
        directive.references.append(DirectiveReference(position=position, number=number,
                                                       issued_on=_as_date(ref.get("issued_on")), target_id=target))


def _root_path(directive: Directive) -> str:
    """The path of the top of the issuer's tree: a reference may cite any unit of it."""
    return "/" + _issuer(directive).path.strip("/").split("/")[0] + "/"


def target_units(directive: Directive, choice) -> list[int]:
    """The ids of the units a publication goes to: "all" below the issuer, "named" ones, or a list of ids."""
    below = select(Unit.id).where(Unit.path.startswith(directive.issuer.path), Unit.id != directive.issuer_unit_id)
    if choice in (None, "all"):
        ids = list(db.session.scalars(select(Unit.id).where(Unit.parent_id == directive.issuer_unit_id)))
    elif choice == "named":
        named = [n["unit_id"] for n in directive.named_units if n.get("unit_id")]
        ids = list(db.session.scalars(below.where(Unit.id.in_(named))))
    elif isinstance(choice, str) and re.fullmatch(r"group:[0-9]{1,19}", choice) and is_id(int(choice[6:])):
        group = db.session.get(UnitGroup, int(choice[6:]))
        if group is None or not directive.issuer.path.startswith(_unit_path(group.owner_unit_id)):
            raise DomainError("Không tìm thấy nhóm đơn vị.")
        ids = list(db.session.scalars(below.where(Unit.id.in_(group.unit_ids))))
    elif isinstance(choice, list):
        if not all(map(is_id, choice)):  # a larger number never reaches the database
            raise DomainError("Danh sách đơn vị có mã đơn vị không hợp lệ.")
        ids = list(db.session.scalars(below.where(Unit.id.in_(choice))))
        if len(ids) != len(set(choice)):
            raise DomainError("Danh sách đơn vị có đơn vị không thuộc quyền giao việc của đơn vị ban hành.")
    else:
        raise DomainError('"units" phải là "all", "named" hoặc danh sách mã đơn vị.')
    if not ids:
        raise DomainError("Chưa chọn đơn vị nào để giao việc.")
    return ids


def _unit_path(unit_id: int) -> str:
    return db.session.scalar(select(Unit.path).where(Unit.id == unit_id)) or "//"


def check_publishable(directive: Directive) -> None:
    """Refuse to publish what is not a draft, or a draft with no requirement."""
    if directive.state != "draft":
        raise DomainError("Chỉ ban hành được văn bản đang là dự thảo.", status=409)
    if not directive.requirements:
        raise DomainError(NOTHING_TO_PUBLISH)


def publish_preview(directive: Directive, unit_ids: list[int]) -> dict:
    """What publishing to these units would create: one task per requirement per unit."""
    check_publishable(directive)
    return {"tasks": len(directive.requirements) * len(unit_ids), "units": len(unit_ids)}


def register(directive: Directive, number: str | None, issued_on: date | None) -> None:
    """The registry's number and issue date, given when the office publishes (either may stay empty)."""
    directive.number = fitting(_blank_to_none(number), Directive.number, HEADER_LABELS["number"])
    directive.issued_on = issued_on


def publish(directive: Directive, user, unit_ids: list[int], deadline_overrides: dict | None = None) -> int:
    """Publish a draft: one task per requirement per unit (current period when recurring); returns the count."""
    check_publishable(directive)
    _apply_deadline_overrides(directive, deadline_overrides or {})
    directive.state, directive.published_at = "published", clock.now()
    count = _create_tasks(directive, directive.requirements, unit_ids, clock.today())
    notify_units_assigned(directive, unit_ids)
    audit.record("directive_published", directive, user=user, detail={"units": len(unit_ids), "tasks": count})
    return count


def _apply_deadline_overrides(directive: Directive, overrides: dict) -> None:
    by_id = {str(r.id): r for r in directive.requirements}
    for key, rule in overrides.items():
        requirement = by_id.get(str(key))
        if requirement is None:
            raise DomainError(f"Không có yêu cầu mã {key} trong văn bản này.")
        requirement.deadline = deadlines.validate_rule(rule)


def due_on_for(directive: Directive, rule: dict | None, received_on: date) -> date | None:
    """A one-off rule's due day for a unit that received the directive that day: a relative rule counts from the
    issue date, unless it says "from": "receipt" or the directive has no date."""
    anchor = directive.issued_on if deadlines.counts_from_issue(rule, directive.issued_on) else received_on
    return deadlines.due_date(rule, anchor)


def _create_tasks(directive: Directive, requirements, unit_ids: list[int], received_on: date) -> int:
    """Insert the tasks with one INSERT … SELECT per requirement: the database builds the rows itself."""
    created = 0
    for requirement in requirements:
        rule = requirement.deadline
        if deadlines.is_recurring(rule):
            period = deadlines.first_period(rule, received_on)
            key, due_on = period.key, period.due_on
        else:
            key, due_on = "", due_on_for(directive, rule, received_on)
        created += _insert_tasks(requirement, unit_ids, key, due_on)
    return created


def _insert_tasks(requirement: Requirement, unit_ids: list[int], period: str, due_on) -> int:
    """One task per unit for a requirement and period, fresh (open, empty)."""
    if not unit_ids:
        return 0
    table = Task.__table__
    now = clock.now()
    values = {"directive_id": requirement.directive_id, "requirement_id": requirement.id, "period": period,
              "due_on": due_on, "state": "open", "data": {}, "created_at": now, "updated_at": now, "version": 1}
    columns = [*values, "unit_id"]
    source = select(*(literal(value, table.c[name].type) for name, value in values.items()), Unit.id).where(
        Unit.id.in_(unit_ids))
    statement = insert(table).from_select(columns, source).execution_options(preserve_rowcount=True)
    return db.session.execute(statement).rowcount


def _new_units(directive: Directive, unit_ids: list[int]) -> list[int]:
    """The units of the list that have no task of the directive yet (a published directive only)."""
    if directive.state != "published":
        raise DomainError("Chỉ thêm đơn vị cho văn bản đã ban hành và chưa kết thúc.", status=409)
    have = set(db.session.scalars(select(Task.unit_id).where(Task.directive_id == directive.id).distinct()))
    return [unit_id for unit_id in unit_ids if unit_id not in have]


def add_units_preview(directive: Directive, unit_ids: list[int]) -> dict:
    """What giving the directive to these units would create; units that already have its tasks are skipped."""
    new_ids = _new_units(directive, unit_ids)
    return {"tasks": len(directive.requirements) * len(new_ids), "units": len(new_ids),
            "skipped": len(unit_ids) - len(new_ids)}


def add_units(directive: Directive, user, unit_ids: list[int]) -> int:
    """Give a published directive's tasks to more units (received today); returns the tasks created."""
    new_ids = _new_units(directive, unit_ids)
    count = _create_tasks(directive, directive.requirements, new_ids, clock.today()) if new_ids else 0
    notify_units_assigned(directive, new_ids)
    if new_ids:
        audit.record("directive_units_added", directive, user=user, detail={"unit_ids": new_ids})
    return count


def _check_not_closed(directive: Directive) -> None:
    if directive.state == "closed":
        raise DomainError("Văn bản đã kết thúc, không sửa được thời hạn.", status=409)


def vn_day(day: date | None) -> str:
    """A due day as pages and history write it; none is said in words."""
    return f"{day:%d/%m/%Y}" if day else "không có thời hạn"


def deadline_changes(directive: Directive, requirement: Requirement, rule) -> list[tuple[Task, date | None]]:
    """The unfinished tasks (of the current period, when recurring) a rule gives another due day, with that day."""
    rule = deadlines.validate_rule(rule)
    if directive.state != "published":
        return []
    query = select(Task).where(Task.requirement_id == requirement.id, Task.state.in_(("open", "returned")))
    if deadlines.is_recurring(rule):
        period = deadlines.first_period(rule, clock.today())
        query, due_for = query.where(Task.period == period.key), (lambda _day: period.due_on)
    else:
        due_for = functools.cache(lambda received_on: due_on_for(directive, rule, received_on))
    changes = [(task, due_for(clock.local_date(task.created_at)))
               for task in db.session.scalars(query.order_by(Task.unit_id, Task.id))]
    return [(task, due) for task, due in changes if due != task.due_on]


def deadline_preview(directive: Directive, requirement: Requirement, rule) -> dict:
    """What a new rule would change, said before it is done: the rule before and after, and per pair of days
    a line "22 nhiệm vụ của 22 đơn vị: hạn 31/05/2022 → 15/06/2022"."""
    _check_not_closed(directive)
    rule = deadlines.validate_rule(rule)
    changes = deadline_changes(directive, requirement, rule)
    pairs: dict[tuple, list[Task]] = {}
    for task, due in changes:
        pairs.setdefault((task.due_on, due), []).append(task)
    lines = [f"{len(tasks)} nhiệm vụ của {len({t.unit_id for t in tasks})} đơn vị: hạn {vn_day(old)} → {vn_day(new)}"
             for (old, new), tasks in pairs.items()]
    return {"before": deadlines.describe(requirement.deadline, directive.issued_on),
            "after": deadlines.describe(rule, directive.issued_on), "lines": lines, "tasks": len(changes),
            "removes": rule is None and requirement.deadline is not None}


def change_deadline(directive: Directive, requirement: Requirement, rule, user) -> int:
    """Set a new deadline rule; each unfinished task it moves gets the new day and a history row, and each unit
    an in-app notice; returns how many tasks moved."""
    _check_not_closed(directive)
    old, requirement.deadline = requirement.deadline, deadlines.validate_rule(rule)
    changes = deadline_changes(directive, requirement, requirement.deadline)
    now, batch = clock.now(), uuid.uuid4().hex[:12]
    history, notices = [], {}
    for task, due in changes:
        history.append({"task_id": task.id, "at": now, "user_id": getattr(user, "id", None),
                        "action": "deadline_changed", "from_state": task.state, "to_state": task.state,
                        "comment": f"{vn_day(task.due_on)} → {vn_day(due)}", "address": audit.client_address()})
        notices.setdefault(task.unit_id, _deadline_notice(directive, requirement, task, due, now, batch))
        task.due_on = due
    if history:
        db.session.execute(insert(TaskHistory), history)
        db.session.execute(insert(Notice), list(notices.values()))
    audit.record("deadline_changed", requirement, user=user, detail={"from": old, "to": requirement.deadline,
                                                                     "tasks": len(changes)})
    return len(changes)


def _deadline_notice(directive: Directive, requirement: Requirement, task: Task, due, now, batch: str) -> dict:
    """The in-app notice telling a unit its task has a new due day."""
    item = f" mục {requirement.label}" if requirement.label else ""
    return {"key": f"deadline:{requirement.id}:{task.unit_id}:{batch}", "kind": "deadline_changed",
            "channel": "in_app", "unit_id": task.unit_id, "directive_id": directive.id, "task_id": task.id,
            "status": "sent", "attempts": 0, "created_at": now, "sent_at": now,
            "subject": f"Đổi hạn {directive.number or 'văn bản'}{item}: hạn mới {vn_day(due)} "
                       f"(trước đây {vn_day(task.due_on)})"[:300],
            "body": requirement.text[:500]}


def delete_draft(directive: Directive, user) -> None:
    """Delete a draft with its requirements and its original file; a published directive is kept."""
    if directive.state != "draft":
        raise DomainError("Văn bản đã ban hành nên không xoá được; có thể “Kết thúc theo dõi” thay cho xoá.",
                          status=409)
    audit.record("directive_deleted", directive, user=user,
                 detail={"number": directive.number, "subject": directive.subject})
    if directive.source_stored_name:
        storage.delete_after_commit(directive.source_stored_name)
    db.session.delete(directive)
    db.session.flush()


def close(directive: Directive, user) -> None:
    """Close a published directive: no new periods start; existing tasks stay as they are."""
    if directive.state != "published":
        raise DomainError("Chỉ kết thúc được văn bản đã ban hành.", status=409)
    directive.state = "closed"
    audit.record("directive_closed", directive, user=user)


def open_new_periods(today: date | None = None) -> int:
    """Create each recurring requirement's task for every period opened since its last one.

    Run by a periodic job; it is idempotent (the UNIQUE requirement, unit, period
    key) and catches up every period missed while it was not running. Each new
    period's task starts fresh: open, empty, never copying a closed state.
    """
    today = today or clock.today()
    created = 0
    for requirement in _recurring_requirements():
        latest = _latest_period_by_unit(requirement.id)
        # Units that started on the same period move on together: one insert per period.
        by_key: dict[str, list[int]] = {}
        for unit_id, key in latest.items():
            by_key.setdefault(key, []).append(unit_id)
        for key, unit_ids in by_key.items():
            start = deadlines.period_from_key(requirement.deadline, key)
            for period in deadlines.periods_through(requirement.deadline, start, today):
                created += _insert_tasks(requirement, unit_ids, period.key, period.due_on)
    return created


def _recurring_requirements() -> list[Requirement]:
    rows = db.session.scalars(
        select(Requirement).join(Directive).where(Directive.state == "published")
    )
    return [r for r in rows if deadlines.is_recurring(r.deadline)]


def _latest_period_by_unit(requirement_id: int) -> dict[int, str]:
    """The latest period key each unit has a task for (keys sort in time order)."""
    from sqlalchemy import func

    rows = db.session.execute(
        select(Task.unit_id, func.max(Task.period)).where(Task.requirement_id == requirement_id).group_by(Task.unit_id)
    )
    return dict(rows.all())
