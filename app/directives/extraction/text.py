"""Text helpers for Vietnamese administrative documents: folding, cleaning, dates."""

from __future__ import annotations

import re
from datetime import date

from app.core.text import fold, fold_char, nfc  # noqa: F401  (the extractor's modules import them from here)

#: Characters the PDF/web extraction leaves that mean a plain space.
_SPACES = re.compile(r"[\u00a0\u2000-\u200b\u202f\u205f\u3000\t]")
#: Page furniture and web-page leftovers: whole lines that carry no content.
_FURNITURE = re.compile(
    r"""^\s*(?:
        </?\w[^>]*>?                       # stray markup: </xml, <br>
      | [-–_=.*·]{3,}                       # separator lines
      | -?\s*\d{1,3}\s*-?                   # page numbers: 2, - 2 -
      | trang\s+\d+(?:\s*/\s*\d+)?          # Trang 1/3
      | \(?\s*đã\s+ký\s*\)?                 # (Đã ký)
      | \(?\s*ký,?\s+(?:ghi\s+rõ\s+)?(?:họ\s+tên|đóng\s+dấu)[^)]*\)?
      | tin\s+khác | bài\s+viết\s+liên\s+quan | in\s+trang | chia\s+sẻ | bản\s+in | xem\s+thêm
      | https?://\S+ | www\.\S+ | [\w.-]+\.(?:vn|com|net|org)(?:/\S*)?   # a site's address alone on a line
      | \d{1,2}/\d{1,2}/\d{4}\s+\d{1,2}:\d{2}.*lượt\s+xem.*   # "21/07/2021 08:25 145 lượt xem"
      | .*\blượt\s+xem\s*
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)

#: "Tin liên quan:", "Các tin khác", "Bài viết cùng chuyên mục": where a portal page's article ends.
_RELATED = re.compile(r"^\s*(?:các\s+)?(?:tin|bài(?:\s+viết)?)\s+"
                      r"(?:liên\s+quan|khác|cùng\s+chuyên\s+mục|đã\s+đưa)\s*:?\s*$",
                      re.IGNORECASE)


def _letters(upper: bool) -> str:
    """Every Latin letter Vietnamese uses, upper- or lower-case, for regex classes."""
    ranges = [range(0x41, 0x250), range(0x1E00, 0x1F00)]
    chars = {chr(c) for r in ranges for c in r if chr(c).isalpha() and chr(c).isupper() == upper}
    return "".join(sorted(chars))


#: Regex classes of Vietnamese capitals and small letters (re has no \p{Lu}).
UP = "[" + _letters(True) + "]"
LOW = "[" + _letters(False) + "]"

NUMBER_WORDS = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
    "mười": 10, "mười lăm": 15, "hai mươi": 20, "ba mươi": 30, "mười hai": 12, "mười năm": 15,
}


def collapse(text: str) -> str:
    """Whitespace collapsed to single spaces, NFC, trimmed."""
    return re.sub(r"\s+", " ", nfc(text)).strip()


def clean_lines(text: str) -> list[str]:
    """The document's lines, NFC, odd spaces made plain, furniture dropped (blank lines kept)."""
    text = nfc(text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", ""))
    lines = []
    for raw in text.split("\n"):
        line = _SPACES.sub(" ", raw).rstrip()
        if _RELATED.match(line):
            break  # a portal's list of other articles: nothing of the document follows
        lines.append("" if _FURNITURE.match(line) else line)
    return lines


def to_int(token: str) -> int | None:
    """A small number written in digits or Vietnamese words."""
    token = token.strip().lower()
    if token.isdigit():
        return int(token)
    return NUMBER_WORDS.get(collapse(token))


def make_date(year: int | None, month: int, day: int) -> date | None:
    """A date, or None when the parts do not form one."""
    if year is None:
        return None
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


#: A date in digits (14/4/2022, 14-4-2022, 14.4.2022, 21/ 5) or in words
#: (ngày 20 tháng 6 năm 2022), matched in folded text.
DATE_DIGITS = r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{4}|\d{2})(?!\d))?"
DATE_WORDS = r"(\d{1,2})\s+thang\s+(\d{1,2})(?:\s*(?:,\s*)?nam\s+(\d{4}))?"
DATE_ANY = re.compile(rf"(?:ngay\s+)?(?:{DATE_WORDS}|{DATE_DIGITS})")


def parse_date_at(folded: str, pos: int, default_year: int | None) -> tuple[date | None, int]:
    """The date starting at `pos` in folded text (and where it ends); year defaults to the document's."""
    match = DATE_ANY.match(folded, pos)
    if not match:
        return None, pos
    groups = match.groups()
    if groups[0] is not None:
        day, month, year = groups[0], groups[1], groups[2]
    else:
        day, month, year = groups[3], groups[4], groups[5]
    return make_date(int(year) if year else default_year, int(month), int(day)), match.end()
