"""Deadlines as Vietnamese dispatches write them, read into CONTRACT.md's rule objects.

Only a date introduced by a deadline phrase ("trước ngày", "chậm nhất") is a
deadline: the dates of cited documents, of issue, of effect ("có hiệu lực từ"),
start dates ("kể từ ngày") and event periods are not.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from app.directives.extraction.text import DATE_ANY, fold, parse_date_at, to_int

_NUM = r"(\d{1,3}|mot|hai|ba|bon|tu|nam|sau|bay|tam|chin|muoi(?: lam| hai)?|hai muoi|ba muoi)"
_NUM_VI = {"mot": "một", "hai": "hai", "ba": "ba", "bon": "bốn", "tu": "tư", "nam": "năm", "sau": "sáu",
           "bay": "bảy", "tam": "tám", "chin": "chín", "muoi": "mười", "muoi lam": "mười lăm",
           "muoi hai": "mười hai", "hai muoi": "hai mươi", "ba muoi": "ba mươi"}
_EVERY = r"(?:hang|hàng|hằng)"
_WEEKDAYS = {"thu hai": 0, "thu ba": 1, "thu tu": 2, "thu nam": 3, "thu sau": 4, "thu bay": 5, "chu nhat": 6}

_MONTHLY = re.compile(r"ngay\s+(\d{1,2})\s+(?:cua\s+)?hang\s+thang")
_MONTHLY_BARE = re.compile(r"\b(?:hang|dinh ky hang|dinh ky)\s+thang\b")
_QUARTERLY = re.compile(r"\b(?:hang|dinh ky|moi)\s+quy\b|\bbao cao quy\b")
_YEARLY = re.compile(r"\b(?:hang|dinh ky)\s+nam\b")
_WEEKLY = re.compile(r"\b(?:hang|dinh ky hang|moi)\s+tuan\b")
_DAILY = re.compile(r"\bhang\s+ngay\b")
#: An hour written before the day: "10h00'", "14 giờ", "16 giờ 30 phút", "17h30,".
_HOUR = r"(?:\d{1,2}\s*(?:h|gio)\s*(?:\d{1,2})?\s*(?:phut|p)?\s*'?\s*,?\s*(?:ngay\s+)?)?"
_BEFORE_DATE = re.compile(
    r"(?:truoc|cham nhat(?:\s+(?:la|vao|truoc))?|han\s+(?:chot|cuoi cung|cuoi)?\s*(?:la|:)?|"
    r"thoi\s+han(?:\s+(?:hoan\s+thanh|thuc\s+hien|bao\s+cao|gui|nop))?\s*(?::|la)\s*(?:truoc\s+)?|"
    r"khong\s+qua|xong\s+truoc|hoan thanh\s+trong|trong\s+ngay)\s*(?:ngay\s+(?:[a-z]+\s+){0,2})?" + _HOUR + r"(?=\d)"
)
#: "không (được) <act> trước ngày": a negated act a few words before the date.
_NOT_BEFORE = re.compile(r"\bkhong(?:\s+duoc)?(?:\s+\w+){1,4}\s*$")
#: "trong tháng 6/2024", "trong tháng 9 năm 2024": by the month's last day.
_WITHIN_MONTH = re.compile(r"\btrong\s+thang\s+(\d{1,2})\s*(?:[/.\-]|nam)\s*(\d{4})\b")
#: Act at once: "triển khai ngay", "ngay sau khi nhận được", "khẩn trương" (matched in lower-case text with its
#: tones: "ngay" is at once, "ngày" a day). "ngay từ (đầu)", "ngay cả", "ngay bên" stress or place, not time.
_AT_ONCE = re.compile(r"\bngay(?!\s+(?:từ|cả|trên|dưới|bên|cạnh))\b|\bkhẩn\s+trương\b")
_RELATIVE = re.compile(
    rf"(?:trong\s+(?:thoi\s+han|vong|thoi\s+gian)?|cham\s+nhat\s+(?:la\s+)?|khong\s+qua)\s*{_NUM}\s*"
    rf"(?:\(\s*\d+\s*\)\s*)?(ngay(?:\s+lam\s+viec)?|tuan|thang)"
    r"(?!\s+(?:dau|cuoi|qua|gan day|vua qua|cua)\b)"  # "trong 4 tháng đầu năm" is a period, not a time limit
)


def find_deadline(text: str, doc_year: int | None) -> dict | None:
    """The deadline a requirement's own text sets, or None; a written date wins over "at once"."""
    folded = fold(text)
    return (_recurring(folded) or _fixed_date(folded, doc_year) or _within_month(folded) or _relative(folded)
            or _at_once(text))


def _within_month(folded: str) -> dict | None:
    match = _WITHIN_MONTH.search(folded)
    if not match or not 1 <= int(match.group(1)) <= 12:
        return None
    month, year = int(match.group(1)), int(match.group(2))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return {"kind": "date", "date": last.isoformat()}


def _at_once(text: str) -> dict | None:
    return {"kind": "asap"} if _AT_ONCE.search(unicodedata.normalize("NFC", text).lower()) else None


def find_report_deadline(text: str) -> dict | None:
    """A recurring report deadline stated in passing (the opening of a follow-up dispatch)."""
    folded = fold(text)
    for sentence in re.split(r"[.;]\s", folded):
        if "bao cao" in sentence:
            rule = _recurring(sentence)
            if rule:
                return rule
    return None


def _recurring(folded: str) -> dict | None:
    match = _MONTHLY.search(folded)
    if match and 1 <= int(match.group(1)) <= 31:
        return {"kind": "recurring", "freq": "monthly", "day": int(match.group(1))}
    if _QUARTERLY.search(folded):
        return _with_day({"kind": "recurring", "freq": "quarterly"}, folded)
    if _YEARLY.search(folded) and _BEFORE_DATE.search(folded):
        return _yearly(folded)
    if _WEEKLY.search(folded):
        rule = {"kind": "recurring", "freq": "weekly"}
        for name, number in _WEEKDAYS.items():
            if re.search(rf"\b{name}\b", folded):
                rule["weekday"] = number
        return rule
    if _DAILY.search(folded):
        return {"kind": "recurring", "freq": "daily"}
    if _MONTHLY_BARE.search(folded) and re.search(r"\bbao cao\b", folded):
        return {"kind": "recurring", "freq": "monthly", "day": _before_day(folded) or 31}
    return None


def _before_day(folded: str) -> int | None:
    match = re.search(r"truoc\s+ngay\s+(\d{1,2})(?!\s*[/.\-]\s*\d)", folded)
    return int(match.group(1)) if match and 1 <= int(match.group(1)) <= 31 else None


def _with_day(rule: dict, folded: str) -> dict:
    day = _before_day(folded)
    if day:
        rule["day"] = day
    return rule


def _yearly(folded: str) -> dict:
    rule = {"kind": "recurring", "freq": "yearly"}
    match = _BEFORE_DATE.search(folded)
    found = DATE_ANY.match(folded, match.end()) if match else None
    if found:
        groups = found.groups()
        day, month = (groups[0], groups[1]) if groups[0] else (groups[3], groups[4])
        if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            rule.update(month=int(month), day=int(day))
    return rule


def _fixed_date(folded: str, doc_year: int | None) -> dict | None:
    for match in _BEFORE_DATE.finditer(folded):
        if _NOT_BEFORE.search(folded[max(0, match.start() - 50):match.start()]):
            continue  # "không xuống giống trước ngày 20/4": a day not to act before, not a deadline
        found, _ = parse_date_at(folded, match.end(), doc_year)
        if found:
            return {"kind": "date", "date": found.isoformat()}
    return None


def _relative(folded: str) -> dict | None:
    match = _RELATIVE.search(folded)
    if not match:
        return None
    count = to_int(_NUM_VI.get(match.group(1), match.group(1)))
    if not count:
        return None
    unit = match.group(2)
    if unit == "thang":
        rule = {"kind": "relative", "months": count}
    elif unit == "tuan":
        rule = {"kind": "relative", "days": count * 7, "working_days": False}
    else:
        rule = {"kind": "relative", "days": count, "working_days": "lam viec" in unit}
    start = _FROM.search(folded[match.end():match.end() + 60])  # "… kể từ ngày nhận được" follows the count
    if start:
        rule["from"] = "receipt" if start.group(1) else "issue"
    return rule


_FROM = re.compile(r"\bke\s+tu\s+(?:ngay|khi)\s+(?:(nhan)|(ban\s+hanh|ky))\b")
