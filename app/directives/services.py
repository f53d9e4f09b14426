"""Changes to directives: drafts from extraction, editing, the choice of units, registering, closing (their
tasks are made and moved by `app.tasks.fanout`).

Services change state and flush; the caller commits (one commit per request or job).
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from app.core import audit, storage
from app.core.errors import DomainError
from app.core.limits import column_length, is_id
from app.directives import deadlines
from app.directives.extraction.text import fold
from app.directives.models import Directive, DirectiveReference, Requirement
from app.extensions import db
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
    standing = Unit.merged_into_id.is_(None)  # a unit merged away (sáp nhập) takes no new work
    below = select(Unit.id).where(Unit.path.startswith(directive.issuer.path), Unit.id != directive.issuer_unit_id,
                                  standing)
    if choice in (None, "all"):
        ids = list(db.session.scalars(select(Unit.id).where(Unit.parent_id == directive.issuer_unit_id, standing)))
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


def vn_day(day: date | None) -> str:
    """A due day as pages and history write it; none is said in words."""
    return f"{day:%d/%m/%Y}" if day else "không có thời hạn"


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


