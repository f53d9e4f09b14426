"""Extraction of a directive's structure from its text (CONTRACT.md `directive extract`).

Pure functions: text in, a dict out, nothing stored.
"""

from __future__ import annotations

import re
from datetime import date

from app.directives.extraction import body, header
from app.directives.extraction.deadline_phrases import find_deadline, find_report_deadline
from app.directives.extraction.text import clean_lines, collapse, fold, parse_date_at
from app.directives.extraction.units import named_units


def extract(text: str) -> dict:
    """Everything CONTRACT.md lists, from a document's text."""
    lines = header.split_header_lines(clean_lines(text))
    number, number_at = header.find_number(lines)
    place, issued_on, year, date_at = header.find_place_date(lines)
    addressees, body_start = header.find_addressees(lines)
    recipients, body_end = header.find_recipients(lines)
    head_end = max(i for i in (number_at, date_at, -1) if i is not None) + 1
    subject, subject_end = header.find_subject(lines, 0)
    if body_start is None:
        body_start = _after_subject(lines, max(head_end, (subject_end or -1) + 1))
    body_lines = lines[body_start: body_end if body_end is not None and body_end > body_start else len(lines)]
    body_text = "\n".join(body_lines)
    year = year or _latest_year(text)
    issuer = header.find_issuer(lines, min(i for i in (number_at, date_at, len(lines)) if i is not None))
    if number is None and place is None and not addressees:  # no header of its own: a page reporting a dispatch
        number, subject, issued_on = _own_from_report("\n".join(lines), subject, issued_on, year)
    return {
        "number": number,
        "issued_on": issued_on.isoformat() if issued_on else None,
        "issuer": issuer or header.issuer_from_body(body_text, place),
        "place": place,
        "signer": header.find_signer(lines[body_end:] if body_end is not None else lines[-12:]),
        "subject": subject,
        "addressees": addressees,
        "references": references(body_text, own=number, year=year),
        "named_units": named_units(body_text, exclude=[place] if place else []),
        "requirements": requirements(body_lines, year, text),
        "recipients": recipients,
    }


def requirements(body_lines: list[str], year: int | None, full_text: str = "") -> list[dict]:
    """The requirements, each with its label, text and deadline."""
    paras = body.paragraphs(body_lines)
    items = body.build_items(paras)
    if body.for_information_only(full_text, items):
        return []
    report_rule = None
    first = items[0].text if items else None
    for para in paras:  # the opening, before the first requirement, may state the report's deadline
        if para.text == first:
            break
        report_rule = report_rule or find_report_deadline(para.text)
    result = []
    for item in items:
        text = item.full_text()
        deadline = find_deadline(text, year)
        if deadline is None and report_rule and re.search(r"\bbao cao\b", fold(text)):
            deadline = dict(report_rule)  # stated elsewhere in the document for the same report
        text = re.sub(r"\s*\./\.$", ".", text)  # the end-of-document mark is not part of the text
        result.append({"label": item.label, "text": text, "deadline": deadline})
    return result


def references(text: str, own: str | None, year: int | None) -> list[dict]:
    """Each document number cited, in order of first mention, with the date written beside it."""
    found: dict[str, str | None] = {}
    for match in header.NUMBER.finditer(text):
        number = header.normalise_number(match)
        if own and fold(number) == fold(own):
            continue
        issued = _date_after(text, match.end(), year) or _date_before(text, match.start(), year)
        if number not in found or (found[number] is None and issued):
            found[number] = issued
    return [{"number": number, "issued_on": issued} for number, issued in found.items()]


def _date_after(text: str, end: int, year: int | None) -> str | None:
    folded = fold(text)
    match = re.match(r"\s*,?\s*ngay\s+", folded[end:])
    if not match:
        return None
    found, _ = parse_date_at(folded, end + match.end(), year)
    return found.isoformat() if found else None


#: The date that opens a news lead: "Ngày 14/4/2022, …", or "Chiều 5/9, …" at a line's start.
_OPENING_DATE = re.compile(r"ngay\s+(?=\d)|^\s*(?:(?:sang|chieu|toi|trua)\s+)?(?=\d{1,2}\s*/\s*\d)", re.MULTILINE)


def _date_before(text: str, start: int, year: int | None) -> str | None:
    """"Ngày 14/4/2022, UBND huyện ban hành Công văn số 479/UBND-VP": the date opens the sentence."""
    folded = fold(text)
    sentence_start = max(folded.rfind(". ", 0, start), folded.rfind("\n\n", 0, start), -1) + 1
    match = _OPENING_DATE.search(folded[sentence_start:start])
    if not match or not re.search(body.REPORTS_ISSUE, folded[sentence_start:start]):
        return None
    found, _ = parse_date_at(folded, sentence_start + match.end(), year)
    return found.isoformat() if found else None


#: A portal's or newspaper's account of a dispatch: "UBND tỉnh (vừa) ban hành Công văn số 846/UBND-TH …", "… đã có
#: Thông báo số …", or its source note "(Theo Công văn 907/UBND-KT ngày 13/3/2023)". Matched in folded text.
_REPORTED = re.compile(rf"(?:(?:{body.REPORTS_ISSUE}|\(\s*theo)\s+{body.DOC_TYPES}\s+(?:so\s*:?\s*)?|"
                       rf"(?:^|\n)\s*{body.DOC_TYPES}\s+so\s*:?\s*)(?=\d)")  # or a paragraph opening "Thông báo số …"


def _own_from_report(text: str, subject, issued_on, year):
    """The number, subject and date of the dispatch a portal page reports (the first one it says was issued)."""
    match = _REPORTED.search(fold(text))
    number_match = header.NUMBER.match(text, match.end()) if match else None
    if not number_match:
        return None, subject, issued_on
    number = header.normalise_number(number_match)
    issued = _date_after(text, number_match.end(), year) or _date_before(text, number_match.start(), year)
    if issued_on is None and issued:
        issued_on = date.fromisoformat(issued)
    rest = text[number_match.end():]
    about = re.match(r"[^.\n]{0,80}?\b(?:về\s+việc|V/v)\s+([^\n]+?)(?:\.\s|\.$|;|\n|$)", rest, flags=re.IGNORECASE)
    if about and subject is None:
        subject = collapse(about.group(1)).rstrip(".")
    return number, subject, issued_on


def _first_paragraph(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if not line.strip():
            if out:
                break
            continue
        out.append(line)
    return out


def _after_subject(lines: list[str], head_end: int) -> int:
    """Without "Kính gửi", the body starts after the header and the title block."""
    index = head_end
    while index < len(lines):
        text = lines[index].strip()
        if re.match(r"^(?:[IVX]+|\d+)[.)]\s", text):
            return index  # a numbered section or item opens the body, upper-case or not
        if text and not (text == text.upper() or fold(text).startswith(("v/v", "ve viec"))):
            if not _is_continuation_of_title(lines, index):
                return index
        index += 1
    return head_end


def _is_continuation_of_title(lines: list[str], index: int) -> bool:
    previous = lines[index - 1].strip() if index > 0 else ""
    return fold(previous).startswith("v/v") and bool(previous) and not previous.endswith((".", ":"))


def _latest_year(text: str) -> int | None:
    years = [int(y) for y in re.findall(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)", text)]
    return max(years) if years else None
