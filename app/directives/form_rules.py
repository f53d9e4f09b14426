"""Turning form fields into deadline rules and back (kept out of views and templates)."""

from __future__ import annotations

from datetime import date

from app.core.dates import parse_vn_date
from app.core.errors import DomainError
from app.directives import deadlines

RELATIVE_KINDS = ("days", "working_days", "months")


def deadline_rule(kind: str, date_text: str | None, number: int | None, counted_from: str | None = None) -> dict | None:
    """The rule object a deadline row of a form stands for (validated later by `validate_rule`).

    A relative rule counted from the day received says so ("from": "receipt"); counted
    from the issue date it says nothing, which means the same.
    """
    if kind in (None, "", "none"):
        return None
    if kind == "date":
        day = parse_vn_date(date_text)
        return {"kind": "date", "date": day.isoformat() if day else ""}
    anchor = {"from": "receipt"} if counted_from == "receipt" else {}
    if kind in ("days", "working_days"):
        return {"kind": "relative", "days": number, "working_days": kind == "working_days", **anchor}
    if kind == "months":
        return {"kind": "relative", "months": number, **anchor}
    rule = {"kind": "recurring", "freq": kind}
    if kind in ("monthly", "quarterly") and number:
        rule["day"] = number
    if kind == "yearly" and date_text:
        day = parse_vn_date(date_text)
        rule.update(month=day.month, day=day.day)
    if kind == "weekly" and number is not None:
        rule["weekday"] = number
    return rule


def deadline_problem(kind: str, date_text: str | None, number: int | None) -> tuple[str, str] | None:
    """What is wrong with a deadline row, as (the field to show it beside, the message), or None."""
    if kind == "date" and not (date_text or "").strip():
        return "deadline_date", "Nhập ngày hết hạn (dd/mm/yyyy), hoặc chọn “Không có thời hạn”."
    if kind in RELATIVE_KINDS and number is None:
        return "deadline_number", "Nhập số ngày (hoặc số tháng) của thời hạn."
    try:
        deadlines.validate_rule(deadline_rule(kind, date_text, number))
    except (DomainError, ValueError) as exc:
        field = "deadline_date" if kind in ("date", "yearly") else "deadline_number"
        return field, getattr(exc, "message", "Thời hạn không hợp lệ.")
    return None


def deadline_fields(rule: dict | None) -> dict:
    """The form fields showing a rule: kind, date (dd/mm/yyyy), number and what a relative one counts from."""
    fields = _kind_fields(rule)
    fields["deadline_from"] = "receipt" if rule and rule.get("from") == "receipt" else "issue"
    return fields


def _kind_fields(rule: dict | None) -> dict:
    if not rule:
        return {"deadline_kind": "none", "deadline_date": "", "deadline_number": None}
    if rule["kind"] == "date":
        year, month, day = rule["date"].split("-")
        return {"deadline_kind": "date", "deadline_date": f"{day}/{month}/{year}", "deadline_number": None}
    if rule["kind"] == "relative":
        if "months" in rule:
            return {"deadline_kind": "months", "deadline_date": "", "deadline_number": rule["months"]}
        kind = "working_days" if rule.get("working_days") else "days"
        return {"deadline_kind": kind, "deadline_date": "", "deadline_number": rule["days"]}
    fields = {"deadline_kind": rule["freq"], "deadline_date": "", "deadline_number": rule.get("day")}
    if rule["freq"] == "yearly" and rule.get("month"):
        fields["deadline_date"] = f"{rule.get('day', 31):02d}/{rule['month']:02d}/2000"
    if rule["freq"] == "weekly":
        fields["deadline_number"] = rule.get("weekday")
    return fields


def anchor_choices(issued_on: date | None) -> list[tuple[str, str]]:
    """The "counts from" choices, naming the directive's issue date when it has one."""
    issue = f"Ngày ban hành ({issued_on:%d/%m/%Y})" if issued_on else "Ngày ban hành (chưa có ngày)"
    return [("issue", issue), ("receipt", "Ngày đơn vị nhận")]
