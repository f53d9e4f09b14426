"""The parts of a dispatch around its body: header, addressees, recipients, signature."""

from __future__ import annotations

import re
from datetime import date

from app.directives.extraction.text import LOW, UP, collapse, fold, make_date

#: The national title and motto, which share lines with the issuer in most layouts.
#: Matched in folded text, so any tone placement or capitalisation is found.
_MOTTO = re.compile(
    r"cong\s+hoa\s+xa\s+hoi\s+chu\s+nghia\s+viet\s+nam|doc\s+lap\s*[-–—]\s*tu\s+do\s*[-–—]\s*hanh\s+phuc"
)
#: Where a one-line header must be cut so each part stands on a line of its own.
_HEADER_BREAKS = re.compile(
    r"\bSố\s*:|\bV/v\b|\bKính\s+gửi\b|"
    rf"(?<!\w)(?:TP\.\s*)?(?:{UP}{LOW}*\s+){{0,4}}{UP}{LOW}*,\s*ngày\b(?=[\s\d.…]*tháng)",  # not "Thứ Ba, ngày 8/10"
)
#: Two columns side by side: three spaces or more before a capital or a dash, not inside
#: a blank placeholder ("ngày      tháng", "Số:     /UBND").
_COLUMNS = re.compile(rf"(?<!ngày)(?<!Số:)(?<!tháng)\s{{3,}}(?={UP}|[-–])")
#: A document number: 479/UBND-VP, 37/2007/QĐ-UBND, 07 /TB-UBND, 867-KL/HU.
NUMBER = re.compile(
    r"(?<![\w/])(\d{1,6}[a-z]?)\s*(?:/\s*(\d{4})\s*)?/\s*([A-ZĐ][A-ZĐa-z0-9&]*(?:\s*[-–]\s*[A-ZĐ0-9&][A-ZĐa-z0-9&]*)*"
    r"(?:/[A-ZĐ][A-ZĐa-z0-9&\-]*)*)"
    r"|(?<![\w/])(\d{1,6})-([A-ZĐ]{1,6})/([A-ZĐ]{1,8})"
)
_PLACE_DATE = re.compile(
    rf"((?:TP\.\s*)?{UP}{LOW}*(?:\s+{UP}{LOW}*){{0,4}})\s*,\s*ngày\s*([\d.…\s]*?)\s*"
    r"tháng\s*([\d.…\s]*?)\s*năm\s*(\d{4})"
)
_DOC_TYPES = ("quyet dinh", "thong bao", "ke hoach", "chi thi", "cong van", "bao cao", "to trinh", "huong dan",
              "cong dien", "chuong trinh", "nghi quyet", "giay moi")
_LEVELS = ("thanh pho", "thi xa", "thi tran", "huyen", "tinh", "xa", "quan", "phuong", "dac khu")
_SIGN_PREFIX = re.compile(r"^(?:TM|KT|TL|TUQ|Q|Q\.|UQ)\.?\s", re.IGNORECASE)


def split_header_lines(lines: list[str]) -> list[str]:
    """Put the motto, number, place-date, V/v and Kính gửi of a crowded line on lines of their own."""
    out: list[str] = []
    for line in lines:
        pieces = [p.strip() for p in _cut(line, _MOTTO.finditer(fold(line)), drop=True)]
        for piece in pieces:
            for part in _cut(piece, _HEADER_BREAKS.finditer(piece)):
                out.extend(column.strip() for column in _COLUMNS.split(part) if column.strip())
        if not any(pieces):
            out.append("")
    return out


def _cut(line: str, matches, drop: bool = False) -> list[str]:
    """Split a line before each match (dropping the matched text when asked)."""
    parts, start = [], 0
    for match in matches:
        parts.append(line[start: match.start()])
        start = match.end() if drop else match.start()
    parts.append(line[start:])
    return [p for p in parts if p.strip()] or [""]


def normalise_number(match: re.Match) -> str:
    """A number as written, spaces around the slashes and dashes removed."""
    if match.group(1):
        year = f"{match.group(2)}/" if match.group(2) else ""
        symbol = re.sub(r"\s*[-–]\s*", "-", match.group(3))
        return f"{match.group(1)}/{year}{symbol}"
    return f"{match.group(4)}-{match.group(5)}/{match.group(6)}"


def find_number(lines: list[str]) -> tuple[str | None, int | None]:
    """The document's own number from its "Số:" line, and that line's index."""
    for index, line in enumerate(lines[:40]):
        found = re.search(r"\bSố\s*[:.]?\s*(.*)", line)
        if found and fold(line).lstrip().startswith("so"):
            match = NUMBER.search(found.group(1))
            return (normalise_number(match) if match else None), index
    return None, None


def find_place_date(lines: list[str]) -> tuple[str | None, date | None, int | None, int | None]:
    """Place, date of issue (None when the day is left blank), year and the line's index."""
    for index, line in enumerate(lines[:40]):
        match = _PLACE_DATE.search(line)
        if match:
            place = collapse(match.group(1))
            day, month, year = (re.sub(r"\D", "", match.group(i)) for i in (2, 3, 4))
            issued = make_date(int(year), int(month), int(day)) if day and month else None
            return place, issued, int(year), index
    return None, None, None, None


def smart_case(text: str) -> str:
    """An upper-case header line as Vietnamese writes it: levels lower-case, names capitalised."""
    if text != text.upper():
        return text
    words = text.split()
    out = []
    for word in words:
        lowered = word.lower()
        out.append(word if word in ("UBND", "HĐND") else lowered.capitalize())
    result = " ".join(out)
    for level in ("Thành Phố", "Thị Xã", "Thị Trấn", "Huyện", "Tỉnh", "Xã", "Quận", "Phường", "Đặc Khu"):
        result = re.sub(rf"(^|\s){level}\b", lambda m, level=level: m.group(1) + level.lower(), result, count=1)
    return result


def find_issuer(lines: list[str], stop: int) -> str | None:
    """The issuing body from the header's left column (the lowest body named there)."""
    bodies: list[str] = []
    for line in [line for line in lines[:stop] if line.strip()][:12]:
        text = collapse(line)
        if not text or text != text.upper() or len(text) > 80 or fold(text).startswith(("so", "v/v")):
            continue
        if any(fold(text).strip(" :") == t for t in _DOC_TYPES):
            if bodies:
                break
            continue
        folded = fold(text)
        if bodies and fold(bodies[-1]) in ("uy ban nhan dan", "ubnd") and folded.startswith(_LEVELS):
            bodies[-1] = f"{bodies[-1]} {text}"  # "ỦY BAN NHÂN DÂN" / "HUYỆN TỨ KỲ"
            continue
        bodies.append(text)
    if not bodies:
        return None
    issuer = bodies[-1]
    if fold(issuer).startswith("uy ban nhan dan"):
        issuer = "UBND" + issuer[len("uy ban nhan dan"):]
    return smart_case(collapse(issuer))


def issuer_from_body(text: str, place: str | None) -> str | None:
    """Without a header, the body's "UBND huyện ban hành / Chủ tịch UBND huyện" and the place name."""
    folded = fold(text)
    match = re.search(r"\b(?:ubnd|uy ban nhan dan)\s+(thanh pho|thi xa|huyen|tinh|xa|quan|phuong)\b", folded)
    if not match:
        return None
    level = text[match.start(1): match.end(1)].lower()
    return f"UBND {level} {place}" if place else f"UBND {level}"


def find_subject(lines: list[str], start: int) -> tuple[str | None, int | None]:
    """The V/v line (with its continuation), or the title under QUYẾT ĐỊNH / KẾ HOẠCH; and where it ends."""
    for index in range(start, min(len(lines), start + 40)):
        folded = fold(lines[index]).strip()
        if folded.startswith("kinh gui") or _is_body_start(folded):
            break
        if folded.startswith(("v/v", "v / v", "ve viec")):
            text, end = _with_continuation(lines, index)
            return _clean_subject(text), end
        if folded.strip(" :") in _DOC_TYPES:
            following = _next_nonblank(lines, index + 1)
            if following is not None:
                nxt = fold(lines[following]).strip()
                if not (_is_authority(nxt) or _is_body_start(nxt) or nxt.startswith(("kinh gui", "can cu"))
                        or re.match(r"^(?:\d+|[ivx]+)[.)]", nxt)):
                    text, end = _with_continuation(lines, following)
                    return _clean_subject(text), end
    return None, None


def _is_body_start(folded: str) -> bool:
    return folded.startswith(("can cu", "thuc hien ", "ngay ", "tiep theo", "theo de nghi"))


def _is_authority(folded: str) -> bool:
    return folded.startswith(("uy ban nhan dan", "ubnd", "chu tich", "giam doc", "hoi dong"))


def _next_nonblank(lines: list[str], start: int) -> int | None:
    for index in range(start, min(len(lines), start + 4)):
        if lines[index].strip():
            return index
    return None


def _with_continuation(lines: list[str], index: int) -> tuple[str, int]:
    """A line and the lines right below it that carry on the same phrase; and the last one's index."""
    parts, end = [lines[index]], index
    for offset, line in enumerate(lines[index + 1: index + 4], start=index + 1):
        folded = fold(line).strip()
        if not folded or folded.startswith(("kinh gui", "so", "can cu", "thuc hien")) or _is_authority(folded):
            break
        if _MOTTO.search(fold(line)) or _PLACE_DATE.search(line) or re.match(r"^(?:\d+|[ivx]+)[.)]", folded):
            break
        parts.append(line)
        end = offset
    return " ".join(parts), end


def _clean_subject(text: str) -> str | None:
    text = collapse(text)
    text = re.sub(r"^(?:V\s*/\s*v|VỀ\s+VIỆC|Về\s+việc)\s*[:.]?\s*", "", text, flags=re.IGNORECASE)
    if text and text == text.upper():
        text = text.lower().capitalize()
    return text.rstrip(" .;") or None


def list_items(lines: list[str], start: int, first: str) -> tuple[list[str], int]:
    """Items of a "- a;" list that begins with `first` (the rest of the opening line); returns where it ends."""
    items: list[str] = []
    pending = [first] if first.strip() else []
    index = start
    while index < len(lines):
        line = lines[index].strip()
        if not line:
            nxt = _next_nonblank(lines, index + 1)
            if nxt is None or not re.match(r"^[-–+•]", lines[nxt].strip()):
                break
            index += 1
            continue
        if re.match(r"^[-–+•]", line):
            pending.append(line)
        elif _is_signature_line(line):
            pass  # the signature block's column, interleaved with the list
        elif pending and not _ends_item(pending[-1]) and not _is_signature_line(line):
            pending[-1] += " " + line
        else:
            break
        index += 1
    for item in pending:
        for piece in re.split(r"(?:^|;)\s*[-–+•]\s+", item):
            cleaned = _clean_item(piece)
            if cleaned:
                items.append(cleaned)
    return items, index


def _ends_item(text: str) -> bool:
    return text.rstrip().endswith((";", "."))


def _clean_item(text: str) -> str:
    text = collapse(text)
    text = re.sub(r"^[-–+•]\s*", "", text)
    return text.rstrip(" ;.,")


def _is_signature_line(line: str) -> bool:
    text = collapse(line)
    return bool(_SIGN_PREFIX.match(text)) or (
        text == text.upper() and len(text) < 60 and any(c.isalpha() for c in text))


def find_addressees(lines: list[str]) -> tuple[list[str], int | None]:
    """The "Kính gửi" list and the index of the line after it."""
    for index, line in enumerate(lines):
        match = re.search(r"\bKính\s+gửi\s*:?\s*(.*)", line, flags=re.IGNORECASE)
        if match:
            items, end = list_items(lines, index + 1, match.group(1))
            return items, end
    return [], None


def find_recipients(lines: list[str]) -> tuple[list[str], int | None]:
    """The "Nơi nhận" list and the index of its line."""
    for index in range(len(lines) - 1, -1, -1):
        match = re.search(r"\bNơi\s+nhận\s*:?\s*(.*)", lines[index], flags=re.IGNORECASE)
        if match:
            items, _ = list_items(lines, index + 1, match.group(1))
            return items, index
    return [], None


def find_signer(lines: list[str]) -> dict | None:
    """The name at the end of the document and the title on the line above it."""
    tail = [part for line in lines if line.strip() for part in _title_and_name(collapse(line))]
    for index in range(len(tail) - 1, max(-1, len(tail) - 12), -1):
        if _looks_like_name(tail[index]):
            return {"name": tail[index], "title": _title_above(tail[:index])}
    return None


#: An upper-case title run into a name when a page drops the line break: "PHÓ CHỦ TỊCHPhạm Thị Hằng".
_RUN_TOGETHER = re.compile(rf"^((?:{UP}+\.?\s+)*{UP}+)({UP}{LOW}+(?:\s+{UP}{LOW}*)+)$")


def _title_and_name(line: str) -> list[str]:
    """The line, or the title and the name it runs together."""
    match = _RUN_TOGETHER.match(line)
    if match and _looks_like_name(match.group(2)):
        return [match.group(1), match.group(2)]
    return [line]


def _title_above(lines: list[str]) -> str | None:
    """The nearest upper-case line above the name, past the recipients interleaved with it."""
    for line in reversed(lines[-8:]):
        if line.startswith(("-", "+", "•")) or fold(line).startswith("noi nhan"):
            continue
        return line if line == line.upper() and any(c.isalpha() for c in line) else None
    return None


def _looks_like_name(text: str) -> bool:
    """A person's name: 2 to 6 capitalised words, no digits or punctuation."""
    words = text.split()
    if not 2 <= len(words) <= 6 or text == text.upper() or re.search(r"[\d:;,()/]", text):
        return False
    return all(w[0].isupper() for w in words) and fold(words[0]) not in ("noi", "kinh", "nhu")
