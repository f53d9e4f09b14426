"""Evidence uploads: typed by content and name together, streamed under a generated name, checked on download."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from pathlib import Path

from app.core import audit, filetypes, storage
from app.core.errors import DomainError
from app.core.filetypes import MIB
from app.evidence.models import Evidence
from app.extensions import db

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
DISPLAY_MAX = 200  # characters of a display name, extension included
FALLBACK_STEM = "tep-minh-chung"

#: The only types accepted and the only Content-Type ever sent back (never the client's header).
ALLOWED = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: What filetypes.sniff must say for each extension. .doc and .xls are both OLE:
#: telling them apart would need parsing the compound file, which we do not.
_SNIFFED = {".pdf": "pdf", ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".doc": "ole", ".xls": "ole",
            ".docx": "zip", ".xlsx": "zip"}
_WANTED = {".pdf": "PDF", ".jpg": "ảnh JPEG", ".jpeg": "ảnh JPEG", ".png": "ảnh PNG",
           ".doc": "tài liệu Word (.doc)", ".xls": "bảng tính Excel (.xls)",
           ".docx": "tài liệu Word (.docx)", ".xlsx": "bảng tính Excel (.xlsx)"}
_FOUND = {"pdf": "PDF", "png": "ảnh PNG", "jpeg": "ảnh JPEG", "tiff": "ảnh TIFF", "zip": "tệp nén ZIP",
          "ole": "tệp Word/Excel định dạng cũ"}
EMPTY = "Tệp rỗng (0 byte): không có nội dung. Vui lòng chọn lại tệp."
ACCEPTED = "Chỉ nhận tệp PDF, ảnh JPG/PNG, Word (.doc, .docx) và Excel (.xls, .xlsx)."
# The bytes a complete file ends with; an upload cut off midway lacks them.
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


class UploadRefused(DomainError):
    """An upload refused with a reason in Vietnamese: 415 wrong type, 413 too large, 422 empty or damaged."""

    status = 415


class EvidenceDamaged(DomainError):
    """The stored file no longer matches its row (size or SHA-256): a fault of the server, not of the user."""

    status = 500


def store_evidence(task, user, stream, filename: str, max_bytes: int) -> Evidence:
    """Check and store an uploaded file for a task, adding its row and audit; the caller commits (and tells the
    task's history: `tasks.services.add_evidence` does both)."""
    display = safe_display_name(filename)
    extension = _extension(display)
    _check_extension(extension)
    staged = getattr(stream, "staged", None)  # received by the form parser: already on disk and hashed
    signatures: list[dict] = []

    def check(path: Path) -> None:
        """The complete file's checks and, for a PDF, its signatures: read on local disk before it is stored."""
        _check_whole(path, extension)
        if extension == ".pdf":
            from app.evidence.trust import verify_file  # pyHanko is imported by the first PDF, not at start-up

            signatures.extend(verify_file(path))  # never raises: a signature never refuses a file

    stored_name, size, sha256 = (_keep_staged(staged, extension, max_bytes, check) if staged is not None
                                 else _write(stream, extension, max_bytes, check))
    evidence = Evidence(task_id=task.id, filename=display, stored_name=stored_name, size=size, sha256=sha256,
                        content_type=ALLOWED[extension], uploaded_by_id=getattr(user, "id", None),
                        signatures=signatures)
    db.session.add(evidence)
    db.session.flush()
    audit.record("upload", evidence, user=user, detail={"task_id": task.id, "size": size})
    return evidence


def _keep_staged(staged: storage.Staged, extension: str, max_bytes: int, check) -> tuple[str, int, str]:
    """Check a file the form parser already wrote and hashed, and keep it without copying it."""
    if staged.size == 0:
        raise UploadRefused(EMPTY, 422)
    if staged.size > max_bytes:
        raise UploadRefused(f"Tệp vượt quá dung lượng cho phép ({_megabytes(max_bytes)} MB).", 413)
    with open(staged.path, "rb") as handle:
        _check_head(handle.read(filetypes.SNIFF_BYTES), extension)
    name, size = storage.adopt(staged, verify=check)
    return name, size, staged.sha256


def _write(stream, extension: str, max_bytes: int, check) -> tuple[str, int, str]:
    """Check a stream while writing it to the store under a new name, hashing it on the way."""
    digest = hashlib.sha256()

    def chunks():
        head = stream.read(CHUNK)
        while head and len(head) < filetypes.SNIFF_BYTES:  # a short read must not hide the magic bytes
            more = stream.read(CHUNK)
            if not more:
                break
            head += more
        if not head:
            raise UploadRefused(EMPTY, 422)
        _check_head(head, extension)  # before writing: a renamed program never reaches the disk
        size, chunk = 0, head
        while chunk:
            size += len(chunk)
            if size > max_bytes:  # as soon as the count passes the limit, not after reading it all
                raise UploadRefused(f"Tệp vượt quá dung lượng cho phép ({_megabytes(max_bytes)} MB).", 413)
            digest.update(chunk)
            yield chunk
            chunk = stream.read(CHUNK)

    stored_name, size = storage.save(chunks=chunks(), verify=check)
    return stored_name, size, digest.hexdigest()


def evidence_file(evidence):
    """(source, download name, content type) of a stored file, checked against the row's size and SHA-256.

    From a local store the source is the file's path, hashed whole first. From an object store it is the object
    opened as a stream, its size and recorded SHA-256 checked now and its bytes as they are read (the last ones
    are withheld if they do not match: `storage.Checked`), since reading it twice would double the traffic.
    """
    damaged = EvidenceDamaged("Tệp minh chứng bị hỏng hoặc không còn nguyên vẹn trên máy chủ nên không được gửi. "
                              "Vui lòng báo quản trị viên và tải lên lại tệp.")
    try:
        path = storage.local_path(evidence.stored_name)
        source = path if path is not None else storage.open_stored(evidence.stored_name, evidence.sha256)
        size = path.stat().st_size if path is not None else source.size
    except storage.Damaged:
        log.error("evidence %s: stored file %s does not match its SHA-256", evidence.id, evidence.stored_name)
        raise damaged from None
    except OSError:  # missing, or a stored name that is not ours
        log.error("evidence %s: stored file %r is missing", evidence.id, evidence.stored_name)
        raise damaged from None
    digest = hashlib.sha256()
    if path is not None and size == evidence.size:  # a size that differs needs no hashing to be refused
        with open(path, "rb") as handle:
            while block := handle.read(CHUNK):
                digest.update(block)
    if size != evidence.size or (path is not None and digest.hexdigest() != evidence.sha256):
        log.error("evidence %s: stored file %s does not match its size or SHA-256", evidence.id, evidence.stored_name)
        if path is None:
            source.close()
        raise damaged
    # The row's type is sent only if it is one we allow: a row written elsewhere cannot widen the list.
    content_type = evidence.content_type if evidence.content_type in ALLOWED.values() else "application/octet-stream"
    return source, safe_display_name(evidence.filename), content_type


def safe_display_name(filename: str) -> str:
    """The name to show and send back: NFC, no folders, controls or quotes, single spaces, at most 200 characters."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rpartition("/")[2]  # Windows browsers once sent C:\Users\...\a.pdf
    # Controls (CR, LF, NUL) split headers; format characters (U+202E) can disguise "fdp.exe" as "exe.pdf".
    name = "".join(" " if c in "\t\n\r\v\f\u2028\u2029" else c for c in name)
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf") and c != '"')
    stem, extension = _split(re.sub(r"\s+", " ", name).strip())
    stem = stem.strip(" .")  # "../../x.pdf" is gone already; a name of dots is no name
    if not stem:
        stem = FALLBACK_STEM
    stem = stem[: DISPLAY_MAX - len(extension)].rstrip(" .")
    return stem + extension


def _split(name: str) -> tuple[str, str]:
    """(stem, ".ext"); a "." among words ("v1.2 final") or a long tail is no extension."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not extension or " " in extension or len(extension) > 10:
        return name, ""
    return stem, "." + extension


def _extension(display: str) -> str:
    """The lower-case extension of the display name, so that what is shown is what was checked."""
    return _split(display)[1].lower()


def _check_extension(extension: str) -> None:
    if not extension:
        raise UploadRefused("Tên tệp không có phần mở rộng (như .pdf, .docx) nên không xác định được loại tệp. "
                            f"{ACCEPTED}")
    if extension not in ALLOWED:
        raise UploadRefused(f"Không nhận tệp {extension}. {ACCEPTED}")


def _check_head(head: bytes, extension: str) -> None:
    """Refuse content whose magic bytes disagree with the extension, naming what it really is."""
    kind = filetypes.sniff(head)
    if kind == _SNIFFED[extension]:
        return
    if kind in ("exe", "elf"):
        raise UploadRefused(f"Tệp {extension} này thực chất là chương trình chạy được "
                            f"({'Windows' if kind == 'exe' else 'Linux'}), không được nhận.")
    if kind == "html":
        raise UploadRefused(f"Tệp {extension} này thực chất là trang web (HTML), không phải {_WANTED[extension]}. "
                            "Không được nhận.")
    if kind == "svg":
        raise UploadRefused(f"Tệp {extension} này là ảnh SVG (có thể chứa mã chạy được), không được nhận. "
                            "Vui lòng lưu ảnh thành PNG hoặc JPG.")
    if kind == "ole" and extension in (".docx", ".xlsx"):
        raise UploadRefused(f"Tệp {extension} này có mật khẩu hoặc thực chất là định dạng cũ (.doc, .xls). "
                            f"Vui lòng gỡ mật khẩu hoặc lưu lại thành {extension}.")
    found = f"nội dung là {_FOUND[kind]}" if kind in _FOUND else "không nhận ra định dạng của nội dung"
    raise UploadRefused(f"Tệp {extension} này không phải {_WANTED[extension]} thật ({found}). "
                        "Có thể tệp đã bị đổi tên; vui lòng lưu lại đúng định dạng rồi tải lên.")


def _check_whole(path: Path, extension: str) -> None:
    """Checks that need the complete file: its end (not cut off) and, for Office, the ZIP's parts."""
    kind = _SNIFFED[extension]
    with open(path, "rb") as handle:
        handle.seek(max(path.stat().st_size - 1024, 0))
        tail = handle.read()
    cut = "bị hỏng hoặc không đầy đủ (có thể do tải lên bị gián đoạn). Vui lòng tải lên lại."
    if kind == "pdf" and b"%%EOF" not in tail:  # readers look for it in the last KiB
        raise UploadRefused(f"Tệp PDF {cut}", 422)
    if kind == "png" and not tail.endswith(_PNG_END):
        raise UploadRefused(f"Ảnh PNG {cut}", 422)
    if kind == "jpeg" and not _jpeg_decodes(path):
        raise UploadRefused(f"Ảnh JPEG {cut}", 422)
    if kind == "zip":
        _check_office(path, extension)


def _jpeg_decodes(path: Path) -> bool:
    """A JPEG that decodes to the last line; data after its end (phones' motion photos) is allowed."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.load()  # raises on a cut-off file: Pillow refuses truncated images by default
    except Exception:  # any decoder error, a decompression bomb included, means "damaged"
        return False
    return True


def _check_office(path: Path, extension: str) -> None:
    try:
        names = filetypes.check_zip(path)  # from the directory alone, before anything is inflated
    except filetypes.ZipRefused as exc:
        if exc.kind == "bomb":
            raise UploadRefused(f"Tệp {extension} {exc.message.removeprefix('Tệp nén ')}", 422) from exc
        raise UploadRefused(f"Tệp {extension} bị hỏng hoặc không đầy đủ. Vui lòng lưu lại rồi tải lên.", 422) from exc
    found = filetypes.office_kind(names)
    if found == extension[1:]:
        return
    if found is not None:
        raise UploadRefused(f"Tệp {extension} này thực chất là {_WANTED['.' + found]}. "
                            f"Vui lòng đổi đúng đuôi .{found} hoặc chọn đúng tệp.")
    raise UploadRefused(f"Tệp {extension} này không phải {_WANTED[extension]} thật (chỉ là một tệp nén ZIP). "
                        "Vui lòng lưu lại đúng định dạng rồi tải lên.")


def _megabytes(n: int) -> str:
    """A limit in MB as Vietnamese writes it: 50, or 0,5."""
    return f"{n / MIB:.1f}".removesuffix(".0").replace(".", ",")
