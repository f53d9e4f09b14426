"""Digital signatures embedded in a PDF: who signed, when, whether the signed bytes are intact, whether the
document was changed after, and whether the certificate chains to a root the admin trusts.

Verification never reaches the network: no revocation (OCSP/CRL) and no issuer (AIA) fetching, unless the
SIGNATURE_REVOCATION_CHECK setting asks for revocation checks. It never raises either: a signature that cannot
be checked is an entry with an error, and a file that is not a readable PDF has no signatures.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime, timezone
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask import current_app, has_app_context
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

from app.core import clock

log = logging.getLogger(__name__)

ROOT_SUFFIXES = {".pem", ".crt", ".cer", ".der"}
UNREADABLE = "Chữ ký bị hỏng, không đọc được"
UNCHECKABLE = "Không kiểm tra được chữ ký"
BAD_TEXT = "Chữ ký không hợp lệ / văn bản đã bị sửa sau khi ký"
#: A signing certificate must allow signing: either usage will do (Vietnamese CAs set both, others one).
_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)


def certificates_in(data: bytes) -> list[bytes]:
    """The certificates (DER) in a PEM (one or several) or DER file; [] when it holds none that parse."""
    try:
        if b"-----BEGIN" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
        return [cert.public_bytes(serialization.Encoding.DER) for cert in certs]
    except ValueError as error:
        log.info("not a certificate: %s", error)
        return []


def load_roots(paths_or_dir) -> list[bytes]:
    """The certificates (DER) of the .pem/.crt/.cer/.der files of a directory, or of the given files."""
    if isinstance(paths_or_dir, (str, Path)):
        folder = Path(paths_or_dir)
        if not folder.is_dir():
            log.warning("trusted roots: %s is not a directory", folder)
            return []
        paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in ROOT_SUFFIXES and p.is_file())
    else:
        paths = [Path(p) for p in paths_or_dir]
    roots = []
    for path in paths:
        try:
            found = certificates_in(path.read_bytes())
        except OSError as error:
            log.warning("trusted roots: cannot read %s: %s", path, error)
            continue
        if not found:
            log.warning("trusted roots: no certificate in %s, skipped", path)
        roots.extend(found)
    return roots


def verify_pdf(data: bytes, trusted_roots: list[bytes], *, check_revocation: bool | None = None) -> list[dict]:
    """The embedded signatures of a PDF, in document order; [] when unsigned or not a PDF pyHanko can read."""
    # Signature dictionaries hold byte offsets, so they are never inside compressed object streams: a PDF without
    # the word is unsigned, and most uploads skip the parse.
    if b"/ByteRange" not in data:
        return []
    try:
        reader = PdfFileReader(io.BytesIO(data))
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception as error:  # any damage to the file: no signature we can show
        log.info("signatures: not a readable PDF: %s", error)
        return []
    roots = [asn1_x509.Certificate.load(der) for blob in trusted_roots for der in certificates_in(blob)]
    revocation = _revocation_wanted() if check_revocation is None else check_revocation
    found = []
    for name, sig_object, field in fields:
        try:
            if sig_object.get_object().get("/Type") == "/DocTimeStamp":
                continue  # a document timestamp (long-term archiving), not a person's signature
            entry = _verify_one(reader, name, field, roots, revocation)
        except Exception:
            log.exception("signature %r: verification failed", name)
            entry = _entry(error=UNCHECKABLE)
        found.append((_revision(reader, field), len(found), entry))
    return [entry for _, _, entry in sorted(found, key=lambda item: item[:2])]


def badge(signatures: list[dict]) -> dict | None:
    """What a page shows about a document's signatures: None when unsigned; else a level and a sentence."""
    if not signatures:
        return None
    if any(not s.get("intact") or s.get("modified_after") for s in signatures):
        return {"level": "bad", "text": BAD_TEXT}
    last = signatures[-1]
    who = last.get("organisation") or last.get("signer")
    # Entries read back from JSON carry the time as ISO text.
    signed_at = last.get("signed_at")
    if isinstance(signed_at, str):
        signed_at = datetime.fromisoformat(signed_at)
    when = f", {clock.as_utc(signed_at).astimezone(clock.VN):%d/%m/%Y %H:%M}" if signed_at else ""
    if last.get("trusted") and last.get("valid_at_signing", True):
        return {"level": "ok", "text": f"Đã ký số: {who}{when} — nguyên vẹn"}
    return {"level": "untrusted", "text": f"Đã ký số: {who}{when} — chưa tin cậy chứng thư gốc"}


def _revocation_wanted() -> bool:
    """Whether the app's settings ask for revocation checks (off outside an app, and by default)."""
    return bool(has_app_context() and current_app.config.get("SIGNATURE_REVOCATION_CHECK", False))


def _revision(reader: PdfFileReader, field) -> int:
    """The revision a signature belongs to, for document order (damaged ones last)."""
    try:
        return reader.xrefs.get_last_change(field.get_object().raw_get("/V").reference)
    except Exception:
        return 1 << 30


def _entry(signer: str = "", organisation: str | None = None, signed_at: datetime | None = None, *,
           intact: bool = False, modified_after: bool = False, trusted: bool = False,
           valid_at_signing: bool = False, error: str | None = None) -> dict:
    """One signature as the rest of the app sees it."""
    return {"signer": signer, "organisation": organisation, "signed_at": signed_at, "intact": intact,
            "modified_after": modified_after, "trusted": trusted, "valid_at_signing": valid_at_signing,
            "error": error}


def _verify_one(reader: PdfFileReader, name: str, field, roots: list, revocation: bool) -> dict:
    """The entry of one signature field; a red entry, never an exception, when it cannot be checked."""
    try:
        embedded = EmbeddedPdfSignature(reader, field, name)
        cert = embedded.signer_cert
        signer, organisation = _subject(cert)
    except Exception as error:  # a damaged /Contents, CMS or /ByteRange
        log.info("signature %r unreadable: %s", name, error)
        return _entry(error=UNREADABLE)
    claimed = _claimed_time(embedded)
    try:
        status = validate_pdf_signature(embedded, _context(roots, _stamped_time(embedded) or claimed, revocation),
                                        key_usage_settings=_KEY_USAGE)
    except SignatureValidationError as error:
        log.info("signature %r not checkable: %s", name, error)
        return _entry(signer, organisation, claimed, error=UNCHECKABLE)
    except Exception:  # pyHanko failed on this file: a red badge, never a 500
        log.exception("signature %r: verification failed", name)
        return _entry(signer, organisation, claimed, error=UNCHECKABLE)
    stamp = status.timestamp_validity
    signed_at = _utc(stamp.timestamp) if stamp is not None and stamp.intact and stamp.valid else claimed
    level = status.modification_level
    # Later signatures and form filling are what a signed document may receive; annotations can be drawn over
    # the signed text, so they count as a change like any other.
    modified = status.docmdp_ok is False or (level is not None and level.value > ModificationLevel.FORM_FILLING.value)
    return _entry(signer, organisation, signed_at, intact=bool(status.intact and status.valid),
                  modified_after=modified, trusted=bool(status.trusted), error=None,
                  valid_at_signing=signed_at is not None and cert.not_valid_before <= signed_at <= cert.not_valid_after)


def _context(roots: list, signed_at: datetime | None, revocation: bool) -> ValidationContext:
    """Trust only `roots`; check the chain at the signing time, offline unless revocation checks are asked for."""
    if revocation:
        # pyHanko fetches revocation data only when validating "now".
        return ValidationContext(trust_roots=roots, allow_fetching=True, revocation_mode="hard-fail")
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail", moment=signed_at)


def _stamped_time(embedded: EmbeddedPdfSignature) -> datetime | None:
    """The time in the signature's timestamp token, if it has one (checked later, with the signature)."""
    for token in extract_tst_data_iter(embedded.signer_info, signed=False):
        return _utc(token["encap_content_info"]["content"].parsed["gen_time"].native)
    return None


def _claimed_time(embedded: EmbeddedPdfSignature) -> datetime | None:
    """The signing time the signer's software wrote (signed attribute, else the dictionary's /M)."""
    try:
        return _utc(embedded.self_reported_timestamp)
    except Exception:  # a malformed /M: no time rather than no verdict
        return None


def _subject(cert: asn1_x509.Certificate) -> tuple[str, str | None]:
    """The person (common name) and the organisation (O, else OU) a certificate names."""
    subject = cert.subject.native

    def text(key: str) -> str | None:
        value = subject.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        return str(value).strip() if value else None

    return (text("common_name") or cert.subject.human_friendly,
            text("organization_name") or text("organizational_unit_name"))


def _utc(moment: datetime | None) -> datetime | None:
    """An instant as aware UTC (a time without zone is taken as UTC)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
