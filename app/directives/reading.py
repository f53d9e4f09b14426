"""Turn an uploaded directive (text, Word, PDF or a scan) into plain text.

The extractor works on lines, so the line structure is kept; everything
returned is NFC so that the same word typed in any Unicode form compares equal.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass

from app.core import filetypes
from app.core.errors import DomainError
from app.core.filetypes import MIB

log = logging.getLogger(__name__)

ALLOWED_EXTENSIONS = (".txt", ".docx", ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
MIN_CHARS_PER_PAGE = 20  # a PDF with less text than this per page is a scan
OCR_DPI = 300  # the resolution tesseract is trained for
OCR_MAX_SIDE = 7000  # pixels: a page of absurd size must not exhaust memory
OCR_MAX_PAGES = 50  # a directive has a few pages; OCR costs about a second per page
OCR_TIMEOUT = 120  # seconds per page

UNSUPPORTED = "Định dạng tệp không được hỗ trợ. Chỉ nhận .txt, .docx, .pdf hoặc ảnh quét (.png, .jpg, .tif)."
OLD_WORD = "Tệp Word định dạng cũ (.doc) chưa được hỗ trợ. Vui lòng mở bằng Word, lưu lại dưới dạng .docx hoặc PDF."
LOCKED_WORD = "Tệp .docx này có mật khẩu hoặc thực chất là tệp Word cũ (.doc). Vui lòng lưu lại thành .docx hoặc PDF."
EMPTY = "Tệp rỗng: không có nội dung để đọc."
NO_TEXT = "Không tìm thấy chữ nào trong tệp. Vui lòng kiểm tra lại tệp (bản scan cần rõ nét)."
CORRUPT_DOCX = "Tệp Word bị hỏng hoặc không đúng định dạng .docx."
ZIP_BOMB = "Tệp Word có cấu trúc bất thường (quá nhiều thành phần hoặc giải nén vượt 100 MB) nên không được đọc."
LOCKED_PDF = "Tệp PDF được đặt mật khẩu. Vui lòng gỡ mật khẩu rồi tải lên lại."
CORRUPT_PDF = "Tệp PDF bị hỏng hoặc không đầy đủ (có thể do tải lên bị gián đoạn)."
CORRUPT_IMAGE = "Tệp ảnh bị hỏng hoặc không đọc được."
OCR_MISSING = "Không đọc được văn bản scan: máy chủ chưa cài phần mềm nhận dạng chữ (tesseract-ocr, tesseract-ocr-vie)."
OCR_FAILED = "Không nhận dạng được chữ trong bản scan."
OCR_SLOW = "Nhận dạng chữ bản scan mất quá nhiều thời gian. Vui lòng tải lên bản ít trang hơn."

# What each extension must contain. Image extensions take any supported image:
# a PNG saved as .jpg is common and harmless, tesseract reads both.
_KIND_BY_EXTENSION = {".txt": "text", ".docx": "zip", ".pdf": "pdf"} | dict.fromkeys(ALLOWED_EXTENSIONS[3:], "image")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Notepad's "Unicode"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_NOT_TEXT = {_W + "pPr", _W + "txbxContent", "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}


class DocumentError(DomainError):
    """An upload that cannot be read as a directive; the message says why, in Vietnamese."""

    status = 422


@dataclass
class ReadResult:
    """The text of a document and how it was obtained."""

    text: str  # NFC, lines separated by "\n"
    read_by_ocr: bool
    pages: int | None = None


def read_document(data: bytes, filename: str, max_bytes: int = 20 * MIB) -> ReadResult:
    """Read a .txt, .docx, .pdf or scanned image into NFC text, by OCR when it is a scan."""
    if len(data) > max_bytes:
        limit = f"{max_bytes / MIB:.1f}".removesuffix(".0").replace(".", ",")
        raise DocumentError(f"Tệp quá lớn: dung lượng tối đa là {limit} MB.", status=413)
    if not data.strip():
        raise DocumentError(EMPTY)
    name = os.path.basename(filename.replace("\\", "/")).strip().lower()
    extension = "." + name.rpartition(".")[2] if "." in name else ""
    kind = _sniff(data)
    if extension == ".doc":
        raise DocumentError(OLD_WORD)
    if extension == ".docx" and kind == "ole":
        raise DocumentError(LOCKED_WORD)
    if extension not in _KIND_BY_EXTENSION:
        raise DocumentError(UNSUPPORTED)
    if kind != _KIND_BY_EXTENSION[extension]:
        raise DocumentError(f"Nội dung tệp không đúng định dạng {extension} (bị đổi tên hoặc bị hỏng). {UNSUPPORTED}")
    result = {"text": _read_text, "zip": _read_docx, "pdf": _read_pdf, "image": _read_image}[kind](data)
    result.text = _clean(result.text)
    if not result.text.strip():
        raise DocumentError(EMPTY if kind == "text" else NO_TEXT)
    return result


def ocr_available() -> bool:
    """Whether the tesseract binary and its Vietnamese data ("vie") are installed."""
    if shutil.which("tesseract") is None:
        return False
    try:
        done = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return "vie" in (done.stdout + done.stderr).split()


def _sniff(data: bytes) -> str:
    """The kind of content by its magic bytes, whatever the file is called."""
    kind = filetypes.sniff(data[: filetypes.SNIFF_BYTES])
    if kind in ("pdf", "zip", "ole"):
        return kind
    if kind in ("png", "jpeg", "tiff"):
        return "image"
    # HTML, SVG and programs are no kind of their own here: text or binary as before.
    if data.startswith(_UTF16_BOMS):
        return "text"
    return "binary" if b"\x00" in data[:8192] else "text"


def _clean(text: str) -> str:
    """NFC, LF line ends, no control characters (NUL included), no trailing spaces."""
    text = re.sub(r"\r\n?|[\v\f\u2028\u2029]", "\n", text)
    text = re.sub(r"[\x00-\x08\x0e-\x1f\x7f\u200b\ufeff]", "", text)
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


# --- plain text -------------------------------------------------------------

_VIETNAMESE_LETTERS = set("aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ")
_TONE_MARKS = set("\u0300\u0301\u0303\u0309\u0323")


def _read_text(data: bytes) -> ReadResult:
    if data.startswith(_UTF16_BOMS):
        return ReadResult(data.decode("utf-16", errors="replace"), read_by_ocr=False)
    try:
        return ReadResult(data.decode("utf-8-sig"), read_by_ocr=False)
    except UnicodeDecodeError:
        pass
    # An old Windows file. CP1258 writes tones as combining marks, hence NFC
    # before judging which code page reads as Vietnamese.
    candidates = [unicodedata.normalize("NFC", data.decode(codec, errors="replace")) for codec in ("cp1258", "cp1252")]
    return ReadResult(max(candidates, key=_vietnamese_score), read_by_ocr=False)


def _vietnamese_score(text: str) -> int:
    """Accented words that are valid Vietnamese, minus those that are not.

    The wrong code page shows as letters Vietnamese does not have (ð, Þ, ç),
    marks left on a consonant, or two tones in one word.
    """
    score = -10 * text.count("\ufffd")
    for word in text.lower().split():
        accented = [c for c in word if ord(c) > 127 and (c.isalpha() or unicodedata.combining(c))]
        if accented:
            tones = sum(c in _TONE_MARKS for c in unicodedata.normalize("NFD", word))
            score += 1 if tones <= 1 and all(c in _VIETNAMESE_LETTERS for c in accented) else -1
    return score


# --- Word -------------------------------------------------------------------


def _read_docx(data: bytes) -> ReadResult:
    import docx

    try:
        names = filetypes.check_zip(data)  # entries and declared sizes, before inflating anything
    except filetypes.ZipRefused as exc:
        raise DocumentError(ZIP_BOMB if exc.kind == "bomb" else CORRUPT_DOCX) from exc
    if filetypes.office_kind(names) != "docx":
        raise DocumentError(f"Nội dung tệp không đúng định dạng .docx. {UNSUPPORTED}")
    try:
        document = docx.Document(io.BytesIO(data))
        numbering = _Numbering(document)
        lines = [numbering.label(p) + _paragraph_text(p) for p in _paragraphs(document.element.body)]
    except Exception as exc:  # a broken package or a non-number in numbering.xml, in many kinds
        raise DocumentError(CORRUPT_DOCX) from exc
    return ReadResult("\n".join(lines), read_by_ocr=False)


def _paragraphs(element):
    """The w:p of a body, table or content control in reading order.

    A table is read row by row, each cell's paragraphs on lines of their own,
    so the two-column header ("ỦY BAN NHÂN DÂN" | "CỘNG HÒA ...") stays readable.
    """
    for child in element.iterchildren():
        if child.tag == _W + "p":
            yield child
        elif child.tag in (_W + "tbl", _W + "tr", _W + "tc", _W + "sdt", _W + "sdtContent"):
            yield from _paragraphs(child)


def _paragraph_text(p) -> str:
    """The visible text, tracked insertions included (deleted text is w:delText, not w:t)."""
    parts = []
    for node in p.iter(_W + "t", _W + "tab", _W + "br", _W + "cr"):
        # Tab stops in w:pPr are not text; text boxes and mc:Fallback copies would repeat.
        if not _NOT_TEXT.isdisjoint(a.tag for a in node.iterancestors() if a is not p):
            continue
        parts.append((node.text or "") if node.tag == _W + "t" else "\t" if node.tag == _W + "tab" else "\n")
    return "".join(parts)


class _Numbering:
    """Word's automatic list labels ("1. ", "a) ", "- "), counted as Word shows them."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, list]] = {}  # numId -> ilvl -> [numFmt, lvlText, start, pStyle]
        self.counters: dict[str, dict[int, int]] = {}  # numId -> ilvl -> last number shown
        self.styles: dict[str, tuple] = {}  # styleId -> (numId, ilvl, basedOn)
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError):  # a document without lists
            return
        abstract = {a.get(_W + "abstractNumId"): a for a in root.iterchildren(_W + "abstractNum")}
        for num in root.iterchildren(_W + "num"):
            definition = abstract.get(_val(num.find(_W + "abstractNumId")))
            if definition is None:
                continue
            levels = self.levels[num.get(_W + "numId")] = {}
            for lvl in definition.iterchildren(_W + "lvl"):
                fmt, text, start, style = (_val(lvl.find(_W + t)) for t in ("numFmt", "lvlText", "start", "pStyle"))
                levels[int(lvl.get(_W + "ilvl", "0"))] = [fmt or "decimal", text or "", int(start or 1), style]
            for override in num.iterchildren(_W + "lvlOverride"):  # "restart numbering at n"
                start, level = _val(override.find(_W + "startOverride")), int(override.get(_W + "ilvl", "0"))
                if start is not None and level in levels:
                    levels[level][2] = int(start)
        for style in document.styles.element.iterchildren(_W + "style"):
            num_id, ilvl = _num_pr(style.find(f"{_W}pPr/{_W}numPr"))
            self.styles[style.get(_W + "styleId")] = (num_id, ilvl, _val(style.find(_W + "basedOn")))

    def label(self, p) -> str:
        """The label Word draws before this paragraph, or "" when it is not in a list."""
        num_id, ilvl = self._position(p)
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:  # numId "0" switches numbering off
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl][2] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:  # "2." after "1.b" starts "a" again
            del counters[deeper]
        number_format, text = levels[ilvl][:2]
        if number_format == "bullet":  # a Symbol-font glyph; directives write "-" (or "+")
            return "+ " if text.strip() == "+" else "- "

        def number(match):  # %1 is level 0's number in level 0's format, and so on
            level = int(match.group(1)) - 1
            number_format, _, start, _ = levels.get(level, ["decimal", "", 1, None])
            return _format_number(counters.get(level, start), number_format)

        label = re.sub(r"%([1-9])", number, text).strip()
        return label + " " if label else ""

    def _position(self, p) -> tuple[str | None, int]:
        """(numId, level) from the paragraph's own numPr, else from its style or a base style."""
        num_id, ilvl = _num_pr(p.find(f"{_W}pPr/{_W}numPr"))
        style_id, seen = _val(p.find(f"{_W}pPr/{_W}pStyle")), set()
        while num_id is None and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            num_id, style_level, based_on = self.styles[style_id]
            if num_id is not None and ilvl is None:
                # A style's numPr seldom names a level: it is the level linked to the style.
                linked = [i for i, lvl in self.levels.get(num_id, {}).items() if lvl[3] == style_id]
                ilvl = style_level if style_level is not None else (linked or [0])[0]
            style_id = based_on
        return num_id, ilvl or 0


def _val(element) -> str | None:
    return None if element is None else element.get(_W + "val")


def _num_pr(num_pr) -> tuple[str | None, int | None]:
    if num_pr is None:
        return None, None
    ilvl = _val(num_pr.find(_W + "ilvl"))
    return _val(num_pr.find(_W + "numId")), None if ilvl is None else int(ilvl)


def _format_number(n: int, number_format: str) -> str:
    if not 0 < n <= 1000:  # Word's own range is 0-32767; a hostile start="10**9" must not build huge labels
        return str(n)
    if number_format in ("lowerLetter", "upperLetter"):
        letters = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)  # y, z, aa, bb as Word does
        return letters.upper() if number_format == "upperLetter" else letters
    if number_format in ("lowerRoman", "upperRoman"):
        roman = ""
        for value, numeral in zip((1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1),
                                  ("m", "cm", "d", "cd", "c", "xc", "l", "xl", "x", "ix", "v", "iv", "i")):
            count, n = divmod(n, value)
            roman += numeral * count
        return roman.upper() if number_format == "upperRoman" else roman
    return f"{n:02d}" if number_format == "decimalZero" else str(n)


# --- PDF and scans ----------------------------------------------------------


def _read_pdf(data: bytes) -> ReadResult:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    # A complete PDF ends with %%EOF (readers look in the last KiB); a cut-off
    # upload may still parse, and would silently lose its last pages.
    if b"%%EOF" not in data[-1024:]:
        raise DocumentError(CORRUPT_PDF)
    try:
        # The empty password opens PDFs that only forbid printing or copying.
        with pdfplumber.open(io.BytesIO(data), password="") as pdf:
            pages = []
            for page in pdf.pages:
                pages.append(page.extract_text() or "")
                page.close()  # frees the page's cached layout objects
    except PdfminerException as exc:
        locked = exc.args and isinstance(exc.args[0], PDFPasswordIncorrect)  # a user password is set
        raise DocumentError(LOCKED_PDF if locked else CORRUPT_PDF) from exc
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        raise DocumentError(CORRUPT_PDF) from exc
    pages = [re.sub(r"\(cid:\d+\)", "", text) for text in pages]  # glyphs without Unicode: noise
    if sum(len("".join(text.split())) for text in pages) >= MIN_CHARS_PER_PAGE * max(len(pages), 1):
        return ReadResult("\n".join(pages), read_by_ocr=False, pages=len(pages))
    return ReadResult(_ocr_pdf(data, len(pages)), read_by_ocr=True, pages=len(pages))


def _ocr_pdf(data: bytes, page_count: int) -> str:
    import pypdfium2

    _require_ocr(page_count)
    texts = []
    try:
        with pypdfium2.PdfDocument(data, password="") as pdf:
            for page in pdf:
                scale = min(OCR_DPI / 72, OCR_MAX_SIDE / max(page.get_size()))
                texts.append(_tesseract(page.render(scale=scale, grayscale=True).to_pil(), dpi=round(scale * 72)))
                page.close()
    except pypdfium2.PdfiumError as exc:
        raise DocumentError(CORRUPT_PDF) from exc
    return "\n".join(texts)


def _read_image(data: bytes) -> ReadResult:
    from PIL import Image, ImageOps, ImageSequence

    texts = []
    try:
        with Image.open(io.BytesIO(data)) as image:
            _require_ocr(getattr(image, "n_frames", 1))
            for frame in ImageSequence.Iterator(image):  # a TIFF may hold several pages
                texts.append(_tesseract(ImageOps.exif_transpose(frame).convert("L")))  # EXIF: phone photos
    except DocumentError:
        raise
    except Exception as exc:  # Pillow raises OSError, SyntaxError, EOFError, DecompressionBombError...
        raise DocumentError(CORRUPT_IMAGE) from exc
    return ReadResult("\n".join(texts), read_by_ocr=True, pages=len(texts))


def _require_ocr(page_count: int) -> None:
    if not ocr_available():
        raise DocumentError(OCR_MISSING)
    if page_count > OCR_MAX_PAGES:
        raise DocumentError(f"Bản scan có {page_count} trang; chỉ nhận dạng chữ được tối đa {OCR_MAX_PAGES} trang.")


def _tesseract(image, dpi: int | None = None) -> str:
    """The Vietnamese text of one page image, by the tesseract binary."""
    png = io.BytesIO()
    image.save(png, format="PNG", compress_level=1)  # fast to write; tesseract decodes it at once
    # --psm 4 reads the page as one column of lines: the automatic layout splits
    # justified lines into "columns" at aligned gaps and loses the line order.
    command = ["tesseract", "stdin", "stdout", "-l", "vie", "--psm", "4"] + (["--dpi", str(dpi)] if dpi else [])
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # its OpenMP threads spin: a page is ~3x slower
    try:
        done = subprocess.run(command, input=png.getvalue(), capture_output=True, timeout=OCR_TIMEOUT, env=env)
    except subprocess.TimeoutExpired as exc:
        raise DocumentError(OCR_SLOW) from exc
    except OSError as exc:
        raise DocumentError(OCR_MISSING) from exc
    if done.returncode != 0:
        log.warning("tesseract failed (%s): %s", done.returncode, done.stderr[-500:])
        raise DocumentError(OCR_FAILED)
    return done.stdout.decode("utf-8", errors="replace").replace("\f", "")
