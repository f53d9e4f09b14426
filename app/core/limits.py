"""What a column holds, read from the model, so input is checked against it at the edge, not at the INSERT."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, SmallInteger

#: The largest id any row can have: ids are Integer columns, PostgreSQL's int4 (SQLAlchemy binds an id compared
#: with them cast to INTEGER, so a larger number is an error there, not "no row"); SQLite would hold more.
MAX_ID = 2**31 - 1
#: What a whole-number column of each type holds (PostgreSQL's; SQLite holds more).
_INTEGER_MAX = {SmallInteger: 2**15 - 1, BigInteger: 2**63 - 1, Integer: 2**31 - 1}


def column_length(attribute) -> int | None:
    """The length of a String column, e.g. 80 for ``Directive.number``; None for Text."""
    return getattr(attribute.property.columns[0].type, "length", None)


def column_max(attribute) -> int:
    """The largest whole number an integer column holds, e.g. 2.147.483.647 for an ``Integer``."""
    column_type = attribute.property.columns[0].type
    return next(limit for kind, limit in _INTEGER_MAX.items() if isinstance(column_type, kind))


def is_id(value) -> bool:
    """Whether a value can be a row's id: a whole number, not a bool, from 1 to MAX_ID."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def bad_text(value: str) -> str | None:
    """Why a text cannot be stored (a lone surrogate, a NUL), in Vietnamese; None when it can."""
    if "\x00" in value:
        return "có ký tự NUL (\\x00)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "có ký tự không hợp lệ (nửa cặp thay thế UTF-16)"
    return None
