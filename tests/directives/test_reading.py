"""Reading uploaded directives into text: real files made here, real tesseract for scans."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from docx.oxml import parse_xml
from PIL import Image, ImageDraw, ImageFont

from app.core.errors import DomainError
from app.directives.reading import ALLOWED_EXTENSIONS, DocumentError, ocr_available, read_document
from bench import documents

TONES = set("\u0300\u0301\u0303\u0309\u0323")
SCAN_LINES = [
    "ỦY BAN NHÂN DÂN HUYỆN TỨ KỲ",
    "Số: 512/UBND-VP",
    "Kính gửi: Chủ tịch UBND các xã, thị trấn.",
    "1. Báo cáo kết quả trước ngày 25 hàng tháng.",
]
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


# --- making the files -------------------------------------------------------


def font_path() -> Path:
    """A TrueType font with Vietnamese glyphs, or a clear failure."""
    try:
        return documents.font_path()
    except FileNotFoundError as exc:
        pytest.fail(str(exc))


def text_pdf(pages: list[list[str]]) -> bytes:
    """A PDF with a real text layer, as offices' software writes it."""
    font_path()
    return documents.text_pdf(pages)


def page_image(lines: list[str]) -> Image.Image:
    """A white page with black text, as a 200 dpi scanner would give it."""
    font = ImageFont.truetype(str(font_path()), 40)
    image = Image.new("L", (1700, 120 + 80 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((80, 60 + 80 * i), line, font=font, fill=0)
    return image


def encrypted(pdf: bytes, user_password: str, owner_password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letters precomposed (â, ơ, ư), tones as combining marks."""
    out, cluster, tones = [], "", ""
    for char in unicodedata.normalize("NFD", text) + "\0":
        if char in TONES:
            tones += char
        elif unicodedata.combining(char):
            cluster += char
        else:
            out.append(unicodedata.normalize("NFC", cluster) + tones)
            cluster, tones = char, ""
    return "".join(out).rstrip("\0").encode("cp1258")


def docx_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def lines_of(data: bytes, filename: str) -> list[str]:
    return read_document(data, filename).text.split("\n")


def refused(data: bytes, filename: str, **kwargs) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        read_document(data, filename, **kwargs)
    return caught.value


def recognised(text: str, words=("kính gửi", "ubnd", "báo cáo")) -> int:
    return sum(word in text.lower() for word in words)


# --- plain text -------------------------------------------------------------

DIRECTIVE = "Kính gửi: Chủ tịch UBND các xã, thị trấn.\n\n1. Báo cáo trước ngày 25 hàng tháng; thực hiện./."


def test_utf8_text_keeps_lines_is_nfc_and_loses_nul_and_cr():
    data = unicodedata.normalize("NFD", DIRECTIVE).replace("\n", "\r\n").replace("Báo", "B\0áo").encode()
    result = read_document(data, "Cong-van.TXT")
    assert result.text == DIRECTIVE
    assert unicodedata.is_normalized("NFC", result.text)
    assert (result.read_by_ocr, result.pages) == (False, None)


def test_utf8_with_bom():
    assert read_document(b"\xef\xbb\xbf" + DIRECTIVE.encode(), "a.txt").text == DIRECTIVE


def test_windows_1258_text_is_decoded_and_composed():
    text = DIRECTIVE + "\nỦy ban nhân dân huyện Tứ Kỳ đề nghị các đơn vị hướng dẫn người dân."
    data = cp1258(text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert read_document(data, "a.txt").text == text


def test_windows_1252_text():
    text = "Hòa Bình – “vì dân” – café 5€, các xã Ý Yên\r\nFinal line"
    assert read_document(text.encode("cp1252"), "a.txt").text == text.replace("\r\n", "\n")


# --- Word -------------------------------------------------------------------


def test_docx_header_table_auto_numbers_and_table_in_order():
    document = docx.Document()
    header = document.add_table(rows=2, cols=2)
    header.cell(0, 0).text = "ỦY BAN NHÂN DÂN"
    header.cell(0, 0).add_paragraph("HUYỆN TỨ KỲ")
    header.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    header.cell(0, 1).add_paragraph("Độc lập - Tự do - Hạnh phúc")
    header.cell(1, 0).text = "Số: 512/UBND-VP"
    header.cell(1, 1).text = "Tứ Kỳ, ngày 20 tháng 5 năm 2022"
    document.add_paragraph("Kính gửi: Chủ tịch UBND các xã, thị trấn.")
    for item in ("Tiếp tục chỉ đạo thực hiện.", "Báo cáo trước ngày 25 hàng tháng.", "Rà soát máy scan."):
        document.add_paragraph(item, style="List Number")
    document.add_paragraph("Gửi kèm bảng:", style="List Bullet")
    figures = document.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "Xã", (0, 1): "Tỷ lệ", (1, 0): "Tái Sơn", (1, 1): "5%"}.items():
        figures.cell(row, col).text = text
    document.add_paragraph("Nơi nhận:")

    result = read_document(docx_bytes(document), "cong-van.docx")

    assert result.text.split("\n") == [
        "ỦY BAN NHÂN DÂN", "HUYỆN TỨ KỲ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Số: 512/UBND-VP", "Tứ Kỳ, ngày 20 tháng 5 năm 2022",
        "Kính gửi: Chủ tịch UBND các xã, thị trấn.",
        "1. Tiếp tục chỉ đạo thực hiện.", "2. Báo cáo trước ngày 25 hàng tháng.", "3. Rà soát máy scan.",
        "- Gửi kèm bảng:",
        "Xã", "Tỷ lệ", "Tái Sơn", "5%",
        "Nơi nhận:",
    ]
    assert (result.read_by_ocr, result.pages) == (False, None)


def test_docx_multilevel_numbering_restarts_deeper_levels():
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {W_NS} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl>'
        "</w:abstractNum>"
    ))
    numbering.append(parse_xml(f'<w:num {W_NS} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    outline = [(0, "Đối với UBND xã"), (1, "Rà soát"), (2, "hồ sơ"), (2, "máy scan"), (1, "Báo cáo"),
               (2, "hàng tháng"), (0, "Đối với phòng"), (1, "Theo dõi"), (None, "Không đánh số")]
    for level, text in outline:
        paragraph = document.add_paragraph(text)
        if level is not None:
            num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_numId().val = 90
            num_pr.get_or_add_ilvl().val = level

    assert lines_of(docx_bytes(document), "a.docx") == [
        "I. Đối với UBND xã", "1. Rà soát", "a) hồ sơ", "b) máy scan", "2. Báo cáo", "a) hàng tháng",
        "II. Đối với phòng", "1. Theo dõi", "Không đánh số",
    ]


def test_docx_with_too_many_entries_is_refused_before_reading(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<not-even-xml")
        for i in range(1000):
            archive.writestr(f"word/media/{i}.bin", b"")
    assert "bất thường" in refused(path.read_bytes(), "bomb.docx").message


def test_docx_expanding_beyond_100_mib_is_refused_before_reading(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            for _ in range(101):
                entry.write(bytes(1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    assert "bất thường" in refused(path.read_bytes(), "bomb.docx").message


def test_zip_without_a_word_document_is_not_a_docx(tmp_path):
    path = tmp_path / "a.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "không đúng định dạng .docx" in refused(path.read_bytes(), "a.docx").message


def test_old_word_doc_is_refused_with_advice():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)
    error = refused(ole, "cong-van.doc")
    assert isinstance(error, DomainError) and error.status == 422
    assert "(.doc)" in error.message and ".docx hoặc PDF" in error.message
    assert "mật khẩu" in refused(ole, "cong-van.docx").message  # an encrypted .docx is an OLE file too


# --- types that do not agree ------------------------------------------------


def test_executable_renamed_pdf_and_mismatched_names_are_refused():
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(500)
    assert "không đúng định dạng .pdf" in refused(exe, "cong-van.pdf").message
    pdf = text_pdf([["Kính gửi: Chủ tịch UBND các xã, thị trấn."]])
    assert "không đúng định dạng .docx" in refused(pdf, "cong-van.docx").message
    assert "không đúng định dạng .png" in refused(pdf, "scan.png").message
    assert refused(pdf, "cong-van.exe").message.startswith("Định dạng tệp không được hỗ trợ.")
    assert refused(b"plain text", "notes.odt").message.startswith("Định dạng tệp không được hỗ trợ.")
    assert refused(b"plain text", "no-extension").message.startswith("Định dạng tệp không được hỗ trợ.")
    assert ALLOWED_EXTENSIONS == (".txt", ".docx", ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


def test_empty_files_are_refused():
    for data in (b"", b" \r\n\t ", b"\xef\xbb\xbf\n"):
        assert refused(data, "a.txt").message.startswith("Tệp rỗng")


def test_oversize_is_refused_and_the_limit_accepted():
    error = refused(b"a" * (1024 * 1024 + 1), "a.txt", max_bytes=1024 * 1024)
    assert "1 MB" in error.message and error.status == 413
    assert read_document(b"a" * 1024 * 1024, "a.txt", max_bytes=1024 * 1024).text == "a" * 1024 * 1024
    assert "20 MB" in refused(bytes(20 * 1024 * 1024 + 1), "a.pdf").message


# --- PDF --------------------------------------------------------------------

PDF_PAGES = [
    ["ỦY BAN NHÂN DÂN HUYỆN TỨ KỲ", "Kính gửi: Chủ tịch UBND các xã, thị trấn."],
    ["1. Báo cáo kết quả trước ngày 25 hàng tháng.", "Nơi nhận:"],
]


def test_pdf_text_layer_is_read_page_by_page():
    result = read_document(text_pdf(PDF_PAGES), "cong-van.pdf")
    assert result.text.split("\n") == PDF_PAGES[0] + PDF_PAGES[1]
    assert (result.read_by_ocr, result.pages) == (False, 2)


def test_pdf_with_only_an_owner_password_opens():
    result = read_document(encrypted(text_pdf(PDF_PAGES), "", "owner-secret"), "cong-van.pdf")
    assert result.text.split("\n") == PDF_PAGES[0] + PDF_PAGES[1]


def test_pdf_with_a_user_password_is_refused():
    locked = encrypted(text_pdf(PDF_PAGES), "user-secret", "owner-secret")
    assert refused(locked, "cong-van.pdf").message.startswith("Tệp PDF được đặt mật khẩu")


def test_truncated_or_corrupt_pdf_is_refused():
    pdf = text_pdf(PDF_PAGES)
    for damaged in (pdf[: len(pdf) // 2], pdf[:-300], b"%PDF-1.7\n1 0 obj garbage\n%%EOF\n"):
        assert "bị hỏng" in refused(damaged, "cong-van.pdf").message


# --- scans (real tesseract) -------------------------------------------------


def test_ocr_is_available_here():
    assert ocr_available(), "install tesseract-ocr and tesseract-ocr-vie"


def test_image_only_pdf_is_read_by_ocr():
    out = io.BytesIO()
    page_image(SCAN_LINES).save(out, format="PDF", resolution=200)
    result = read_document(out.getvalue(), "scan.pdf")
    assert (result.read_by_ocr, result.pages) == (True, 1)
    assert recognised(result.text) >= 2, result.text
    assert unicodedata.is_normalized("NFC", result.text)


def test_scanned_jpeg_is_read_by_ocr():
    out = io.BytesIO()
    page_image(SCAN_LINES).save(out, format="JPEG", quality=90)
    result = read_document(out.getvalue(), "scan.JPG")
    assert (result.read_by_ocr, result.pages) == (True, 1)
    assert recognised(result.text) >= 2, result.text


def test_scan_without_tesseract_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no tesseract on PATH
    assert not ocr_available()
    out = io.BytesIO()
    Image.new("L", (50, 50), 255).save(out, format="PNG")
    error = refused(out.getvalue(), "scan.png")
    assert "tesseract-ocr, tesseract-ocr-vie" in error.message


def test_corrupt_image_is_refused():
    assert "ảnh bị hỏng" in refused(b"\x89PNG\r\n\x1a\n" + bytes(100), "scan.png").message
