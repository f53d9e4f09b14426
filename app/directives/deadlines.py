"""Deadline rules (CONTRACT.md's deadline objects) turned into due dates and periods.

A rule is a plain dict, or None for no deadline:

- ``{"kind": "date", "date": "2022-06-15"}``
- ``{"kind": "relative", "days": 5, "working_days": true}`` (calendar days when
  ``working_days`` is absent or false), ``{"kind": "relative", "months": 2}``;
  either may say what it counts from: ``"from": "issue"`` (the document's
  date) or ``"from": "receipt"`` (the day the unit receives it); without it,
  the issue date when the directive has one, else the day it is received
- ``{"kind": "recurring", "freq": ...}`` with ``monthly`` + ``day``,
  ``quarterly`` + ``day`` (in the last month of the quarter), ``yearly`` +
  ``month`` and ``day``, ``weekly`` + ``weekday`` (0 = Monday), or ``daily``.

A day a month lacks (31 in June, 29-31 in February) falls on the month's last
day, so ``day: 31`` (the default) means "the last day of the month". A period
opens the day after the previous period's due day. Daily reports are due on
working days only, as daily reports in Vietnamese administration are: a
weekend or holiday is no period of its own.

Everything here is pure except working days, which come from a
`WorkingCalendar`; when none is passed one is built, which reads the admin's
calendar overrides from the database.
"""

from __future__ import annotations

import json
import re
from calendar import monthrange
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from app.core.calendar import WorkingCalendar
from app.core.errors import DomainError

FREQS = ("daily", "weekly", "monthly", "quarterly", "yearly")
#: Upper bounds that no real directive reaches; they keep a typo from looping for ages.
MAX_DAYS = 3650
MAX_MONTHS = 120
WEEKDAYS_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"[+-]?\d+")
_TRUE = {"true", "1", "on", "yes", "y"}
_FALSE = {"false", "0", "off", "no", "n", ""}


@dataclass(frozen=True)
class Period:
    """One period of a recurring rule: its key (at most 10 characters), due day and opening day."""

    key: str
    due_on: date
    opens_on: date


# --- validation -------------------------------------------------------------


def _invalid(detail: str) -> DomainError:
    """The one error users see for a malformed rule."""
    return DomainError(f"Hạn xử lý không hợp lệ: {detail}.")


def _show(value: object) -> str:
    """A value as the user sent it (JSON-like), for messages."""
    return json.dumps(value, ensure_ascii=False, default=str)


def _check_keys(rule: Mapping, allowed: set[str]) -> None:
    """Refuse fields the kind does not have: a misspelt field must not be ignored silently."""
    unknown = sorted(set(rule) - allowed - {"kind"}, key=str)
    if unknown:
        raise _invalid(f"trường không được hỗ trợ: {', '.join(map(str, unknown))}")


def _integer(rule: Mapping, key: str, label: str, low: int, high: int, default: int | None = None) -> int:
    """An integer field in low..high; forms send digits as text, JSON may send 5.0."""
    value = rule.get(key)
    if value is None:  # a form's empty field means the default too
        value = default
    if value is None:
        raise _invalid(f'thiếu "{key}" ({label})')
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        number = int(value.strip())
    if number is None or not low <= number <= high:
        raise _invalid(
            f'"{key}" ({label}) phải là số nguyên từ {low} đến {high}, nhận được {_show(value)}'
        )
    return number


def _flag(value: object) -> bool:
    """A yes/no field from JSON (true/false) or a form ("on", "1", absent)."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _invalid(f'"working_days" phải là true hoặc false, nhận được {_show(value)}')


def _parse_date(value: object) -> date:
    """An ISO date, YYYY-MM-DD, that exists."""
    if type(value) is date:  # a datetime is not a day
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _invalid(
        f"ngày {_show(value)} không đúng, cần một ngày có thật theo dạng YYYY-MM-DD (ví dụ 2022-06-15)"
    )


def _date_rule(rule: Mapping) -> dict:
    """A fixed due day."""
    _check_keys(rule, {"date"})
    if "date" not in rule:
        raise _invalid('thiếu "date" (ngày hết hạn, dạng YYYY-MM-DD)')
    return {"kind": "date", "date": _parse_date(rule["date"]).isoformat()}


ANCHORS = ("issue", "receipt")


def _relative_rule(rule: Mapping) -> dict:
    """So many calendar days, working days or months after the issue date or the day received."""
    _check_keys(rule, {"days", "working_days", "months", "from"})
    anchor = {"from": rule["from"]} if rule.get("from") is not None else {}
    if anchor and anchor["from"] not in ANCHORS:
        raise _invalid(f'"from" phải là "issue" (ngày ban hành) hoặc "receipt" (ngày nhận), '
                       f'nhận được {_show(rule["from"])}')
    if ("days" in rule) == ("months" in rule):
        raise _invalid(
            'thời hạn tương đối cần đúng một trong hai trường "days" (số ngày) hoặc "months" (số tháng)'
        )
    if "months" in rule:
        if _flag(rule.get("working_days")):
            raise _invalid('"working_days" chỉ dùng với "days"')
        return {"kind": "relative", "months": _integer(rule, "months", "số tháng", 0, MAX_MONTHS), **anchor}
    days = _integer(rule, "days", "số ngày", 0, MAX_DAYS)
    # The flag is always stated, as the extractor writes it, so stored rules compare equal.
    return {"kind": "relative", "days": days, "working_days": _flag(rule.get("working_days")), **anchor}


def _recurring_rule(rule: Mapping) -> dict:
    """A period rule, with its defaults filled in."""
    freq = rule.get("freq")
    if freq not in FREQS:
        raise _invalid(f'tần suất "freq" {_show(freq)} không được hỗ trợ, chỉ nhận {", ".join(FREQS)}')
    out: dict = {"kind": "recurring", "freq": freq}
    if freq == "daily":
        _check_keys(rule, {"freq"})
    elif freq == "weekly":
        _check_keys(rule, {"freq", "weekday"})
        label = "thứ trong tuần, 0 là thứ Hai, 6 là Chủ nhật"
        out["weekday"] = _integer(rule, "weekday", label, 0, 6, default=4)
    elif freq == "yearly":
        _check_keys(rule, {"freq", "month", "day"})
        out["month"] = _integer(rule, "month", "tháng", 1, 12, default=12)
        out["day"] = _integer(rule, "day", "ngày trong tháng", 1, 31, default=31)
    else:
        _check_keys(rule, {"freq", "day"})
        out["day"] = _integer(rule, "day", "ngày trong tháng", 1, 31, default=31)
    return out


_KINDS: dict[str, Callable[[Mapping], dict]] = {
    "date": _date_rule,
    "relative": _relative_rule,
    "recurring": _recurring_rule,
}


def validate_rule(rule: object) -> dict | None:
    """The rule checked and in its normal form (defaults filled in); DomainError in Vietnamese if malformed."""
    if rule is None:
        return None
    if not isinstance(rule, Mapping):
        raise _invalid(f'cần một đối tượng có trường "kind", nhận được {_show(rule)}')
    kind = rule.get("kind")
    if not isinstance(kind, str) or kind not in _KINDS:
        raise _invalid(
            f'loại "kind" {_show(kind)} không được hỗ trợ, chỉ nhận date, relative, recurring'
        )
    return _KINDS[kind](rule)


def is_recurring(rule: Mapping | None) -> bool:
    """Whether the rule makes one task per period."""
    return isinstance(rule, Mapping) and rule.get("kind") == "recurring"


# --- one-off due dates -------------------------------------------------------


def _month_day(year: int, month: int, day: int) -> date:
    """The day in that month, or the month's last day when it has fewer days."""
    return date(year, month, min(day, monthrange(year, month)[1]))


def add_months(day: date, months: int) -> date:
    """The same day so many months later, clamped to the end of a shorter month."""
    return day + relativedelta(months=months)


def due_date(rule: Mapping | None, published_on: date, calendar: WorkingCalendar | None = None) -> date | None:
    """The due day of a one-off rule published on that day; None without a deadline."""
    rule = validate_rule(rule)
    if rule is None:
        return None
    if rule["kind"] == "recurring":
        raise ValueError("a recurring rule has a due day per period: use first_period")
    if rule["kind"] == "date":
        return date.fromisoformat(rule["date"])
    if "months" in rule:
        return add_months(published_on, rule["months"])
    if rule.get("working_days"):
        calendar = calendar or _calendar(published_on, published_on + timedelta(days=2 * rule["days"] + 31))
        return calendar.add_working_days(published_on, rule["days"])
    return published_on + timedelta(days=rule["days"])


def _calendar(start: date, end: date) -> WorkingCalendar:
    """A calendar for the range, reading the admin's overrides once."""
    return WorkingCalendar(start, end)


# --- periods ----------------------------------------------------------------
#
# Every frequency but daily numbers its periods (months, quarters, years, weeks
# since 0001-01-01) so that "the period a day falls in" and "the next one" are
# plain arithmetic; daily periods follow the working-day calendar instead.


@dataclass(frozen=True)
class _Cycle:
    unit_of: Callable[[date], int]  # the number of the period a day falls in
    due: Callable[[int], date]  # the due day of period number n
    key: Callable[[date], str]  # the key of the period due that day


def _cycle(rule: dict) -> _Cycle:
    """The numbering of a non-daily frequency."""
    freq = rule["freq"]
    if freq == "monthly":
        return _Cycle(
            lambda d: d.year * 12 + d.month - 1,
            lambda n: _month_day(n // 12, n % 12 + 1, rule["day"]),
            lambda d: f"{d.year:04d}-{d.month:02d}",
        )
    if freq == "quarterly":
        return _Cycle(
            lambda d: d.year * 4 + (d.month - 1) // 3,
            lambda n: _month_day(n // 4, n % 4 * 3 + 3, rule["day"]),
            lambda d: f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}",
        )
    if freq == "yearly":
        return _Cycle(lambda d: d.year, lambda n: _month_day(n, rule["month"], rule["day"]), lambda d: f"{d.year:04d}")
    # Weeks counted from 0001-01-01, a Monday, so week n runs Monday to Sunday as ISO weeks do.
    return _Cycle(
        lambda d: (d.toordinal() - 1) // 7,
        lambda n: date.fromordinal(n * 7 + 1 + rule["weekday"]),
        _iso_week_key,
    )


def _iso_week_key(day: date) -> str:
    """The ISO week a day falls in, e.g. ``2022-W21``."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def _recurring(rule: Mapping | None) -> dict:
    """The normal form of a recurring rule; ValueError for any other."""
    rule = validate_rule(rule)
    if not is_recurring(rule):
        raise ValueError("periods exist for recurring rules only: use due_date")
    return rule


def _numbered(cycle: _Cycle, n: int) -> Period:
    """Period number n of a cycle."""
    due = cycle.due(n)
    return Period(cycle.key(due), due, cycle.due(n - 1) + timedelta(days=1))


def _daily(day: date, calendar: WorkingCalendar) -> Period:
    """The daily period due on a working day; it opens after the previous working day."""
    previous = calendar.working_day_on_or_before(day - timedelta(days=1))
    return Period(day.isoformat(), day, previous + timedelta(days=1))


def first_period(rule: Mapping, on: date, calendar: WorkingCalendar | None = None) -> Period:
    """The first period whose due day is on or after `on` (the due day itself counts)."""
    rule = _recurring(rule)
    if rule["freq"] == "daily":
        calendar = calendar or _calendar(on - timedelta(days=31), on + timedelta(days=31))
        return _daily(calendar.working_day_on_or_after(on), calendar)
    cycle = _cycle(rule)
    n = cycle.unit_of(on)
    # The period of on's month (quarter, year, week) is due on or after it, or the next one is.
    return _numbered(cycle, n if cycle.due(n) >= on else n + 1)


def next_period(rule: Mapping, period: Period, calendar: WorkingCalendar | None = None) -> Period:
    """The period after this one."""
    rule = _recurring(rule)
    if rule["freq"] == "daily":
        after = period.due_on + timedelta(days=1)
        calendar = calendar or _calendar(period.due_on, after + timedelta(days=31))
        return _daily(calendar.working_day_on_or_after(after), calendar)
    cycle = _cycle(rule)
    return _numbered(cycle, cycle.unit_of(period.due_on) + 1)


def periods_through(
    rule: Mapping, start: Period, today: date, calendar: WorkingCalendar | None = None
) -> list[Period]:
    """The periods after `start` that have opened by `today`, oldest first (all of them after an outage)."""
    rule = _recurring(rule)
    if rule["freq"] == "daily" and calendar is None:
        # One load for the whole stretch, however long the job was down.
        calendar = _calendar(start.due_on, max(today, start.due_on) + timedelta(days=31))
    periods, period = [], next_period(rule, start, calendar)
    while period.opens_on <= today:
        periods.append(period)
        period = next_period(rule, period, calendar)
    return periods


def period_from_key(rule: Mapping, key: str, calendar: WorkingCalendar | None = None) -> Period:
    """The period a stored key names (a task's ``period``); ValueError if the key does not fit the rule."""
    rule = _recurring(rule)
    freq = rule["freq"]
    pattern, first_day = _KEYS[freq]
    match = re.fullmatch(pattern, key or "")
    try:
        day = first_day(*map(int, match.groups()))  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        raise ValueError(f"period key {key!r} does not fit a {freq} rule") from None
    if freq == "daily":
        return _daily(day, calendar or _calendar(day - timedelta(days=31), day))
    cycle = _cycle(rule)
    return _numbered(cycle, cycle.unit_of(day))


#: Per frequency: the key's form, and a day inside the period it names.
_KEYS: dict[str, tuple[str, Callable[..., date]]] = {
    "monthly": (r"(\d{4})-(\d{2})", lambda y, m: date(y, m, 1)),
    "quarterly": (r"(\d{4})-Q([1-4])", lambda y, q: date(y, q * 3, 1)),
    "yearly": (r"(\d{4})", lambda y: date(y, 1, 1)),
    "weekly": (r"(\d{4})-W(\d{2})", lambda y, w: date.fromisocalendar(y, w, 1)),
    "daily": (r"(\d{4})-(\d{2})-(\d{2})", date),
}


# --- words ------------------------------------------------------------------


_UNSAID = object()


def counts_from_issue(rule: Mapping | None, issued_on: date | None) -> bool:
    """Whether a relative rule counts from the issue date (else from the day the unit receives the directive)."""
    return issued_on is not None and (rule or {}).get("from") != "receipt"


def describe(rule: Mapping | None, issued_on: date | None | object = _UNSAID, *, dispatch: bool = False) -> str:
    """The rule in Vietnamese, for pages: "Định kỳ ngày 25 hằng tháng", "Trước ngày 15/06/2022".

    Given the directive's issue date (or None), a relative rule says what it
    counts from: "kể từ ngày ban hành (20/05/2022)" or "kể từ ngày nhận".
    With `dispatch`, as a follow-up dispatch words it (and the extractor reads it back):
    "hoàn thành trước ngày 15/06/2022", "báo cáo trước ngày 25 hằng tháng".
    """
    if dispatch and rule is not None:
        return _dispatch_words(rule)
    rule = validate_rule(rule)
    if rule is None:
        return "Không có thời hạn"
    if rule["kind"] == "date":
        return _by_date(rule).capitalize()
    if rule["kind"] == "relative":
        if issued_on is _UNSAID:
            anchor = "kể từ ngày nhận" if rule.get("from") == "receipt" else "kể từ ngày ban hành"
        elif counts_from_issue(rule, issued_on):
            anchor = f"kể từ ngày ban hành ({issued_on:%d/%m/%Y})"
        else:
            anchor = "kể từ ngày nhận"
        if "months" in rule:
            return f"{rule['months']} tháng {anchor}"
        return f"{_days(rule)} {anchor}"
    return _describe_recurring(rule)


def _by_date(rule: Mapping) -> str:
    """A fixed due day in words: "trước ngày 15/06/2022"."""
    return f"trước ngày {date.fromisoformat(rule['date']):%d/%m/%Y}"


def _days(rule: Mapping) -> str:
    """A relative rule's span in days: "05 ngày làm việc", "10 ngày"."""
    return f"{rule['days']:02d} {'ngày làm việc' if rule.get('working_days') else 'ngày'}"


def _dispatch_words(rule: Mapping) -> str:
    """The rule as a dispatch words it; the dispatch is received, so relative spans count from receipt."""
    since = "kể từ ngày nhận được Công văn này"
    if rule["kind"] == "date":
        return f"hoàn thành {_by_date(rule)}"
    if rule["kind"] == "relative":
        if "months" in rule:
            return f"hoàn thành trong thời hạn {rule['months']:02d} tháng {since}"
        return f"hoàn thành trong thời hạn {_days(rule)} {since}"
    freq = rule.get("freq")
    if freq == "monthly":
        return f"báo cáo trước ngày {rule.get('day', 25)} hằng tháng"
    if freq == "daily":
        return "cập nhật hằng ngày"
    return describe(rule).lower()


def _describe_recurring(rule: dict) -> str:
    """The words for a normalised recurring rule."""
    freq, day = rule["freq"], rule.get("day")
    if freq == "daily":
        return "Hằng ngày (ngày làm việc)"
    if freq == "weekly":
        return f"Định kỳ hằng tuần ({WEEKDAYS_VI[rule['weekday']]})"
    if freq == "monthly":
        # Day 31 falls on every month's last day, so that is what it means.
        return "Định kỳ ngày cuối hằng tháng" if day == 31 else f"Định kỳ ngày {day} hằng tháng"
    if freq == "quarterly":
        if day == 31:
            return "Định kỳ hằng quý (ngày cuối quý)"
        return f"Định kỳ hằng quý (ngày {day} tháng cuối quý)"
    month = rule["month"]
    if month == 2 and day >= 29:
        return "Định kỳ hằng năm (ngày cuối tháng 02)"
    return f"Định kỳ hằng năm (ngày {min(day, monthrange(2000, month)[1]):02d}/{month:02d})"
