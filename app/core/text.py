"""Folding Vietnamese text: without tone marks and case, for matching what people type."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """NFC-normalised text."""
    return unicodedata.normalize("NFC", text)


def fold_char(char: str) -> str:
    """One character without its diacritics, lower-cased (đ becomes d)."""
    if char in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", char)[0]
    return base.lower() if len(base.lower()) == 1 else char


class _FoldTable(dict):
    """Each character's folded form, computed the first time `str.translate` meets it."""

    def __missing__(self, code: int) -> str:
        self[code] = folded = fold_char(chr(code))
        return folded


_FOLDED = _FoldTable()


def fold(text: str) -> str:
    """Text without diacritics, lower-cased, one character per character.

    Keeping the length lets a match in the folded text point into the original,
    and makes matching blind to tone placement (hoá / hóa) and typos such as
    "trưóc" for "trước".
    """
    return text.translate(_FOLDED)  # a C loop over a table that grows: extraction folds every line many times


def search_key(text: str | None) -> str:
    """What a search compares: folded, NFC first (a phone may send decomposed marks), spaces collapsed.

    Stored columns and typed text both go through this, so "tai  son" finds "Xã Tái Sơn".
    """
    return " ".join(fold(nfc(text or "")).split())


def search_keys(*parts: str | None) -> str:
    """Several fields' keys on separate lines: a typed key has no line break, so no match spans two fields."""
    return "\n".join(search_key(part) for part in parts)
