"""A small PKI for tests: a root CA, an intermediate, signer certificates, and PDFs signed with pyHanko.

Keys are EC P-256 (fast to make) and made once per session; certificates are fixed in time so a test's
expectations do not depend on the day it runs.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

SIGNER_NAME = "Vũ Thị Hà"
SIGNER_ORG = "UBND huyện Tứ Kỳ"
#: 20/05/2022 09:14 in Viet Nam.
SIGNED_AT = datetime(2022, 5, 20, 2, 14, tzinfo=timezone.utc)
NOT_BEFORE = datetime(2020, 1, 1, tzinfo=timezone.utc)
NOT_AFTER = datetime(2035, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Identity:
    """A certificate, its private key and the chain above it (issuer first)."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def der(self) -> bytes:
        """The certificate in DER."""
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> bytes:
        """The certificate in PEM."""
        return self.cert.public_bytes(serialization.Encoding.PEM)


@functools.cache
def _key(label: str) -> ec.EllipticCurvePrivateKey:
    """One key per role for the whole session."""
    return ec.generate_private_key(ec.SECP256R1())


def _name(common: str, organisation: str | None = None, unit: str | None = None) -> x509.Name:
    """A subject with a common name and, if given, an organisation and a unit."""
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    if unit:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common))
    return x509.Name(parts)


def _certificate(subject: x509.Name, key, issuer: Identity | None, *, ca: bool, not_before=NOT_BEFORE,
                 not_after=NOT_AFTER, aia_url: str | None = None) -> x509.Certificate:
    """A certificate for `key`, signed by `issuer` (self-signed when None)."""
    issuer_name = issuer.cert.subject if issuer else subject
    issuer_key = issuer.key if issuer else key
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    usage = dict(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                 data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                 encipher_only=False, decipher_only=False)
    builder = builder.add_extension(x509.KeyUsage(**usage), critical=True)
    if aia_url:
        # Where a validator allowed to fetch would look for the issuer and for revocation: never reached here.
        builder = builder.add_extension(x509.AuthorityInformationAccess([
            x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(aia_url)),
            x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS,
                                   x509.UniformResourceIdentifier(aia_url + "/ca.crt")),
        ]), critical=False)
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(aia_url + "/ca.crl")], relative_name=None, reasons=None,
            crl_issuer=None)]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@functools.cache
def root(label: str = "root") -> Identity:
    """A self-signed root CA (another label gives another, unrelated root)."""
    key = _key(label)
    return Identity(_certificate(_name(f"CA thử nghiệm {label}", "Ban Cơ yếu thử nghiệm"), key, None, ca=True),
                    key)


@functools.cache
def intermediate(label: str = "root") -> Identity:
    """A CA below `root(label)`."""
    parent = root(label)
    key = _key(f"{label}/intermediate")
    cert = _certificate(_name(f"CA cấp dưới {label}", "Ban Cơ yếu thử nghiệm"), key, parent, ca=True)
    return Identity(cert, key, (parent.cert,))


@functools.cache
def signer(common: str = SIGNER_NAME, organisation: str | None = SIGNER_ORG, *, unit: str | None = None,
           root_label: str = "root", via_intermediate: bool = True, not_before: datetime = NOT_BEFORE,
           not_after: datetime = NOT_AFTER, aia_url: str | None = None) -> Identity:
    """A person's signing certificate, issued under `root(root_label)` (through its intermediate by default)."""
    issuer = intermediate(root_label) if via_intermediate else root(root_label)
    key = _key(f"{root_label}/{common}")
    cert = _certificate(_name(common, organisation, unit), key, issuer, ca=False, not_before=not_before,
                        not_after=not_after, aia_url=aia_url)
    return Identity(cert, key, (issuer.cert, *issuer.chain))


def plain_pdf(text: str = "Van ban thu nghiem", pages: int = 1) -> bytes:
    """A small unsigned PDF with a line of text on each page."""
    writer = PdfFileWriter()
    font = generic.DictionaryObject({pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type1"),
                                     pdf_name("/BaseFont"): pdf_name("/Helvetica")})
    resources = generic.DictionaryObject({pdf_name("/Font"): generic.DictionaryObject(
        {pdf_name("/F1"): writer.add_object(font)})})
    for number in range(pages):
        content = generic.StreamObject(stream_data=f"BT /F1 14 Tf 72 760 Td ({text} {number + 1}) Tj ET".encode())
        writer.insert_page(PageObject(writer.add_object(content), (0, 0, 595, 842), resources))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class _FixedTimeSigner(signers.PdfSigner):
    """A PdfSigner whose signing time is given, not read from the clock."""

    def __init__(self, *args, at: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._at = at

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        """The session of PdfSigner, at the fixed time."""
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._at
        return session


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    """A cryptography certificate as asn1crypto's, which pyHanko takes."""
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def signed_pdf(pdf: bytes | None = None, *, identity: Identity | None = None, at: datetime = SIGNED_AT,
               field: str = "Signature1", certify: bool = False) -> bytes:
    """`pdf` (a plain one by default) with one more signature, by `identity` (Vũ Thị Hà by default), as an
    incremental update."""
    identity = identity or signer()
    key = asn1_keys.PrivateKeyInfo.load(identity.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    pyhanko_signer = signers.SimpleSigner(
        signing_cert=_asn1(identity.cert), signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([_asn1(c) for c in identity.chain]))
    meta = signers.PdfSignatureMetadata(field_name=field, certify=certify)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf if pdf is not None else plain_pdf()))
    out = _FixedTimeSigner(meta, pyhanko_signer, at=at).sign_pdf(writer)
    return out.getvalue()


def signed_twice(pdf: bytes | None = None, *, first: Identity | None = None, second: Identity | None = None,
                 first_at: datetime = SIGNED_AT, second_at: datetime = datetime(2022, 5, 21, 8, 30,
                                                                                 tzinfo=timezone.utc)) -> bytes:
    """`pdf` signed by `first` (Vũ Thị Hà), then by `second` (a district chairman) in a later update."""
    second = second or signer("Nguyễn Văn Bình", "UBND tỉnh Hải Dương")
    once = signed_pdf(pdf, identity=first, at=first_at, field="Signature1")
    return signed_pdf(once, identity=second, at=second_at, field="Signature2")


def modified_after_signing(pdf: bytes, text: str = "Noi dung them sau khi ky") -> bytes:
    """`pdf` with an incremental update that adds a line of text to its first page's content."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    content = generic.StreamObject(stream_data=f"BT /F1 14 Tf 72 700 Td ({text}) Tj ET".encode())
    writer.add_stream_to_page(0, writer.add_object(content))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _contents_span(pdf: bytes) -> tuple[int, int]:
    """Where the hex digits of the last signature's /Contents start and end."""
    match = list(re.finditer(rb"/Contents\s*<([0-9A-Fa-f]+)>", pdf))[-1]
    return match.start(1), match.end(1)


def corrupt_signature(pdf: bytes) -> bytes:
    """`pdf` with the last signature's CMS damaged past reading (its DER header overwritten), same length."""
    start, _ = _contents_span(pdf)
    return pdf[:start] + b"FFFFFFFF" + pdf[start + 8:]


def damaged_byte_range(pdf: bytes) -> bytes:
    """`pdf` with the last signature's /ByteRange reaching past the end of the file, same length."""
    match = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf))[-1]
    start, end = match.span(4)
    return pdf[:start] + b"9" * (end - start) + pdf[end:]


def tampered_in_place(pdf: bytes, old: bytes = b"Van ban thu nghiem", new: bytes = b"Van ban DA SUA DOI") -> bytes:
    """`pdf` with a signed byte changed where it lies (no incremental update): the hash no longer matches."""
    assert len(old) == len(new) and old in pdf
    return pdf.replace(old, new, 1)
