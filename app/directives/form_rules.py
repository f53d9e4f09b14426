"""Turning form fields into deadline rules and back (kept out of views and templates)."""

from __future__ import annotations

from app.directives.forms import parse_vn_date


def deadline_rule(kind: str, date_text: str | None, number: int | None) -> dict | None:
    """The rule object a deadline row of a form stands for (validated later by `validate_rule`)."""
    if kind in (None, "", "none"):
        return None
    if kind == "date":
        day = parse_vn_date(date_text)
        return {"kind": "date", "date": day.isoformat() if day else ""}
    if kind in ("days", "working_days"):
        return {"kind": "relative", "days": number, "working_days": kind == "working_days"}
    if kind == "months":
        return {"kind": "relative", "months": number}
    rule = {"kind": "recurring", "freq": kind}
    if kind in ("monthly", "quarterly") and number:
        rule["day"] = number
    if kind == "yearly" and date_text:
        day = parse_vn_date(date_text)
        rule.update(month=day.month, day=day.day)
    if kind == "weekly" and number is not None:
        rule["weekday"] = number
    return rule


def deadline_fields(rule: dict | None) -> dict:
    """The form fields showing a rule: kind, date (dd/mm/yyyy) and number."""
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
