"""Changes to directives: drafts from extraction, editing, publishing, new periods, closing.

Services change state and flush; the caller commits (one commit per request or job).
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import insert, literal, select

from app.core import audit, clock
from app.core.errors import DomainError
from app.directives import deadlines
from app.directives.extraction.text import fold
from app.directives.models import Directive, DirectiveReference, Requirement
from app.extensions import db
from app.notices.services import notify_units_assigned
from app.tasks.models import Task
from app.units.models import Unit, UnitGroup
from app.units.queries import match_names

NO_REQUIREMENTS = "Không tìm thấy yêu cầu nào trong văn bản. Hãy kiểm tra nội dung hoặc nhập các yêu cầu bằng tay."

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
    if re.search(r"\b(?:ra soat|kiem ke)\b", folded) and re.search(r"\b(?:may|thiet bi)\b", folded):
        return "inventory"
    reports = re.search(r"\bbao cao\b", folded)
    if reports and (deadlines.is_recurring(deadline) or re.search(r"\b(?:so lieu|ty le|muc do 3)\b", folded)):
        return "figures"
    if reports or re.search(r"\bgiai trinh\b", folded):
        return "written_report"
    return "action"


def create_draft(issuer: Unit, user, extracted: dict, *, body: str = "", source: tuple[str, str] | None = None,
                 read_by_ocr: bool = False) -> Directive:
    """A draft directive from an extraction (header fields may have been overridden by the caller)."""
    if not extracted.get("requirements"):
        raise DomainError(NO_REQUIREMENTS)
    directive = Directive(issuer=issuer, created_by_id=getattr(user, "id", None), body=body, state="draft",
                          read_by_ocr=read_by_ocr)
    if source:
        directive.source_filename, directive.source_stored_name = source
    set_header(directive, extracted)
    db.session.add(directive)
    set_requirements(directive, [_requirement_fields(r) for r in extracted["requirements"]])
    set_references(directive, extracted.get("references") or [])
    directive.named_units = match_names(extracted.get("named_units") or [], issuer)
    db.session.flush()
    audit.record("directive_created", directive, user=user)
    return directive


def _requirement_fields(extracted: dict) -> dict:
    kind = guess_kind(extracted["text"], extracted.get("deadline"))
    return {"label": extracted.get("label"), "text": extracted["text"], "deadline": extracted.get("deadline"),
            "kind": kind, "evidence_wanted": EVIDENCE_BY_KIND[kind]}


HEADER_FIELDS = ("number", "place", "issuer_name", "subject", "signer_name", "signer_title")


def set_header(directive: Directive, fields: dict) -> None:
    """Copy the header fields given (extraction names or model names) onto the directive."""
    directive.number = _blank_to_none(fields.get("number"))
    directive.issued_on = _as_date(fields.get("issued_on"))
    directive.place = _blank_to_none(fields.get("place"))
    directive.issuer_name = _blank_to_none(fields.get("issuer") or fields.get("issuer_name"))
    directive.subject = _blank_to_none(fields.get("subject"))
    signer = fields.get("signer") or {}
    directive.signer_name = _blank_to_none(signer.get("name") if signer else fields.get("signer_name"))
    directive.signer_title = _blank_to_none(signer.get("title") if signer else fields.get("signer_title"))
    directive.addressees = list(fields.get("addressees") or [])
    directive.recipients = list(fields.get("recipients") or [])


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


def set_requirements(directive: Directive, rows: list[dict]) -> None:
    """Replace a draft's requirements by these rows, in order (validated)."""
    if not rows:
        raise DomainError(NO_REQUIREMENTS)
    directive.requirements.clear()
    for position, row in enumerate(rows):
        text = (row.get("text") or "").strip()
        if not text:
            raise DomainError(f"Yêu cầu thứ {position + 1} chưa có nội dung.")
        requirement = Requirement(
            position=position, label=_blank_to_none(row.get("label")), text=text,
            kind=row.get("kind") or "action", deadline=deadlines.validate_rule(row.get("deadline")),
            evidence_wanted=row.get("evidence_wanted"), lead_unit_id=row.get("lead_unit_id"),
        )
        if row.get("cooperating_unit_ids"):
            requirement.cooperating_units = list(
                db.session.scalars(select(Unit).where(Unit.id.in_(row["cooperating_unit_ids"])))
            )
        directive.requirements.append(requirement)


def set_references(directive: Directive, references: list[dict]) -> None:
    """Store the cited documents, linked to the directive on file with the same number."""
    directive.references.clear()
    for position, ref in enumerate(references):
        target = None
        if ref.get("number"):
            target = db.session.scalar(
                select(Directive.id).where(Directive.number == ref["number"], Directive.issuer_unit_id.in_(
                    select(Unit.id).where(Unit.path.startswith(_root_path(directive)))))
                .order_by(Directive.id).limit(1)
            )
        directive.references.append(DirectiveReference(position=position, number=ref["number"],
                                                       issued_on=_as_date(ref.get("issued_on")), target_id=target))


def _root_path(directive: Directive) -> str:
    """The path of the top of the issuer's tree: a reference may cite any unit of it."""
    issuer = directive.issuer or db.session.get(Unit, directive.issuer_unit_id)
    return "/" + issuer.path.strip("/").split("/")[0] + "/"


def target_units(directive: Directive, choice) -> list[int]:
    """The ids of the units a publication goes to: "all" below the issuer, "named" ones, or a list of ids."""
    below = select(Unit.id).where(Unit.path.startswith(directive.issuer.path), Unit.id != directive.issuer_unit_id)
    if choice in (None, "all"):
        ids = list(db.session.scalars(select(Unit.id).where(Unit.parent_id == directive.issuer_unit_id)))
    elif choice == "named":
        named = [n["unit_id"] for n in directive.named_units if n.get("unit_id")]
        ids = list(db.session.scalars(below.where(Unit.id.in_(named))))
    elif isinstance(choice, str) and choice.startswith("group:") and choice[6:].isdigit():
        group = db.session.get(UnitGroup, int(choice[6:]))
        if group is None or not directive.issuer.path.startswith(_unit_path(group.owner_unit_id)):
            raise DomainError("Không tìm thấy nhóm đơn vị.")
        ids = list(db.session.scalars(below.where(Unit.id.in_(group.unit_ids))))
    elif isinstance(choice, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in choice):
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


def publish(directive: Directive, user, unit_ids: list[int], deadline_overrides: dict | None = None) -> int:
    """Publish a draft: one task per requirement per unit (current period when recurring); returns the count."""
    if directive.state != "draft":
        raise DomainError("Chỉ ban hành được văn bản đang là dự thảo.", status=409)
    if not directive.requirements:
        raise DomainError(NO_REQUIREMENTS)
    _apply_deadline_overrides(directive, deadline_overrides or {})
    today = clock.today()
    directive.state, directive.published_at = "published", clock.now()
    count = _create_tasks(directive, directive.requirements, unit_ids, today)
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


def _create_tasks(directive: Directive, requirements, unit_ids: list[int], today: date) -> int:
    """Insert the tasks with one INSERT … SELECT per requirement: the database builds the rows itself."""
    calendar = None
    created = 0
    for requirement in requirements:
        rule = requirement.deadline
        if deadlines.is_recurring(rule):
            period = deadlines.first_period(rule, today)
            key, due_on = period.key, period.due_on
        else:
            if rule and rule.get("working_days") and calendar is None:
                from app.core.calendar import calendar_between

                calendar = calendar_between(today, today.replace(year=today.year + 1))
            key, due_on = "", deadlines.due_date(rule, today, calendar)
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


def add_units(directive: Directive, user, unit_ids: list[int]) -> int:
    """Give a published directive's tasks to more units; returns the tasks created."""
    if directive.state != "published":
        raise DomainError("Chỉ thêm đơn vị cho văn bản đã ban hành và chưa kết thúc.", status=409)
    have = set(db.session.scalars(select(Task.unit_id).where(Task.directive_id == directive.id).distinct()))
    new_ids = [unit_id for unit_id in unit_ids if unit_id not in have]
    count = _create_tasks(directive, directive.requirements, new_ids, clock.today()) if new_ids else 0
    notify_units_assigned(directive, new_ids)
    if new_ids:
        audit.record("directive_units_added", directive, user=user, detail={"unit_ids": new_ids})
    return count


def change_deadline(directive: Directive, requirement: Requirement, rule, user) -> int:
    """Set a new deadline rule; unfinished tasks of the current period follow it; returns how many."""
    if directive.state == "closed":
        raise DomainError("Văn bản đã kết thúc, không sửa được thời hạn.", status=409)
    old, requirement.deadline = requirement.deadline, deadlines.validate_rule(rule)
    if directive.state != "published":
        return 0
    published_on = clock.local_date(directive.published_at)
    if deadlines.is_recurring(requirement.deadline):
        period = deadlines.first_period(requirement.deadline, clock.today())
        values = {"due_on": period.due_on}
        query = select(Task).where(Task.requirement_id == requirement.id, Task.period == period.key)
    else:
        values = {"due_on": deadlines.due_date(requirement.deadline, published_on)}
        query = select(Task).where(Task.requirement_id == requirement.id)
    changed = 0
    for task in db.session.scalars(query.where(Task.state.in_(("open", "returned")))):
        task.due_on = values["due_on"]
        changed += 1
    audit.record("deadline_changed", requirement, user=user, detail={"from": old, "to": requirement.deadline,
                                                                     "tasks": changed})
    return changed


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
