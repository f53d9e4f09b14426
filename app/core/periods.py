"""Months as the service writes them: ``YYYY-MM``."""

import re

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
#: A recurring task's period as deadlines.py keys it: a year, month, quarter, ISO week or day.
TASK_PERIOD = r"\d{4}(-\d{2}|-Q[1-4]|-W\d{2}|-\d{2}-\d{2})?"


def is_month(text) -> bool:
    """Whether a value is a month written ``YYYY-MM``."""
    return bool(MONTH.fullmatch(str(text or "")))
