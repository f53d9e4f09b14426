"""Verifying the digital signatures of a PDF: who signed, when, intact or not, changed after or not, trusted or not."""

from __future__ import annotations

import socket
from datetime import datetime, timezone

import pytest

from app.evidence import signatures
from tests.conftest import free_port
from tests.signatures import pki

GREEN = "Đã ký số: UBND huyện Tứ Kỳ, 20/05/2022 09:14 — nguyên vẹn"
AMBER = "Đã ký số: UBND huyện Tứ Kỳ, 20/05/2022 09:14 — chưa tin cậy chứng thư gốc"
RED = "Chữ ký không hợp lệ / văn bản đã bị sửa sau khi ký"


@pytest.fixture(scope="module")
def signed():
    """A one-page PDF signed by Vũ Thị Hà of UBND huyện Tứ Kỳ on 20/05/2022 at 09:14."""
    return pki.signed_pdf()


@pytest.fixture
def logs(caplog, monkeypatch):
    """The module's log lines (the migrations' fileConfig disables loggers that exist before the test app)."""
    monkeypatch.setattr(signatures.log, "disabled", False)
    return caplog


@pytest.fixture
def roots():
    """The test root CA, trusted."""
    return [pki.root().pem]


def test_signed_and_intact_with_a_trusted_root_is_green(signed, roots):
    """The signer, the organisation and the signing time come from the signature; the badge is green."""
    (entry,) = signatures.verify_pdf(signed, roots)

    assert entry == {"signer": "Vũ Thị Hà", "organisation": "UBND huyện Tứ Kỳ",
                     "signed_at": datetime(2022, 5, 20, 2, 14, tzinfo=timezone.utc), "intact": True,
                     "modified_after": False, "trusted": True, "valid_at_signing": True, "error": None}
    assert signatures.badge([entry]) == {"level": "ok", "text": GREEN}


def test_a_root_in_der_is_trusted_too(signed):
    """An admin may upload the root as DER (.cer) as well as PEM."""
    (entry,) = signatures.verify_pdf(signed, [pki.root().der])

    assert entry["trusted"]


def test_an_untrusted_root_is_amber(signed):
    """Intact, but the chain ends at a root nobody trusts (none by default, or another CA's)."""
    for roots in ([], [pki.root("other").pem]):
        (entry,) = signatures.verify_pdf(signed, roots)

        assert entry["intact"] and not entry["modified_after"] and not entry["trusted"]
        assert entry["signer"] == "Vũ Thị Hà"
        assert signatures.badge([entry]) == {"level": "untrusted", "text": AMBER}


def test_a_certificate_outside_its_validity_at_signing_is_not_green(roots):
    """Signed after the certificate expired: still intact, but not valid at signing, so not green."""
    expired = pki.signer("Trần Văn Cũ", "UBND xã Tái Sơn", not_after=datetime(2021, 1, 1, tzinfo=timezone.utc))
    (entry,) = signatures.verify_pdf(pki.signed_pdf(identity=expired), roots)

    assert entry["intact"] and not entry["valid_at_signing"] and not entry["trusted"]
    assert signatures.badge([entry])["level"] == "untrusted"


def test_an_organisational_unit_stands_in_for_a_missing_organisation(roots):
    """A certificate without O names its unit (OU) as the organisation."""
    unit_only = pki.signer("Lê Văn An", None, unit="Văn phòng HĐND-UBND")
    (entry,) = signatures.verify_pdf(pki.signed_pdf(identity=unit_only), roots)

    assert (entry["signer"], entry["organisation"]) == ("Lê Văn An", "Văn phòng HĐND-UBND")


def test_content_changed_by_an_incremental_update_is_red(signed, roots):
    """Text added to the page after signing: the signed bytes are intact, but the document was modified."""
    (entry,) = signatures.verify_pdf(pki.modified_after_signing(signed), roots)

    assert entry["intact"] and entry["modified_after"]
    assert signatures.badge([entry]) == {"level": "bad", "text": RED}


def test_signed_twice_gives_both_in_order_and_the_badge_of_the_last(roots):
    """A second signature in a later update does not count as a change to the first."""
    first, second = signatures.verify_pdf(pki.signed_twice(), roots)

    assert (first["signer"], first["organisation"]) == ("Vũ Thị Hà", "UBND huyện Tứ Kỳ")
    assert (second["signer"], second["organisation"]) == ("Nguyễn Văn Bình", "UBND tỉnh Hải Dương")
    assert second["signed_at"] == datetime(2022, 5, 21, 8, 30, tzinfo=timezone.utc)
    assert all(e["intact"] and not e["modified_after"] and e["trusted"] for e in (first, second))
    assert signatures.badge([first, second]) == {
        "level": "ok", "text": "Đã ký số: UBND tỉnh Hải Dương, 21/05/2022 15:30 — nguyên vẹn"}


def test_content_changed_after_two_signatures_is_red(roots):
    """A change after the last signature makes every earlier one "modified after" too."""
    entries = signatures.verify_pdf(pki.modified_after_signing(pki.signed_twice()), roots)

    assert [e["modified_after"] for e in entries] == [True, True]
    assert signatures.badge(entries)["level"] == "bad"


def test_one_bad_signature_makes_the_badge_red_even_if_the_last_is_fine(signed, roots):
    """The first signature was broken before the second was added: red, whatever the last says."""
    twice = pki.signed_pdf(pki.corrupt_signature(signed), identity=pki.signer("Nguyễn Văn Bình", "UBND tỉnh"),
                           field="Signature2")
    first, second = signatures.verify_pdf(twice, roots)

    assert first["error"] and not first["intact"]
    assert second["intact"] and second["trusted"]
    assert signatures.badge([first, second])["level"] == "bad"


def test_a_corrupt_signature_is_a_red_entry_not_an_exception(signed, roots):
    """A /Contents that does not parse: an entry with a reason, never an error page."""
    (entry,) = signatures.verify_pdf(pki.corrupt_signature(signed), roots)

    assert entry["intact"] is False and entry["trusted"] is False
    assert entry["error"] == "Chữ ký bị hỏng, không đọc được"
    assert signatures.badge([entry]) == {"level": "bad", "text": RED}


def test_a_damaged_byte_range_or_a_changed_signed_byte_is_red(signed, roots):
    """The hash of the signed bytes no longer matches."""
    for damaged in (pki.damaged_byte_range(signed), pki.tampered_in_place(signed)):
        (entry,) = signatures.verify_pdf(damaged, roots)

        assert not entry["intact"] and not entry["trusted"]
        assert signatures.badge([entry])["level"] == "bad"


def test_an_unexpected_failure_in_pyhanko_is_a_red_entry(signed, roots, monkeypatch, logs):
    """Whatever pyHanko raises on one signature, the upload goes on and the failure is logged."""
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(signatures, "validate_pdf_signature", explode)
    (entry,) = signatures.verify_pdf(signed, roots)

    assert not entry["intact"] and entry["error"] == "Không kiểm tra được chữ ký"
    assert entry["signer"] == "Vũ Thị Hà"
    assert "boom" in logs.text


def test_unsigned_and_not_a_pdf_have_no_signatures(roots):
    """No signature, no badge; a file that is not a PDF (or a broken one) is not an error."""
    for data in (pki.plain_pdf(), b"", b"not a pdf at all /ByteRange [0 1 2 3]", pki.signed_pdf()[:2000]):
        assert signatures.verify_pdf(data, roots) == []
    assert signatures.badge([]) is None


def test_bad_roots_are_ignored(signed):
    """A root that is not a certificate does not stop the others from counting."""
    (entry,) = signatures.verify_pdf(signed, [b"garbage", b"-----BEGIN CERTIFICATE-----\nxx\n", pki.root().pem])

    assert entry["trusted"]


def test_load_roots_reads_certificate_files_and_skips_the_rest(tmp_path, logs):
    """PEM and DER files of the directory, several certificates in one PEM; other and broken files skipped."""
    (tmp_path / "a.pem").write_bytes(pki.root().pem + pki.root("other").pem)
    (tmp_path / "b.cer").write_bytes(pki.root("third").der)
    (tmp_path / "broken.crt").write_bytes(b"not a certificate")
    (tmp_path / "readme.txt").write_bytes(pki.root("ignored").pem)

    roots = signatures.load_roots(tmp_path)

    assert roots == [pki.root().der, pki.root("other").der, pki.root("third").der]
    assert "broken.crt" in logs.text
    assert signatures.load_roots(tmp_path / "missing") == []
    assert signatures.load_roots([tmp_path / "b.cer"]) == [pki.root("third").der]


@pytest.fixture
def no_network(monkeypatch):
    """Every outgoing connection attempt, recorded and refused (the network boundary, faked)."""
    attempts = []

    def refuse(target):
        def refused(*args, **kwargs):
            attempts.append((target, args[1:2] if target == "connect" else args[:1]))
            raise OSError("network is off in this test")
        return refused

    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("connect"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    return attempts


def test_verification_never_reaches_the_network(roots, no_network):
    """A certificate naming an OCSP responder, a CRL and an issuer URL: none is fetched; trust is per the roots."""
    online = pki.signer("Phạm Thị Mai", "UBND huyện Tứ Kỳ", aia_url=f"http://127.0.0.1:{free_port()}")
    data = pki.signed_pdf(identity=online)

    trusted = signatures.verify_pdf(data, roots)
    untrusted = signatures.verify_pdf(data, [])

    assert no_network == []
    assert [e["trusted"] for e in trusted + untrusted] == [True, False]
    assert signatures.badge(trusted)["level"] == "ok"


def test_revocation_checks_reach_out_only_when_configured(app, roots, no_network, monkeypatch):
    """With SIGNATURE_REVOCATION_CHECK on, the responder is asked; unreachable, the signature is not trusted."""
    online = pki.signer("Phạm Thị Mai", "UBND huyện Tứ Kỳ", aia_url=f"http://127.0.0.1:{free_port()}")
    data = pki.signed_pdf(identity=online)
    monkeypatch.setitem(app.config, "SIGNATURE_REVOCATION_CHECK", True)

    (entry,) = signatures.verify_pdf(data, roots)

    assert no_network != []
    assert entry["intact"] and not entry["trusted"]


def test_the_badge_reads_entries_stored_as_json(signed, roots):
    """An entry kept as JSON (ISO time, no valid_at_signing as in the API) gives the same badge."""
    (entry,) = signatures.verify_pdf(signed, roots)
    stored = {key: value for key, value in entry.items() if key != "valid_at_signing"}
    stored["signed_at"] = entry["signed_at"].isoformat()

    assert signatures.badge([stored]) == {"level": "ok", "text": GREEN}
