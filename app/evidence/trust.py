"""Digital signatures of incoming PDFs, kept with the file (issue 19): verified on upload and on intake against
the roots the admin trusts, stored as JSON, verified again when those roots change.

Verification never refuses a file: whatever goes wrong inside it is logged and the file is kept, unsigned ([])
or with a red entry. The checks themselves are `app.evidence.signatures`; this module stores and shows them.
pyHanko takes 0.3 to 0.8 s and 15 to 30 MB to import, so it is imported where a PDF first needs it, never when
the app starts: a process that meets no PDF (the CLI, a mail worker) never pays for it.
"""

from __future__ import annotations

import hashlib
import logging
import os
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import Text, cast, func, select, update

from app.core import audit, clock, storage
from app.core.errors import DomainError
from app.core.jobs import enqueue_after_commit
from app.directives import intake
from app.directives.models import Directive
from app.evidence.models import Evidence, TrustedRoot
from app.extensions import db

log = logging.getLogger(__name__)

#: An upload whose verification itself failed, though the file holds a signature: shown red, never hidden.
FAILED = {"signer": None, "organisation": None, "signed_at": None, "intact": False, "modified_after": False,
          "trusted": False, "valid_at_signing": False, "error": "Không kiểm tra được chữ ký số của tệp."}
MAX_ROOT_BYTES = 64 * 1024
NAME_MAX = 300


# --- Verifying and storing ----------------------------------------------------------------------------------

def trusted_roots() -> list[bytes]:
    """The roots (DER) the admin trusts: those uploaded on the page and those of TRUSTED_ROOTS_DIR."""
    roots = list(db.session.scalars(select(TrustedRoot.der).order_by(TrustedRoot.id)))
    folder = roots_dir()
    if folder:
        roots += _checks().load_roots(folder)
    return roots


def _checks():
    """The verification module (pyHanko), imported on first use."""
    from app.evidence import signatures  # pyHanko: imported by the first PDF, not when the app starts

    return signatures


def roots_dir() -> str | None:
    """TRUSTED_ROOTS_DIR, from the app's settings or the environment; None when unset."""
    configured = current_app.config.get("TRUSTED_ROOTS_DIR") if has_app_context() else None
    return configured or os.environ.get("TRUSTED_ROOTS_DIR") or None


def verify_file(path: Path, roots: list[bytes] | None = None) -> list[dict]:
    """The stored entries of a PDF on local disk; never raises. An unsigned file is not read whole: its
    signature fields are looked for first through its cross-reference table (a 100 MB scan is not read)."""
    try:
        with open(path, "rb") as handle:
            if not _has_signed_fields(handle):
                return []
        data = Path(path).read_bytes()
    except Exception:
        log.exception("signatures: could not read %s", path)
        return []
    return verify_bytes(data, roots)


def _has_signed_fields(handle) -> bool:
    """Whether pyHanko finds a filled signature field, as `verify_pdf` would; False for a file it cannot read,
    in which `verify_pdf` finds none either."""
    handle.seek(0, os.SEEK_END)
    handle.seek(max(handle.tell() - 1024, 0))
    if b"startxref" not in handle.read():  # where pyHanko starts reading: without it there is no PDF to verify
        return False
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        reader = PdfFileReader(handle)
        if "/AcroForm" not in reader.root:  # signatures are form fields: no form, no signature
            return False
        from pyhanko.sign.fields import enumerate_sig_fields

        return any(True for _ in enumerate_sig_fields(reader, filled_status=True))
    except Exception:
        return False


def verify_bytes(data: bytes, roots: list[bytes] | None = None) -> list[dict]:
    """The stored entries of a PDF's signatures ([] when unsigned); never raises."""
    try:
        found = _checks().verify_pdf(data, trusted_roots() if roots is None else roots)
        return [_stored(entry) for entry in found]
    except Exception:
        log.exception("signatures: verification failed")
        return [dict(FAILED)] if b"/ByteRange" in data else []


def _stored(entry: dict) -> dict:
    """A verified signature as JSON keeps it: the time as ISO 8601 in UTC, names bounded."""
    signed_at = entry.get("signed_at")

    def name(key):
        return str(entry[key])[:NAME_MAX] if entry.get(key) else None

    return {"signer": name("signer"), "organisation": name("organisation"),
            "signed_at": signed_at.astimezone(timezone.utc).isoformat() if signed_at else None,
            "intact": bool(entry.get("intact")), "modified_after": bool(entry.get("modified_after")),
            "trusted": bool(entry.get("trusted")), "valid_at_signing": bool(entry.get("valid_at_signing")),
            "error": entry.get("error")}


def badge(entries: list[dict] | None) -> dict | None:
    """The badge of stored signatures: None when unsigned, else {"level": ok|untrusted|bad, "text"}."""
    if not entries:
        return None
    return _checks().badge([{**entry, "signed_at": _instant(entry.get("signed_at"))} for entry in entries])


def view(entries: list[dict] | None) -> dict | None:
    """The badge and one line per signature (who, when, what was found), for a page; None when unsigned."""
    shown = badge(entries)
    if shown is None:
        return None
    return {**shown, "lines": [_line(entry) for entry in entries]}


def _line(entry: dict) -> str:
    """One signature in words: "Vũ Thị Hà (UBND huyện Tứ Kỳ), 20/05/2022 09:14: nguyên vẹn; ..."."""
    who = entry.get("signer") or "Không rõ người ký"
    if entry.get("organisation"):
        who += f" ({entry['organisation']})"
    when = _instant(entry.get("signed_at"))
    if when is not None:
        who += f", {when.astimezone(clock.VN):%d/%m/%Y %H:%M}"
    if entry.get("error"):
        found = [entry["error"]]
    else:
        found = ["nguyên vẹn" if entry.get("intact") else "chữ ký không hợp lệ"]
        if entry.get("modified_after"):
            found.append("văn bản đã bị sửa sau khi ký")
        found.append("chứng thư gốc được tin cậy" if entry.get("trusted") else "chưa tin cậy chứng thư gốc")
        if entry.get("intact") and not entry.get("valid_at_signing"):
            found.append("chứng thư không còn hiệu lực lúc ký")
    return f"{who}: {'; '.join(found)}"


def _instant(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def is_pdf(filename: str, data: bytes) -> bool:
    """Whether an intake file is a PDF (by its name or its first bytes)."""
    return filename.lower().endswith(".pdf") or data[:1024].lstrip().startswith(b"%PDF")


# --- Directives taken in from a file ------------------------------------------------------------------------

def draft_from_file(issuer, user, data: bytes, filename: str, allow_empty: bool = False) -> Directive:
    """`intake.draft_from_file`, with the PDF's signatures verified and kept on the draft: the last intact
    signature gives the signer and the issuer the text did not give."""
    directive = intake.draft_from_file(issuer, user, data, filename, allow_empty=allow_empty)
    entries = verify_bytes(data) if is_pdf(filename, data) else []
    if entries:
        directive.signatures = entries
        signed = [entry for entry in entries if entry["intact"] and entry["signer"]]
        if signed and not directive.signer_name:
            directive.signer_name = signed[-1]["signer"][:_length(Directive.signer_name)]
        if signed and not directive.issuer_name and signed[-1]["organisation"]:
            directive.issuer_name = signed[-1]["organisation"][:_length(Directive.issuer_name)]
        db.session.flush()
    return directive


def _length(column) -> int:
    return column.property.columns[0].type.length


# --- Trusted roots ------------------------------------------------------------------------------------------

def describe(der: bytes) -> dict:
    """What the admin page shows of a certificate: subject, SHA-256 fingerprint, validity, whether it is a CA."""
    from cryptography import x509

    cert = x509.load_der_x509_certificate(der)
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = cert.issuer == cert.subject  # an old self-signed root without the extension
    return {"subject": cert.subject.rfc4514_string(), "sha256": hashlib.sha256(der).hexdigest(),
            "not_before": cert.not_valid_before_utc, "not_after": cert.not_valid_after_utc, "is_ca": is_ca}


def add_root(data: bytes, user) -> TrustedRoot:
    """Trust the root certificate of a PEM or DER file; a file that is not one CA certificate is refused (on
    why), nothing stored. Stored signatures are verified again once it commits."""
    if len(data) > MAX_ROOT_BYTES:
        raise _refused(f"Tệp quá lớn đối với một chứng thư số (tối đa {MAX_ROOT_BYTES // 1024} KB).")
    found = _checks().certificates_in(data)
    if not found:
        raise _refused("Tệp không phải chứng thư số X.509 (dạng PEM hoặc DER). Vui lòng chọn tệp chứng thư gốc "
                       "(.cer, .crt, .pem) do tổ chức cung cấp dịch vụ chứng thực chữ ký số cấp.")
    if len(found) > 1:
        raise _refused(f"Tệp có {len(found)} chứng thư: vui lòng tải lên từng chứng thư gốc một.")
    try:
        facts = describe(found[0])
    except ValueError:
        raise _refused("Chứng thư số trong tệp bị hỏng, không đọc được.") from None
    if not facts["is_ca"]:
        raise _refused("Đây là chứng thư của người ký, không phải chứng thư gốc của tổ chức chứng thực (CA): "
                       "vui lòng chọn chứng thư gốc.")
    if db.session.scalar(select(TrustedRoot.id).where(TrustedRoot.sha256 == facts["sha256"])):
        raise _refused("Chứng thư gốc này đã có trong danh sách tin cậy.")
    row = TrustedRoot(subject=facts["subject"][:500], sha256=facts["sha256"], der=found[0],
                      not_before=facts["not_before"], not_after=facts["not_after"],
                      added_by_id=getattr(user, "id", None))
    db.session.add(row)
    db.session.flush()
    audit.record("trusted_root_added", row, user=user, detail={"sha256": row.sha256})
    reverify_after_commit()
    return row


def remove_root(row: TrustedRoot, user) -> None:
    """Stop trusting a root; stored signatures are verified again once it commits."""
    audit.record("trusted_root_removed", row, user=user, detail={"sha256": row.sha256, "subject": row.subject})
    db.session.delete(row)
    db.session.flush()
    reverify_after_commit()


def _refused(message: str) -> DomainError:
    return DomainError(message, status=422)


def folder_roots() -> list[dict]:
    """The certificates of TRUSTED_ROOTS_DIR, described (the page lists them, read-only)."""
    folder = roots_dir()
    described = []
    for der in _checks().load_roots(folder) if folder else []:
        try:
            described.append(describe(der))
        except ValueError:
            log.warning("trusted roots: an unreadable certificate in %s", folder)
    return described


# --- Verifying again when the roots change ------------------------------------------------------------------

def reverify_after_commit() -> None:
    """Verify every stored signature again, in a job, once the change of roots commits."""
    enqueue_after_commit("workers.signatures.reverify_signatures")


def signed_files() -> int:
    """How many stored files (evidence and directive sources) hold signatures: what "verify again" reads."""
    return sum(db.session.scalar(select(func.count()).where(cast(model.signatures, Text) != "[]"))
               for model in (Evidence, Directive))


def reverify_all() -> int:
    """Verify again every stored file that holds signatures, with today's roots; returns how many changed.

    A signature's trust follows the roots, so the files are read again rather than the flags patched: the
    verdict stays the one `verify_pdf` gives. The rows are written without touching their version (nobody
    edited them)."""
    roots = trusted_roots()
    changed = 0
    signed = cast(Evidence.signatures, Text) != "[]"
    for row_id, name, sha256, old in db.session.execute(
            select(Evidence.id, Evidence.stored_name, Evidence.sha256, Evidence.signatures).where(signed)).all():
        new = _verify_stored(name, sha256, roots)
        if new is not None and new != old:
            db.session.execute(update(Evidence).where(Evidence.id == row_id).values(signatures=new))
            changed += 1
    signed = cast(Directive.signatures, Text) != "[]"
    for row_id, name, old in db.session.execute(
            select(Directive.id, Directive.source_stored_name, Directive.signatures).where(signed)).all():
        new = _verify_stored(name, None, roots) if name else None
        if new is not None and new != old:
            db.session.execute(update(Directive).where(Directive.id == row_id).values(signatures=new))
            changed += 1
    return changed


def _verify_stored(stored_name: str, sha256: str | None, roots: list[bytes]) -> list[dict] | None:
    """A stored file's entries; None (keep what is stored) when it cannot be read."""
    try:
        path = storage.local_path(stored_name)
        if path is not None:
            if not path.is_file():
                raise FileNotFoundError(path)
            return verify_file(path, roots)
        with storage.open_stored(stored_name, sha256) as stream:
            return verify_bytes(stream.read(), roots)
    except Exception:
        log.exception("signatures: stored file %s could not be verified again", stored_name)
        return None
