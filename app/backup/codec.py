"""Column values as JSON that read back exactly, whatever database wrote them.

Each column has a kind taken from its SQLAlchemy type: dates and times as
ISO-8601 (with their offset), bytes as base64, decimals as strings, JSON
columns as their JSON text (so SQL NULL and a JSON ``null`` stay apart), the
rest (text, integers, booleans, floats) as JSON itself. A type not listed here
is refused before anything is written, never copied approximately.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    Interval,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    Time,
    Uuid,
    cast,
    null,
)
from sqlalchemy.types import TypeDecorator

_PLAIN = (String, Integer, BigInteger, SmallInteger, Boolean, Enum, Float)  # JSON holds these as they are


def kind_of(column) -> str | None:
    """The column's kind in a backup, or None for a type backups do not support."""
    if isinstance(column.type, Interval):  # a TypeDecorator over DateTime on some databases: not a timestamp
        return None
    kind = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(kind, JSON):
        return "json"
    if isinstance(kind, DateTime):
        return "datetime"
    for name, types in (("date", Date), ("time", Time), ("bytes", LargeBinary), ("uuid", Uuid)):
        if isinstance(kind, types):
            return name
    if isinstance(kind, _PLAIN) or isinstance(kind, Text):
        return "plain"
    if isinstance(kind, Numeric):
        return "decimal" if kind.asdecimal else "plain"
    return None


def readable(column, kind: str):
    """What to select for a column: JSON columns as their text, so a JSON null is not read as SQL NULL."""
    return cast(column, Text).label(column.name) if kind == "json" else column


_ENCODE = {
    "plain": None,
    "json": None,  # already text
    "datetime": datetime.isoformat,
    "date": date.isoformat,
    "time": time.isoformat,
    "bytes": lambda value: base64.b64encode(value).decode("ascii"),
    "decimal": str,
    "uuid": str,
}


def _json_value(text: str):
    value = json.loads(text)
    return JSON.NULL if value is None else value  # JSON.NULL writes 'null'; SQL NULL is null() below


_DECODE = {
    "plain": None,
    "json": _json_value,
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "bytes": base64.b64decode,
    "decimal": Decimal,
    "uuid": uuid.UUID,
}


def encoders(kinds: list[str]) -> list:
    """One encoding function per column (None: the value is JSON already)."""
    return [_ENCODE[kind] for kind in kinds]


def decoders(kinds: list[str]) -> list:
    """One decoding function per column (None: the JSON value is the value)."""
    return [_DECODE[kind] for kind in kinds]


def encode_row(row, functions: list) -> list:
    """A row as a JSON-ready list, in column order."""
    return [value if value is None or f is None else f(value) for value, f in zip(row, functions)]


def decode_row(values: list, functions: list, kinds: list[str]) -> list:
    """A JSON list back to column values ready to insert (SQL NULL in a JSON column as ``null()``)."""
    out = []
    for value, f, kind in zip(values, functions, kinds):
        if value is None:
            out.append(null() if kind == "json" else None)
        else:
            out.append(value if f is None else f(value))
    return out
