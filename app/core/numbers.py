"""Numbers as Vietnamese people type and read them: 15.000.000 (or 15 000 000) and 0,9."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from wtforms import DecimalField, IntegerField
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

# Thousands grouped by dots or spaces (a phone keyboard may send a no-break space), or plain digits; digits are
# 0-9 only, since "²" or "٣" are digits to Python but not to people.
_WHOLE = re.compile(r"(?:[0-9]{1,3}(?:[.\s\u00a0\u202f][0-9]{3})+|[0-9]+)")
_GROUP_MARKS = re.compile(r"[.\s\u00a0\u202f]")
#: The largest whole number a form or a file may give where no column says otherwise (a cost in đồng, a count
#: kept in JSON): a thousand billion, exact in JSON and in the browser's numbers (below 2^53).
MAX_WHOLE = 10**12


def parse_whole(text: str | None) -> int | None:
    """A whole number written the Vietnamese way ("15.000.000", "15 000 000", "120"); None when blank.

    ValueError for anything else (a sign, a decimal comma, letters).
    """
    text = (text or "").strip()
    if not text:
        return None
    if not _WHOLE.fullmatch(text):
        raise ValueError(text)
    return int(_GROUP_MARKS.sub("", text))


def parse_decimal(text: str | None) -> float | None:
    """A number with a decimal comma ("0,9", "1.234,5") or a dot ("0.9"); None when blank; ValueError otherwise."""
    text = (text or "").strip().replace("%", "").strip()
    if not text:
        return None
    if "," in text:  # the comma is the decimal mark, dots group thousands
        text = text.replace(".", "").replace(",", ".")
    if not re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", text):
        raise ValueError(text)
    return float(text)


def format_whole(value) -> str:
    """15000000 as "15.000.000"; None as ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):  # text typed and not yet read: shown as typed
        return value
    return f"{int(value):,}".replace(",", ".")


#: Shown where a number is missing (no task to count, no figure reported), so an empty cell is not read as 0.
MISSING = "\u2014"
#: Between a number and its unit ("22,5 %"): a no-break space, so "%" never wraps to a line of its own. The plain
#: no-break space (not the narrow one) because Word's and Excel's older fonts draw the narrow one as a box.
UNIT_SPACE = "\u00a0"


def _rounded(value, digits: int) -> Decimal:
    """`value` rounded half up (22,45 → 22,5 as people round, not Python's half-to-even) to `digits` places."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def vnnum(value, digits: int = 0) -> str:
    """1234 as "1.234", 22.5 as "22,5" (digits=1): dots group thousands, a comma marks decimals; None as "—"."""
    if value is None or value == "":
        return MISSING
    number = _rounded(value, digits)
    if number == 0:
        number = abs(number)  # -0,0 reads as a sign error
    whole, _, fraction = f"{abs(number):f}".partition(".")
    text = f"{int(whole):,}".replace(",", ".") + (f",{fraction}" if fraction else "")
    return f"-{text}" if number < 0 else text


def vnpercent(fraction, digits: int = 1) -> str:
    """A share 0..1 as a percentage: 0.225 as "22,5 %", 1 as "100 %" (a whole percentage drops its ",0"); None as "—".

    The no-break space before "%" follows the Vietnamese standard for units (TCVN writes "22,5 %").
    """
    if fraction is None or fraction == "":
        return MISSING
    percent = _rounded(Decimal(str(fraction)) * 100, digits)
    shown = vnnum(percent, 0 if percent == percent.to_integral_value() else digits)
    return f"{shown}{UNIT_SPACE}%"


def too_large(limit: int) -> str:
    """The message for a number above `limit`, as people read it."""
    return f"Số quá lớn: tối đa {format_whole(limit)}."


class WholeNumberField(IntegerField):
    """An IntegerField that reads "15.000.000" and "15 000 000", and shows what was typed when it is refused;
    a number above `maximum` (what its column holds, by default MAX_WHOLE) is refused beside the field."""

    #: A text box: a number box refuses the dots people group thousands with.
    widget = TextInput()

    def __init__(self, label=None, validators=None, message: str = "Vui lòng nhập một số nguyên, ví dụ 15.000.000.",
                 maximum: int = MAX_WHOLE, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message, self.maximum = message, maximum

    def process_formdata(self, valuelist):
        """Parse the typed text; a refused value keeps its raw text for the page to show again."""
        if not valuelist:
            return
        if valuelist[0].strip().startswith("-"):
            self.data = None
            raise ValueError("Phải là số không âm.")
        try:
            self.data = parse_whole(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(self.message) from None
        if self.data is not None and self.data > self.maximum:
            self.data = None
            raise ValueError(too_large(self.maximum))

    def pre_validate(self, form):
        """Text that is not a number says so once, without the range checks repeating it."""
        if self.process_errors:
            raise StopValidation()

    def process_data(self, value):
        """Data given as text (a line typed but not yet saved) is read the same way, or kept as typed."""
        if not isinstance(value, str):
            super().process_data(value)
            return
        try:
            self.data = parse_whole(value)
        except ValueError:
            self.data, self.raw_data = None, [value]

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_whole(self.data)


class DecimalNumberField(DecimalField):
    """A DecimalField that reads a decimal comma ("0,9", "12,5 %") as Vietnamese people write it."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        """Parse the typed text; a refused value keeps its raw text for the page to show again."""
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            value = parse_decimal(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError("Vui lòng nhập một số, ví dụ 12,5.") from None
        self.data = Decimal(str(value))

    def pre_validate(self, form):
        """Text that is not a number says so once."""
        if self.process_errors:
            raise StopValidation()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:g}".replace(".", ",")
