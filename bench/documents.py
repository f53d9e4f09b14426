"""Directives as the files offices send: the same text as .docx and as a PDF with a text layer."""

from __future__ import annotations

import ctypes
import io
from pathlib import Path

FONT_NAMES = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "NotoSans-Regular.ttf", "FreeSans.ttf")
LINES_PER_PAGE = 36


def font_path() -> Path:
    """A TrueType font with Vietnamese glyphs (Debian's fonts-dejavu-core has one)."""
    for name in FONT_NAMES:
        found = sorted(Path("/usr/share/fonts").rglob(name))
        if found:
            return found[0]
    raise FileNotFoundError("No TTF font with Vietnamese glyphs under /usr/share/fonts: install fonts-dejavu-core.")


def text_pdf(pages: list[list[str]]) -> bytes:
    """A PDF with a real text layer (embedded TrueType font, Unicode map), written by PDFium."""
    import pypdfium2
    import pypdfium2.raw as raw

    pdf = pypdfium2.PdfDocument.new()
    font_bytes = font_path().read_bytes()
    font_buffer = (ctypes.c_uint8 * len(font_bytes)).from_buffer_copy(font_bytes)
    font = raw.FPDFText_LoadFont(pdf.raw, font_buffer, len(font_bytes), raw.FPDF_FONT_TRUETYPE, True)
    for lines in pages:
        page = pdf.new_page(595, 842)
        for i, line in enumerate(lines):
            text = raw.FPDFPageObj_CreateTextObj(pdf.raw, font, 12.0)
            wide = ctypes.create_string_buffer((line + "\0").encode("utf-16-le"))
            raw.FPDFText_SetText(text, ctypes.cast(wide, ctypes.POINTER(raw.FPDF_WCHAR)))
            raw.FPDFPageObj_Transform(text, 1, 0, 0, 1, 60, 780 - 20 * i)
            raw.FPDFPage_InsertObject(page.raw, text)
        raw.FPDFPage_GenerateContent(page.raw)
    out = io.BytesIO()
    pdf.save(out)
    raw.FPDFFont_Close(font)
    return out.getvalue()


def pdf_of(text: str) -> bytes:
    """The text as a paginated PDF, a line of text a line of the page."""
    lines = text.splitlines()
    return text_pdf([lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[""]])


def docx_of(text: str) -> bytes:
    """The text as a Word document, a paragraph a line."""
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
