"""Reading an API call's parameters and JSON body, refusing bad ones in Vietnamese (400 or 422)."""

from __future__ import annotations

import math
import re

from flask import request

from app.core.errors import DomainError
from app.core.limits import MAX_ID, bad_text


def int_arg(name: str) -> int | None:
    """A whole-number query parameter from 0 (an id, so at most MAX_ID), or None when absent."""
    value = request.args.get(name)
    if value is None:
        return None
    if not re.fullmatch(r"[0-9]+", value):
        raise DomainError(f'Tham số "{name}" phải là số nguyên không âm.', status=400)
    if len(value) > 19 or int(value) > MAX_ID:  # the database compares no larger number
        raise DomainError(f'Tham số "{name}" quá lớn: tối đa {MAX_ID}.', status=400)
    return int(value)


def json_body(optional: bool = False) -> dict:
    """The JSON object sent; with `optional`, an empty body counts as ``{}``. A text no column can store
    (a lone surrogate, a NUL) or a number that is none (NaN, Infinity) is refused, naming the field it is in."""
    body = request.get_json(silent=True)
    if optional and body is None and not request.data:
        return {}
    if not isinstance(body, dict):
        raise DomainError("Nội dung yêu cầu phải là một đối tượng JSON.", status=400)
    for name, value in body.items():
        problem = _bad_text_in(name) or _bad_text_in(value)
        if problem:
            raise DomainError(f'Trường "{_shown(name)}" {problem}.')
    return body


def _bad_text_in(value) -> str | None:
    """Why a text (or a number) somewhere inside a JSON value cannot be stored, or None."""
    if isinstance(value, str):
        return bad_text(value)
    if isinstance(value, float) and not math.isfinite(value):  # Python's JSON reads NaN and Infinity
        return "có số không hợp lệ (NaN hoặc vô cực)"
    if isinstance(value, dict):
        return next(filter(None, (_bad_text_in(v) for pair in value.items() for v in pair)), None)
    if isinstance(value, list):
        return next(filter(None, map(_bad_text_in, value)), None)
    return None


def _shown(name: str) -> str:
    """A field's name as a message can show it (a name that is itself bad text is escaped)."""
    return name if bad_text(name) is None else name.encode("utf-8", "backslashreplace").decode()


def text_field(body: dict, name: str, max_length: int | None = None) -> str | None:
    """A text field of the body: None when absent or null; 422 naming the field when it is not a string or
    longer than its column (`max_length`, see app.core.limits.column_length)."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise DomainError(f'Trường "{name}" phải là chuỗi ký tự.')
    if max_length is not None and len(value) > max_length:
        raise DomainError(f'Trường "{name}" dài {len(value)} ký tự; tối đa {max_length}.')
    return value
