"""Months as the service writes them: ``YYYY-MM``."""

import re

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def is_month(text) -> bool:
    """Whether a value is a month written ``YYYY-MM``."""
    return bool(MONTH.fullmatch(str(text or "")))
