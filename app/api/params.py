"""Reading an API call's parameters and JSON body, refusing bad ones in Vietnamese (400)."""

from __future__ import annotations

from flask import request

from app.core.errors import DomainError


def int_arg(name: str) -> int | None:
    """A whole-number query parameter, or None when absent."""
    value = request.args.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise DomainError(f'Tham số "{name}" phải là số.', status=400) from None


def json_body(optional: bool = False) -> dict:
    """The JSON object sent; with `optional`, an empty body counts as ``{}``."""
    body = request.get_json(silent=True)
    if optional and body is None and not request.data:
        return {}
    if not isinstance(body, dict):
        raise DomainError("Nội dung yêu cầu phải là một đối tượng JSON.", status=400)
    return body
