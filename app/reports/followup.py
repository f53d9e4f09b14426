"""Drafting the next follow-up dispatch from the data, as the office writes it by hand today.

The draft cites the directive it follows by number and date, states the
situation as of today (report groups, overdue units, online-service figures
against the target, missed monthly reports), names the lagging units by the
rule the office chose, restates the open requirements with deadlines, adds
one for the named units, and lists the recipients with the named communes'
Party secretaries "để p/h chỉ đạo". It is an ordinary draft: edited in the
same form, downloaded as Word, published like any directive.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from app.auth.models import User
from app.core import audit, clock
from app.core.errors import DomainError
from app.core.numbers import vnnum, vnpercent
from app.core.periods import is_month, month_label
from app.directives import deadlines
from app.directives.extraction.deadline_phrases import find_deadline
from app.directives.models import Directive, DirectiveReference, Requirement
from app.directives.services import EVIDENCE_BY_KIND, guess_kind, set_requirements
from app.directives.wording import REASONS, fill, templates_for
from app.extensions import db
from app.indicators.queries import has_figures, latest_period, ranking
from app.reports.queries import compliance, summary
from app.tasks.models import Task
from app.units.models import Unit
from app.units.naming import leaders_recipient

RULES = ("below_target", "overdue", "missed_report")
#: A restated fixed date that has passed gets this many working days from the new dispatch.
CATCH_UP = {"kind": "relative", "days": 5, "working_days": True}


def draft_follow_up(directive: Directive, user, period: str | None, rule) -> tuple[Directive, bool]:
    """A draft following `directive`, naming the units `rule` picks for `period` (YYYY-MM), and whether it is new:
    the same follow-up drafted today by the same unit, still a draft, is opened again instead of a copy."""
    if directive.state == "draft":
        raise DomainError("Chỉ soạn văn bản đôn đốc cho văn bản đã ban hành.")
    if period is not None and not is_month(period):
        raise DomainError('Kỳ "period" phải có dạng YYYY-MM.')
    today = clock.today()
    period = period or default_period(user)
    named = _chosen_units(directive, user, period, rule)
    texts = templates_for(directive.issuer_unit_id)
    values = _values(directive, user, period, named, rule, today)
    body = "\n\n".join(_opening(texts, values, named))
    same = _drafted_today(directive, user, body, [u.id for u in named], today)
    if same is not None:
        return same, False
    draft = Directive(issuer_unit_id=directive.issuer_unit_id, issuer_name=directive.issuer_name,
                      place=directive.place, state="draft", follows_id=directive.id, created_by_id=user.id,
                      subject=fill(texts["subject"], **values), addressees=list(directive.addressees or []),
                      signer_name=directive.signer_name, signer_title=directive.signer_title,
                      named_units=[{"name": bare_name(u.name), "unit_id": u.id} for u in named],
                      recipients=_recipients(directive, named, values), body=body)
    db.session.add(draft)
    set_requirements(draft, _requirements(directive, named, texts, values, today))
    draft.references.append(DirectiveReference(position=0, number=directive.number or "",
                                               issued_on=directive.issued_on, target_id=directive.id))
    db.session.flush()
    audit.record("follow_up_drafted", draft, user=user, detail={"follows": directive.id, "rule": str(rule)})
    return draft, True


def default_period(user) -> str:
    """The month a follow-up looks at unless told (YYYY-MM): the latest with figures, else this month."""
    return latest_period(user) or f"{clock.today():%Y-%m}"


def figures_warning(user, period: str | None, rule) -> str | None:
    """What the office must know when the month has no online-service figures: the draft names no unit below
    the target and says nothing of the figures, which is not the same as every unit having reached it."""
    period = period or default_period(user)
    if has_figures(user, period):
        return None
    latest = latest_period(user)
    month = month_label(period)
    effect = ("dự thảo không nêu tên đơn vị nào chưa đạt chỉ tiêu" if rule == "below_target"
              else "dự thảo không có đoạn về kết quả tiếp nhận hồ sơ trực tuyến")
    hint = f"chọn tháng {month_label(latest)} (tháng gần nhất có số liệu) hoặc " if latest else ""
    return (f"Tháng {month} chưa có số liệu dịch vụ công trực tuyến nên {effect}. "
            f"Hãy {hint}nhập số liệu tháng {month} rồi soạn lại.")


def _drafted_today(directive: Directive, user, body: str, named_ids: list[int], today: date) -> Directive | None:
    """A draft following `directive` made today by the user's unit from the same data (same opening, same units)."""
    drafts = db.session.scalars(
        select(Directive).join(User, User.id == Directive.created_by_id)
        .where(Directive.follows_id == directive.id, Directive.state == "draft", User.unit_id == user.unit_id)
        .order_by(Directive.id.desc()))
    return next((d for d in drafts if clock.local_date(d.created_at) == today and d.body == body
                 and [n.get("unit_id") for n in d.named_units or []] == named_ids), None)


def bare_name(name: str) -> str:
    """A unit's name as a dispatch writes it in a list: without "Xã", "Phường", "Thị trấn"."""
    return re.sub(r"^(?:Xã|Phường|Thị trấn|Đặc khu)\s+", "", name)


def _chosen_units(directive: Directive, user, period: str, rule) -> list[Unit]:
    """The units the office's rule names: below target, overdue, missed the report, or a hand-picked list."""
    if isinstance(rule, list):
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in rule):
            raise DomainError('"name" phải là một quy tắc hoặc danh sách mã đơn vị.')
        ids = rule
    elif rule == "below_target":
        ids = [row["unit_id"] for row in ranking(user, period) if row["below_target"]]
    elif rule == "overdue":
        ids = [u["unit_id"] for u in summary(user, directive)["units"] if u["groups"]["open_overdue"]]
    elif rule == "missed_report":
        _, table = compliance(user, directive.id)
        ids = [unit_id for unit_id, months in table.items() if months.get(period) == "missing"]
    else:
        raise DomainError('"name" phải là "below_target", "overdue", "missed_report" hoặc danh sách mã đơn vị.')
    issuer = db.session.get(Unit, directive.issuer_unit_id)
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(ids), Unit.path.startswith(issuer.path),
                                                       Unit.id != issuer.id)))
    if isinstance(rule, list) and len(units) != len(set(rule)):
        raise DomainError("Danh sách có đơn vị không thuộc quyền của đơn vị ban hành.")
    order = {unit_id: index for index, unit_id in enumerate(ids)}
    return sorted(units, key=lambda u: order.get(u.id, 0))


def _values(directive: Directive, user, period: str, named: list[Unit], rule, today: date) -> dict:
    """Everything the templates may say, from the data."""
    data = summary(user, directive)
    totals = data["totals"]
    rows = ranking(user, period)
    below = [r for r in rows if r["below_target"]]
    target = next((r["target"] for r in rows if r["target"] is not None), None)
    _, table = compliance(user, directive.id)
    issuer_short = _short_issuer(directive)
    number = directive.number or ""
    when = f"{directive.issued_on:%d/%m/%Y}" if directive.issued_on else ""
    subject = _topic(directive)
    return {
        "cited": _cited(number, when, subject), "cited_kind": "Công văn", "cited_number": number,
        "cited_date": when, "cited_subject": subject, "issuer_short": issuer_short,
        # Counts that may pass a thousand are written as people read them (1.234).
        "as_of": f"{today:%d/%m/%Y}", "tasks": vnnum(sum(totals.values())), "units": len(data["units"]),
        "done": vnnum(totals["done_on_time"] + totals["done_late"]), "overdue": vnnum(totals["open_overdue"]),
        "overdue_units": sum(1 for u in data["units"] if u["groups"]["open_overdue"]),
        "month": month_label(period), "below_count": len(below),
        "target": vnpercent(target) if target is not None else "",
        "missed_count": sum(1 for months in table.values() if months.get(period) == "missing"),
        "level": _level(named), "names": join_names([bare_name(u.name) for u in named]),
        "reason": REASONS["list" if isinstance(rule, list) else rule],
        "signer_role": f"{(directive.signer_title or 'Chủ tịch').capitalize()} {issuer_short}".strip(),
        "addressee": (directive.addressees or ["các đơn vị"])[0],
    }


def _short_issuer(directive: Directive) -> str:
    """"UBND huyện Tứ Kỳ": the issuer as printed, or its unit's name."""
    name = directive.issuer_name or f"UBND {directive.issuer.name[:1].lower()}{directive.issuer.name[1:]}"
    return name.replace("Ủy ban nhân dân", "UBND").replace("UỶ BAN NHÂN DÂN", "UBND")


def _topic(directive: Directive) -> str:
    """What the directive is about: its subject, else the first "về việc …" its text says (a directive typed in
    without its header, as the demo's, still cites the dispatch it carries on), else a general phrase."""
    if directive.subject:
        return directive.subject
    said = re.search(r"\bvề việc\s+([^.;:\n]{10,200}?)\s*(?:[.;:]|$)", " ".join((directive.body or "").split()))
    return said.group(1).rstrip(", ") if said else "triển khai các nội dung chỉ đạo"


def _cited(number: str, when: str, subject: str) -> str:
    """The cited dispatch by number and date, by what it is about when it has neither (never an empty slot)."""
    if not number and not when:
        return f"Công văn về việc {subject[:1].lower()}{subject[1:]}"  # mid-sentence, as the subject reads there
    return "Công văn" + (f" số {number}" if number else "") + (f" ngày {when}" if when else "")


def _level(units: list[Unit]) -> str:
    kinds = {u.kind for u in units}
    return {frozenset({"commune"}): "xã", frozenset({"ward"}): "phường"}.get(frozenset(kinds), "xã, thị trấn")


def join_names(names: list[str]) -> str:
    """"A, B và C"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1] if names else ""


def _opening(texts: dict, values: dict, named: list[Unit]) -> list[str]:
    paragraphs = [fill(texts["opening"], **values), fill(texts["situation"], **values)]
    if values["below_count"] and values["target"]:
        paragraphs.append(fill(texts["figures"], **values))
    if values["missed_count"]:
        paragraphs.append(fill(texts["missed"], **values))
    if named:
        paragraphs.append(fill(texts["lagging"], **values))
    paragraphs.append(fill(texts["lead_in"], **values))
    return paragraphs


def _requirements(directive: Directive, named: list[Unit], texts: dict, values: dict, today: date) -> list[dict]:
    """The open requirements restated with deadlines a reader (and the extractor) finds in the text, plus one
    for the named units."""
    open_ids = set(db.session.scalars(select(Task.requirement_id).where(
        Task.directive_id == directive.id, Task.state.in_(("open", "returned")))))
    rows = []
    for requirement in directive.requirements:
        if requirement.id in open_ids:
            rule = _restated_rule(requirement.deadline, today)
            rows.append(_row(with_deadline(requirement.text.replace("\n", " "), rule), rule, requirement))
    if named:
        text = fill(texts["lagging_requirement"], **values)
        rows.append(_row(text, find_deadline(text, today.year)))
    for index, row in enumerate(rows, start=1):
        row["label"] = str(index)
    if not rows:
        raise DomainError("Không còn yêu cầu nào chưa hoàn thành và không có đơn vị nào được nêu tên: "
                          "không cần văn bản đôn đốc.")
    return rows


def _row(text: str, rule: dict | None, source: Requirement | None = None) -> dict:
    kind = source.kind if source else guess_kind(text, rule)
    return {"text": text, "deadline": rule, "kind": kind,
            "evidence_wanted": source.evidence_wanted if source else EVIDENCE_BY_KIND[kind]}


def _restated_rule(rule: dict | None, today: date) -> dict | None:
    """The deadline of a restated requirement: a fixed date that has passed becomes a few working days."""
    if rule and rule.get("kind") == "date" and date.fromisoformat(rule["date"]) < today:
        return dict(CATCH_UP)
    return rule


def with_deadline(text: str, rule: dict | None) -> str:
    """The requirement's text, ending with its deadline in words unless it already says it."""
    text = text.rstrip()
    said = {k: v for k, v in (deadlines.validate_rule(rule) or {}).items() if k != "from"}  # the text says that
    if rule is None or find_deadline(text, None) == said:
        return text
    return f"{text.rstrip('.;')}; {deadlines.describe(rule, dispatch=True)}."


def _recipients(directive: Directive, named: list[Unit], values: dict) -> list[str]:
    """Như trên, the leaders, the named communes' Party secretaries "để p/h chỉ đạo", the archive."""
    recipients = ["Như trên", leaders_recipient(directive.issuer)]
    if named:
        recipients.append(f"Bí thư Đảng ủy các {values['level']} {values['names']} (để p/h chỉ đạo)")
    return recipients + ["Lưu: VT"]
