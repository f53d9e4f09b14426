"""Units a dispatch names one by one ("các xã Quang Phục, Tiên Động", "như: Tái Sơn, …")."""

from __future__ import annotations

import re

from app.directives.extraction.text import LOW, UP, fold

_WORD = rf"{UP}{LOW}*"
_NAME = rf"(?:{_WORD}(?:\s+{_WORD}){{0,3}}|\d{{1,2}})"
_LIST = rf"{_NAME}(?:\s*,\s*{_NAME})*(?:\s*,?\s+và\s+{_NAME})?"
#: A commune-level word or a "units such as:" phrase, then a list of names.
_TRIGGER = re.compile(
    rf"(?:\b(?:các\s+)?(?:xã|phường|thị\s+trấn|đặc\s+khu)\s+(?={UP}|\d)|"
    rf"\b(?:đơn\s+vị|địa\s+phương)[^.:;]{{0,120}}?\b(?:như|gồm|là)\s*:?\s*)({_LIST})"
)
#: Words that start a capitalised phrase but are not unit names.
_NOT_NAMES = {"ubnd", "uy", "chu", "bi", "bo", "cong", "phong", "so", "ban", "dang", "hoi", "trung", "cac"}


def named_units(text: str, exclude: list[str]) -> list[str]:
    """The names, as written, in order of first mention, without "xã", "phường" or "thị trấn"."""
    excluded = {fold(name) for name in exclude}
    seen: dict[str, str] = {}
    flat = re.sub(r"\s+", " ", text)
    for match in _TRIGGER.finditer(flat):
        for name in re.split(r"\s*,\s*|\s+và\s+", match.group(1)):
            name = name.strip()
            key = fold(name)
            if not name or key in excluded or key in seen or key.split()[0] in _NOT_NAMES:
                continue
            seen[key] = name
    return list(seen.values())
