"""Word documents in the layout of Nghị định 30/2020/NĐ-CP (Phụ lục I): A4, Times New Roman, the decree's margins.

The header is a borderless two-column table: the issuing body on the left
(its parent body above, the issuer in bold, a short rule under it, then
"Số: …"), the national title and motto on the right, then the place and date
in italics; the document type and "V/v" subject follow, the body in 14 pt,
justified, first lines indented; "Nơi nhận" at the bottom left and the
signature block at the bottom right.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from app.core.numbers import vnnum

FONT = "Times New Roman"
#: Margins the decree sets: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}


@dataclass
class OfficialDocument:
    """What an administrative document says, in the order the decree lays it out."""

    issuer: str  # "UBND HUYỆN TỨ KỲ"
    parent: str | None = None  # the body above the issuer, when there is one
    number: str | None = None  # "479/UBND-VP"; None leaves "Số:    /UBND" for the office to fill
    symbol: str = "UBND"
    place: str = ""
    issued_on: date | None = None
    doc_type: str | None = None  # "BÁO CÁO"; None for a công văn (it has only "V/v")
    subject: str = ""
    addressees: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)  # body; lines starting "1." etc. are kept as written
    table: tuple[list[str], list[list]] | None = None  # an appendix table: headers and rows
    table_title: str = ""
    recipients: list[str] = field(default_factory=list)
    signer_authority: str | None = None  # "TM. ỦY BAN NHÂN DÂN" or "KT. CHỦ TỊCH"
    signer_title: str = "CHỦ TỊCH"
    signer_name: str = ""


def render(doc: OfficialDocument) -> bytes:
    """The .docx bytes of the document."""
    word = Document()
    _page(word)
    _header(word, doc)
    if doc.doc_type:
        _line(word, doc.doc_type, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, before=12)
        if doc.subject:
            _line(word, doc.subject, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    if doc.addressees:
        _addressees(word, doc.addressees)
    for text in doc.paragraphs:
        _body(word, text)
    if doc.table:
        _appendix(word, doc.table_title, *doc.table)
    _closing(word, doc)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _page(word) -> None:
    section = word.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    style = word.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)  # so Vietnamese letters use the same font
    style.paragraph_format.space_after = Pt(0)


def _run(paragraph, text: str, bold=False, italic=False, size=None, underline=False):
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.name = FONT
    run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    return run


def _line(container, text, bold=False, italic=False, size=None, align=None, before=0, underline=False):
    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(before)
    _run(paragraph, text, bold=bold, italic=italic, size=size, underline=underline)
    return paragraph


def _header(word, doc: OfficialDocument) -> None:
    table = word.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(9.5)
    center = WD_ALIGN_PARAGRAPH.CENTER
    left.paragraphs[0].alignment = center
    if doc.parent:
        _run(left.paragraphs[0], doc.parent.upper(), size=13)
        _line(left, doc.issuer.upper(), bold=True, size=13, align=center)
    else:
        _run(left.paragraphs[0], doc.issuer.upper(), bold=True, size=13)
    _line(left, "––––––––", size=13, align=center)
    number = f"Số: {doc.number}" if doc.number else f"Số:      /{doc.symbol}"
    _line(left, number, size=13, align=center, before=6)
    right.paragraphs[0].alignment = center
    _run(right.paragraphs[0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=13)
    _line(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=14, align=center)
    _line(right, "––––––––––––––––––––", size=13, align=center)
    when = (f"ngày {doc.issued_on.day:02d} tháng {doc.issued_on.month:02d} năm {doc.issued_on.year}"
            if doc.issued_on else "ngày      tháng      năm      ")
    _line(right, f"{doc.place}, {when}", italic=True, size=14, align=center, before=6)
    if not doc.doc_type and doc.subject:
        _line(left, f"V/v {doc.subject}", size=12, align=center, before=6)


def _addressees(word, addressees: list[str]) -> None:
    paragraph = word.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(12)
    if len(addressees) == 1:
        _run(paragraph, f"Kính gửi: {addressees[0]}.")
        return
    _run(paragraph, "Kính gửi:")
    for index, name in enumerate(addressees):
        line = word.add_paragraph()
        line.paragraph_format.left_indent = Cm(4)
        _run(line, f"- {name}{'.' if index == len(addressees) - 1 else ';'}")


def _body(word, text: str) -> None:
    paragraph = word.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.line_spacing = 1.15
    _run(paragraph, text)


def _appendix(word, title: str, headers: list[str], rows: list[list]) -> None:
    if title:
        _line(word, title, bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER, before=12)
    table = word.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(cell.paragraphs[0], header, bold=True, size=11)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            _run(cell.paragraphs[0], _cell_text(value), size=11)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _cell_text(value) -> str:
    """A table cell as Vietnamese documents write it: 1.234 and 22,5 (numbers), text as it is."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return vnnum(value, 0 if float(value).is_integer() else 1)


def _closing(word, doc: OfficialDocument) -> None:
    table = word.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.width, right.width = Cm(8), Cm(8)
    left.paragraphs[0].paragraph_format.space_before = Pt(12)
    _run(left.paragraphs[0], "Nơi nhận:", bold=True, italic=True, size=12)
    for index, name in enumerate(doc.recipients):
        _line(left, f"- {name}{'.' if index == len(doc.recipients) - 1 else ';'}", size=11)
    center = WD_ALIGN_PARAGRAPH.CENTER
    right.paragraphs[0].alignment = center
    right.paragraphs[0].paragraph_format.space_before = Pt(12)
    if doc.signer_authority:
        _run(right.paragraphs[0], doc.signer_authority, bold=True, size=14)
        _line(right, doc.signer_title, bold=True, size=14, align=center)
    else:
        _run(right.paragraphs[0], doc.signer_title, bold=True, size=14)
    for _ in range(3):
        _line(right, "", size=14)
    _line(right, doc.signer_name, bold=True, size=14, align=center)
