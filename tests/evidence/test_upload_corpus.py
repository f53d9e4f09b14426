"""Evidence uploads (RELIABILITY 5-9): a corpus of bad files refused, real files accepted, names kept as data.

Every file is generated here. Each bad one must raise UploadRefused with the
right status and a Vietnamese message, and leave no row and no file (temp
files included) behind.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import struct
import tempfile
import unicodedata
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from flask import current_app
from PIL import Image

from app.core import filetypes, storage
from app.core.models import AuditLog
from app.evidence.models import Evidence
from app.evidence.services import (
    ALLOWED,
    EvidenceDamaged,
    UploadRefused,
    evidence_file,
    safe_display_name,
)
from app.extensions import db
from app.tasks.models import TaskHistory
from app.tasks.services import add_evidence
from tests import factories

MIB = 1024 * 1024
LIMIT = MIB  # a small limit keeps the oversize cases fast
VIETNAMESE = re.compile("[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđơưăâêô]")
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXE = (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode."
       + bytes(400))
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(500)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="9" height="9"/></svg>'
SVG_PLAIN = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>'


# --- real files, made here --------------------------------------------------


@functools.cache
def pdf() -> bytes:
    """A one-page PDF written by PDFium."""
    import pypdfium2

    document = pypdfium2.PdfDocument.new()
    document.new_page(595, 842)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@functools.cache
def image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


@functools.cache
def word() -> bytes:
    document = docx.Document()
    document.add_paragraph("Báo cáo kết quả thực hiện tháng 5 – Xã Tái Sơn")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@functools.cache
def excel() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Xã", "Tỷ lệ"])
    workbook.active.append(["Tái Sơn", 0.05])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def old_office() -> bytes:
    """An OLE compound file header and padding: what .doc and .xls start with."""
    return OLE + bytes(4096 - len(OLE))


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@functools.cache
def many_entries(main_part: str) -> bytes:
    """An Office-looking ZIP of 1,001 entries."""
    return zip_of({main_part: b"<x/>"} | {f"media/{i}.bin": b"" for i in range(1000)})


@functools.cache
def expands_beyond_100_mib(main_part: str) -> bytes:
    """One entry of 101 MiB of zeros, deflated to a few hundred KiB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open(main_part, "w") as entry:
            zeros = bytes(MIB)
            for _ in range(101):
                entry.write(zeros)
    return out.getvalue()


def padded_pdf(size: int) -> bytes:
    """A PDF-looking file of exactly ``size`` bytes (header, padding, %%EOF)."""
    head, tail = b"%PDF-1.4\n%", b"\n%%EOF\n"
    return head + b"a" * (size - len(head) - len(tail)) + tail


# --- the bad corpus ---------------------------------------------------------

T, S, C = 415, 413, 422  # refused type, too large, empty or damaged

BAD = [
    # (id, filename, make content, status, words the message must hold)
    ("exe-as-pdf", "cong-van.pdf", lambda: EXE, T, "chương trình chạy được"),
    ("exe-as-jpg", "anh.jpg", lambda: EXE, T, "chương trình chạy được"),
    ("exe-as-docx", "bao-cao.docx", lambda: EXE, T, "chương trình chạy được"),
    ("exe-as-xls", "so-lieu.xls", lambda: EXE, T, "chương trình chạy được"),
    ("exe-with-pdf-header-inside", "a.pdf", lambda: EXE[:64] + b"%PDF-1.7\n" + EXE[64:] + b"%%EOF", T,
     "chương trình chạy được"),
    ("elf-as-png", "anh.png", lambda: ELF, T, "chương trình chạy được (Linux)"),
    ("html-as-jpg", "anh.jpg", lambda: HTML, T, "trang web (HTML)"),
    ("html-as-png", "anh.png", lambda: HTML, T, "trang web (HTML)"),
    ("html-as-pdf", "a.pdf", lambda: HTML + b"\n%%EOF", T, "trang web (HTML)"),
    ("html-bom-upper-as-jpeg", "a.jpeg", lambda: b"\xef\xbb\xbf \r\n<!DOCTYPE HTML><P>x", T, "trang web (HTML)"),
    ("html-utf16-as-png", "a.png", lambda: "<html><script>x</script>".encode("utf-16"), T, "trang web (HTML)"),
    ("svg-script-as-svg", "logo.svg", lambda: SVG_SCRIPT, T, "Không nhận tệp .svg"),
    ("svg-script-as-png", "logo.png", lambda: SVG_SCRIPT, T, "ảnh SVG"),
    ("svg-plain-as-svg", "logo.svg", lambda: SVG_PLAIN, T, "Không nhận tệp .svg"),
    ("svg-plain-as-jpg", "logo.jpg", lambda: SVG_PLAIN, T, "ảnh SVG"),
    *[(f"empty{ext}", f"rong{ext}", lambda: b"", C, "Tệp rỗng") for ext in ALLOWED],
    ("truncated-pdf-half", "a.pdf", lambda: pdf()[: len(pdf()) // 2], C, "PDF bị hỏng hoặc không đầy đủ"),
    ("truncated-pdf-end", "a.pdf", lambda: pdf()[:-8], C, "PDF bị hỏng hoặc không đầy đủ"),
    ("truncated-png", "a.png", lambda: image("PNG")[:-12], C, "PNG bị hỏng hoặc không đầy đủ"),
    ("truncated-jpeg", "a.jpg", lambda: image("JPEG")[: len(image("JPEG")) // 2], C, "JPEG bị hỏng"),
    ("truncated-docx", "a.docx", lambda: word()[: len(word()) // 2], C, "bị hỏng hoặc không đầy đủ"),
    ("pdf-as-exe", "setup.exe", pdf, T, "Không nhận tệp .exe"),
    ("pdf-as-html", "index.html", pdf, T, "Không nhận tệp .html"),
    ("pdf-as-svg", "a.svg", pdf, T, "Không nhận tệp .svg"),
    ("bomb-1001-entries-docx", "a.docx", lambda: many_entries("word/document.xml"), C, "cấu trúc bất thường"),
    ("bomb-1001-entries-xlsx", "a.xlsx", lambda: many_entries("xl/workbook.xml"), C, "cấu trúc bất thường"),
    ("bomb-101-mib-docx", "a.docx", lambda: expands_beyond_100_mib("word/document.xml"), C, "100 MB"),
    ("bomb-101-mib-xlsx", "a.xlsx", lambda: expands_beyond_100_mib("xl/workbook.xml"), C, "100 MB"),
    ("xlsx-as-docx", "bao-cao.docx", excel, T, "thực chất là bảng tính Excel (.xlsx)"),
    ("docx-as-xlsx", "so-lieu.xlsx", word, T, "thực chất là tài liệu Word (.docx)"),
    ("plain-zip-as-docx", "a.docx", lambda: zip_of({"readme.txt": b"hello"}), T, "chỉ là một tệp nén ZIP"),
    ("ole-as-docx", "a.docx", old_office, T, "mật khẩu"),
    ("ole-as-pdf", "a.pdf", old_office, T, "không phải PDF thật"),
    ("text-as-doc", "a.doc", lambda: "Báo cáo tháng 5".encode(), T, "không phải tài liệu Word (.doc) thật"),
    ("png-as-jpg", "a.jpg", lambda: image("PNG"), T, "không phải ảnh JPEG thật (nội dung là ảnh PNG)"),
    ("tiff-as-jpg", "a.jpg", lambda: image("TIFF"), T, "nội dung là ảnh TIFF"),
    ("jpeg-as-png", "a.png", lambda: image("JPEG"), T, "không phải ảnh PNG thật"),
    ("one-byte-over", "a.pdf", lambda: padded_pdf(LIMIT + 1), S, "vượt quá dung lượng cho phép (1 MB)"),
    ("far-over", "a.jpg", lambda: b"\xff\xd8\xff" + bytes(3 * MIB) + b"\xff\xd9", S, "(1 MB)"),
    ("no-extension", "baocao", pdf, T, "không có phần mở rộng"),
    ("dot-in-words-no-extension", "Báo cáo v1.2 final", pdf, T, "không có phần mở rộng"),
    # Hostile names on bad content.
    ("name-dotdot-py", "../../app.py", lambda: b"import os\n", T, "Không nhận tệp .py"),
    ("name-etc-passwd", "../../../etc/passwd", lambda: b"root:x:0:0\n", T, "không có phần mở rộng"),
    ("name-nul-then-exe", "a.pdf\x00.exe", lambda: EXE, T, "Không nhận tệp .exe"),
    ("name-rtl-override", "hoa-don\u202efdp.exe", lambda: EXE, T, "Không nhận tệp .exe"),
    ("name-300-chars-html", "x" * 300 + ".jpg", lambda: HTML, T, "trang web (HTML)"),
    ("name-header-injection", 'a"\r\nContent-Type: text/html\r\n.png', lambda: HTML, T, "trang web (HTML)"),
    ("name-windows-path", "C:\\Windows\\System32\\cmd.exe", lambda: EXE, T, "Không nhận tệp .exe"),
    ("name-vietnamese-truncated", "Báo cáo tháng 5 – Xã Tái Sơn.pdf", lambda: pdf()[:100], C, "PDF bị hỏng"),
    ("name-percent-nul-exe", "a%00.pdf", lambda: EXE, T, "chương trình chạy được"),
]


@pytest.fixture
def task(tree):
    directive = factories.make_directive(tree.district)
    made = factories.make_task(factories.make_requirement(directive), tree.commune_a)
    db.session.commit()
    return made


@pytest.fixture
def staff(tree):
    return tree.users["staff_a"]


def stored_files() -> list[str]:
    """Every file under STORAGE_DIR, hidden .part files included (on an object store: every object, and every
    file left in the local staging folder)."""
    if not storage.current_store().is_local:
        temp = current_app.config["UPLOAD_TMP_DIR"]
        return sorted([*storage.stored_names(), *(f for _, _, files in os.walk(temp) for f in files)])
    root = current_app.config["STORAGE_DIR"]
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, files in os.walk(root) for f in files)


def stored_bytes(stored_name: str) -> bytes:
    with storage.open_stored(stored_name) as handle:
        return handle.read()


def tamper(stored_name: str, damage: str) -> None:
    """Change a stored file behind the app's back (on an object store, an object put in its place)."""
    data = bytearray(stored_bytes(stored_name))
    if damage == "flip-a-byte":
        data[len(data) // 2] ^= 0x01
    elif damage == "truncate":
        data = data[:-1]
    elif damage == "append":
        data += b"<script>"
    path = storage.local_path(stored_name)
    if damage == "delete":
        storage.delete(stored_name)
    elif path is not None:
        path.write_bytes(bytes(data))
    else:
        with tempfile.NamedTemporaryFile() as changed:
            changed.write(bytes(data))
            changed.flush()
            storage.put(stored_name, Path(changed.name))


def upload(task, user, data: bytes, filename: str, max_bytes: int = LIMIT) -> Evidence:
    return add_evidence(task, user, io.BytesIO(data), filename, max_bytes)


def evidence_rows() -> tuple[int, int, int]:
    """(evidence rows, evidence_added history rows, upload audit rows) as this session sees them."""
    return (db.session.query(Evidence).count(),
            db.session.query(TaskHistory).filter_by(action="evidence_added").count(),
            db.session.query(AuditLog).filter_by(action="upload").count())


def test_the_bad_corpus_is_large_enough():
    assert len(BAD) >= 30 and len({case[0] for case in BAD}) == len(BAD)


@pytest.mark.parametrize(("filename", "make", "status", "words"), [case[1:] for case in BAD],
                         ids=[case[0] for case in BAD])
def test_bad_upload_is_refused_and_leaves_nothing(task, staff, filename, make, status, words):
    with pytest.raises(UploadRefused) as caught:
        upload(task, staff, make(), filename)
    error = caught.value
    assert error.status == status, error.message
    assert words in error.message
    assert VIETNAMESE.search(error.message), error.message
    assert stored_files() == []  # before any rollback: the refusal itself cleaned up
    assert evidence_rows() == (0, 0, 0)
    db.session.rollback()
    assert stored_files() == [] and evidence_rows() == (0, 0, 0)


def test_oversize_stops_reading_once_past_the_limit(task, staff):
    stream = io.BytesIO(padded_pdf(20 * MIB))
    with pytest.raises(UploadRefused) as caught:
        add_evidence(task, staff, stream, "lon.pdf", LIMIT)
    assert caught.value.status == 413
    assert stream.tell() <= LIMIT + 1024 * 1024  # one chunk past the limit, not the whole 20 MiB
    assert stored_files() == []


# --- the good corpus --------------------------------------------------------

GOOD = [
    ("cong-van.pdf", pdf), ("anh.jpg", lambda: image("JPEG")), ("anh.JPEG", lambda: image("JPEG")),
    ("anh.png", lambda: image("PNG")), ("bao-cao.docx", word), ("so-lieu.xlsx", excel),
    ("bao-cao-cu.doc", old_office), ("so-lieu-cu.xls", old_office),
    ("exactly-the-limit.pdf", lambda: padded_pdf(LIMIT)),
]


@pytest.mark.parametrize(("filename", "make"), GOOD, ids=[name for name, _ in GOOD])
def test_good_upload_is_stored_with_size_checksum_and_type(task, staff, filename, make):
    data = make()
    evidence = upload(task, staff, data, filename)
    extension = "." + filename.rpartition(".")[2].lower()
    assert (evidence.filename, evidence.size) == (filename, len(data))
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.content_type == ALLOWED[extension]
    assert (evidence.task_id, evidence.uploaded_by_id) == (task.id, staff.id)
    assert stored_files() == [evidence.stored_name]
    db.session.commit()
    assert evidence_rows() == (1, 1, 1)
    history = db.session.query(TaskHistory).filter_by(action="evidence_added").one()
    assert (history.task_id, history.user_id, history.comment) == (task.id, staff.id, filename)
    _, name, content_type = evidence_file(evidence)
    assert stored_bytes(evidence.stored_name) == data and (name, content_type) == (filename, ALLOWED[extension])


def test_client_content_type_is_never_used(task, staff):
    """store_evidence takes no type from the client: the row's type comes from the allow-list."""
    evidence = upload(task, staff, image("PNG"), "anh.png")
    assert evidence.content_type == "image/png"


HOSTILE_NAMES = [
    ("../../app.py.pdf", "app.py.pdf"),
    ("..\\..\\app.py.pdf", "app.py.pdf"),
    ("a%00.pdf", "a%00.pdf"),
    ("a\x00b.pdf", "ab.pdf"),
    ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ('bao "cao"\r\nSet-Cookie: a=b\r\n.pdf', "bao cao Set-Cookie: a=b.pdf"),
    ("Báo cáo tháng 5 – Xã Tái Sơn.pdf", "Báo cáo tháng 5 – Xã Tái Sơn.pdf"),
    (unicodedata.normalize("NFD", "Báo cáo tháng 5 – Xã Tái Sơn.pdf"), "Báo cáo tháng 5 – Xã Tái Sơn.pdf"),
    ("Kết   quả\tthực hiện  .pdf", "Kết quả thực hiện.pdf"),
    ("/\x00\r\n.pdf", "tep-minh-chung.pdf"),
    ("ố" * 250 + ".PDF", "ố" * 196 + ".PDF"),
]


@pytest.mark.parametrize(("filename", "shown"), HOSTILE_NAMES, ids=[f"name{i}" for i in range(len(HOSTILE_NAMES))])
def test_hostile_name_is_kept_as_data_and_stored_under_a_generated_name(task, staff, filename, shown):
    root = Path(current_app.config["STORAGE_DIR"])
    evidence = upload(task, staff, pdf(), filename)
    db.session.commit()
    assert evidence.filename == shown and len(shown) <= 200
    assert unicodedata.is_normalized("NFC", evidence.filename)
    assert re.fullmatch(r"[0-9a-f]{32}", evidence.stored_name)
    assert stored_files() == [evidence.stored_name]
    if storage.local_path(evidence.stored_name) is not None:
        assert (root / evidence.stored_name).resolve().parent == root.resolve()
    assert not (root.parent / "app.py.pdf").exists() and not (root.parent.parent / "app.py.pdf").exists()
    assert evidence_file(evidence)[1] == shown


def test_safe_display_name_edge_cases():
    assert safe_display_name("") == "tep-minh-chung"
    assert safe_display_name("...") == "tep-minh-chung"
    assert safe_display_name(".pdf") == "tep-minh-chung.pdf"
    assert safe_display_name("C:\\Users\\Lan\\Bảng kê.xlsx") == "Bảng kê.xlsx"
    assert safe_display_name("hoa-don\u202efdp.exe") == "hoa-donfdp.exe"  # no right-to-left disguise
    assert safe_display_name("Báo cáo v1.2 final") == "Báo cáo v1.2 final"


# --- transactions and integrity (RELIABILITY 9) -----------------------------


def test_rollback_after_storing_leaves_no_file_and_no_row(task, staff):
    upload(task, staff, pdf(), "a.pdf")
    upload(task, staff, word(), "b.docx")
    assert len(stored_files()) == 2
    db.session.rollback()
    assert stored_files() == [] and evidence_rows() == (0, 0, 0)


def test_session_closed_without_commit_leaves_no_file(task, staff):
    """A request that fails after storing and is torn down without an explicit rollback."""
    upload(task, staff, pdf(), "a.pdf")
    db.session.remove()
    assert stored_files() == [] and evidence_rows() == (0, 0, 0)


def test_a_later_refusal_in_the_same_request_rolls_back_the_earlier_file(task, staff):
    upload(task, staff, pdf(), "a.pdf")
    with pytest.raises(UploadRefused):
        upload(task, staff, EXE, "b.pdf")
    db.session.rollback()  # what the caller does on a DomainError
    assert stored_files() == [] and evidence_rows() == (0, 0, 0)


def test_commit_keeps_the_file(task, staff):
    stored_name = upload(task, staff, pdf(), "a.pdf").stored_name
    db.session.commit()
    db.session.remove()
    assert stored_files() == [stored_name]


@pytest.mark.parametrize("damage", ["flip-a-byte", "truncate", "append", "delete"])
def test_a_tampered_stored_file_is_detected(task, staff, damage):
    evidence = upload(task, staff, pdf(), "a.pdf")
    db.session.commit()
    tamper(evidence.stored_name, damage)
    with pytest.raises(EvidenceDamaged) as caught:
        evidence_file(evidence)
    assert caught.value.status == 500 and caught.value.message.startswith("Tệp minh chứng bị hỏng")


def test_a_row_naming_a_path_outside_the_store_is_refused(task, staff):
    evidence = upload(task, staff, pdf(), "a.pdf")
    evidence.stored_name = "../../app/__init__.py"
    with pytest.raises(EvidenceDamaged):
        evidence_file(evidence)


# --- filetypes, the shared checks -------------------------------------------


def test_sniff_names_what_it_sees():
    cases = {pdf(): "pdf", image("PNG"): "png", image("JPEG"): "jpeg", image("TIFF"): "tiff", word(): "zip",
             old_office(): "ole", HTML: "html", SVG_SCRIPT: "svg", SVG_PLAIN: "svg", EXE: "exe", ELF: "elf",
             b"plain text": None, b"": None, b"  junk\n%PDF-1.4\n": "pdf"}
    for head, kind in cases.items():
        assert filetypes.sniff(head[:filetypes.SNIFF_BYTES]) == kind, head[:20]


def test_check_zip_takes_bytes_paths_and_streams(tmp_path):
    data = word()
    path = tmp_path / "a.docx"
    path.write_bytes(data)
    stream = io.BytesIO(data)
    stream.seek(7)
    names = filetypes.check_zip(data)
    assert names == filetypes.check_zip(path) == filetypes.check_zip(str(path)) == filetypes.check_zip(stream)
    assert stream.tell() == 7  # the stream is left where it was
    assert filetypes.office_kind(names) == "docx" and filetypes.office_kind(filetypes.check_zip(excel())) == "xlsx"
    assert filetypes.office_kind({"word/document.xml", "xl/workbook.xml"}) is None


def test_check_zip_limits_are_exact_and_trust_the_parsed_directory():
    filetypes.check_zip(zip_of({f"{i}": b"" for i in range(1000)}))  # 1,000 entries: accepted
    with pytest.raises(filetypes.ZipRefused) as caught:
        filetypes.check_zip(zip_of({f"{i}": b"" for i in range(11)}), max_entries=10)
    assert caught.value.kind == "bomb" and "10 thành phần" in caught.value.message
    lying = bytearray(many_entries("word/document.xml"))  # the end record claims 5 entries
    at = lying.rfind(b"PK\x05\x06")
    lying[at + 8:at + 12] = struct.pack("<HH", 5, 5)
    with pytest.raises(filetypes.ZipRefused) as caught:
        filetypes.check_zip(bytes(lying))
    assert caught.value.kind == "bomb"
    with pytest.raises(filetypes.ZipRefused) as caught:
        filetypes.check_zip(b"PK\x03\x04 not really a zip")
    assert caught.value.kind == "corrupt"
