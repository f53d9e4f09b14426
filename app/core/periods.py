"""Months as the service writes them: ``YYYY-MM``; as people type and read them: ``mm/yyyy``."""

import re

from wtforms.validators import ValidationError

#: The one month pattern: every check of a ``YYYY-MM`` month uses it.
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
#: A month as people type it: ``05/2022`` or ``5/2022``.
TYPED_MONTH = re.compile(r"(0?[1-9]|1[0-2])/\d{4}")
#: A recurring task's period as deadlines.py keys it: a year, month, quarter, ISO week or day.
TASK_PERIOD = r"\d{4}(-\d{2}|-Q[1-4]|-W\d{2}|-\d{2}-\d{2})?"


def is_month(text) -> bool:
    """Whether a value is a month written ``YYYY-MM``."""
    return bool(MONTH.fullmatch(str(text or "")))


def month_label(period: str) -> str:
    """``2022-05`` as people read it: ``05/2022``; anything else (a quarter, a year) as it is."""
    return f"{period[5:7]}/{period[:4]}" if is_month(period) else period


def check_month(form, field) -> None:
    """WTForms check: a month as YYYY-MM or mm/yyyy."""
    text = (field.data or "").strip()
    if not (MONTH.fullmatch(text) or TYPED_MONTH.fullmatch(text)):
        raise ValidationError("Tháng không hợp lệ: nhập theo dạng mm/yyyy, ví dụ 05/2022.")


def month_key(text: str) -> str:
    """``05/2022`` or ``2022-05`` as ``2022-05``."""
    text = text.strip()
    if "/" in text:
        month, year = text.split("/")
        return f"{year}-{int(month):02d}"
    return text
