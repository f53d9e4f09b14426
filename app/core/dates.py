"""Dates as people type them: dd/mm/yyyy (or what a date picker sends)."""

from __future__ import annotations

from datetime import date, datetime

from wtforms.validators import ValidationError


def parse_vn_date(text: str | None) -> date | None:
    """A date typed as dd/mm/yyyy or sent by a date picker as yyyy-mm-dd; ValueError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def check_vn_date(form, field) -> None:
    """WTForms check: a readable date, or nothing."""
    try:
        parse_vn_date(field.data)
    except ValueError:
        raise ValidationError("Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy, ví dụ 15/06/2022.") from None
