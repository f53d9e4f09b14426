"""File types by content: magic bytes, ZIP limits checked before anything is inflated, Office kinds.

One place for these checks, used by evidence uploads and by directive intake.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from collections.abc import Iterable

from app.core.errors import DomainError

MIB = 1024 * 1024
MAX_ZIP_ENTRIES = 1000  # a .docx or .xlsx has a few dozen parts; thousands means a zip bomb
MAX_ZIP_BYTES = 100 * MIB  # zipfile never inflates an entry beyond its declared size
SNIFF_BYTES = 8192  # how much of the head callers should pass to sniff()

# Anchored at byte 0, checked before anything looser: a polyglot that starts
# as a program is a program, whatever text follows.
_MAGIC = (
    (b"MZ", "exe"),
    (b"\x7fELF", "elf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # old .doc/.xls, and also an encrypted .docx/.xlsx
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# The tags by which browsers sniff HTML (WHATWG MIME sniffing), each followed by a space or ">".
_HTML_TAGS = re.compile(
    rb"<(!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--)[\s>/]"
)
_SVG_ROOT = re.compile(rb"<svg[\s>/]")
# The central directory is what zipfile parses into memory; a real Office file's
# entries take well under 1 KiB each, so this bounds parsing a hostile one.
_CD_BYTES_PER_ENTRY = 1024


class ZipRefused(DomainError):
    """A ZIP that is damaged (``kind="corrupt"``) or too big once inflated (``kind="bomb"``)."""

    status = 422

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


def sniff(head: bytes) -> str | None:
    """The kind of content from its first bytes: pdf, png, jpeg, tiff, zip, ole, html, svg, exe, elf or None."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    markup = _markup(head)
    if markup:
        return markup
    if b"%PDF-" in head[:1024]:  # PDF readers accept the header anywhere in the first KiB
        return "pdf"
    return None


def _markup(head: bytes) -> str | None:
    """"svg" or "html" when the text starts as markup (after a BOM and blanks), else None."""
    if head.startswith(_UTF16_BOMS):  # Notepad's "Unicode": browsers read it too
        head = head[:4096].decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    text = head[:4096].removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\f").lower()
    if not text.startswith(b"<"):
        return None
    if _SVG_ROOT.search(text):  # with or without a prolog, doctype or comments before it
        return "svg"
    if _HTML_TAGS.match(text) or b"<html" in text or b"<script" in text:
        return "html"
    return None


def check_zip(file, max_entries: int = MAX_ZIP_ENTRIES, max_bytes: int = MAX_ZIP_BYTES) -> set[str]:
    """The member names of a ZIP, after refusing a damaged one or a bomb without inflating anything."""
    if isinstance(file, (bytes, bytearray, memoryview)):
        return _check_open(io.BytesIO(file), max_entries, max_bytes)
    if isinstance(file, (str, os.PathLike)):
        with open(file, "rb") as handle:
            return _check_open(handle, max_entries, max_bytes)
    position = file.tell()
    try:
        return _check_open(file, max_entries, max_bytes)
    finally:
        file.seek(position)  # the caller may still read or store the stream


def _check_open(handle, max_entries: int, max_bytes: int) -> set[str]:
    bomb = ZipRefused(
        f"Tệp nén có cấu trúc bất thường (hơn {_number(max_entries)} thành phần hoặc giải nén vượt "
        f"{_number(max_bytes // MIB)} MB) nên không được mở.",
        "bomb",
    )
    corrupt = ZipRefused("Tệp nén (.docx, .xlsx) bị hỏng hoặc không đầy đủ.", "corrupt")
    declared = _end_record(handle)
    if declared is None:
        raise corrupt
    entries, directory_bytes = declared
    # Judged from the end record alone, before zipfile reads the directory into memory.
    if entries > max_entries or directory_bytes > max_entries * _CD_BYTES_PER_ENTRY:
        raise bomb
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()  # the central directory only: nothing is inflated
    except Exception as exc:  # zipfile raises many kinds on a damaged archive
        raise corrupt from exc
    # The end record may lie; the parsed directory is authoritative.
    if len(infos) > max_entries or sum(info.file_size for info in infos) > max_bytes:
        raise bomb
    return {info.filename for info in infos}


def _end_record(handle) -> tuple[int, int] | None:
    """(entries, central directory size) declared by the end record (ZIP64 aware), or None when absent."""
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    tail_size = min(size, 22 + 0xFFFF)  # the record, then a comment of at most 64 KiB
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    entries, directory_bytes = struct.unpack("<HI", tail[at + 10:at + 16])
    if at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07":  # the ZIP64 locator just before it
        (offset,) = struct.unpack("<Q", tail[at - 12:at - 4])
        if offset < size:
            handle.seek(offset)
            record = handle.read(56)
            if len(record) == 56 and record.startswith(b"PK\x06\x06"):
                entries, directory_bytes = struct.unpack("<QQ", record[32:48])
    return entries, directory_bytes


def office_kind(names: Iterable[str]) -> str | None:
    """"docx" or "xlsx" from a ZIP's member names; None for any other ZIP (or one claiming both)."""
    names = set(names)
    word, excel = "word/document.xml" in names, "xl/workbook.xml" in names
    if word == excel:
        return None
    return "docx" if word else "xlsx"


def _number(n: int) -> str:
    """A whole number as Vietnamese writes it (1.000)."""
    return f"{n:,}".replace(",", ".")
