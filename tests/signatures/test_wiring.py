"""Digital signatures on the way in (issue 19): each PDF evidence upload and each PDF directive taken in is
verified once, its result kept with the file, shown as a badge on the page and as "signatures" in the API; the
admin's roots decide "trusted", and changing them changes what was stored. Verification never refuses a file."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from app.directives.models import Directive
from app.evidence import signatures, trust
from app.evidence.models import Evidence, TrustedRoot
from app.extensions import db
from bench.documents import font_path, text_pdf
from tests import factories
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD
from tests.signatures import pki

GREEN = "Đã ký số: UBND huyện Tứ Kỳ, 20/05/2022 09:14 — nguyên vẹn"
AMBER = "Đã ký số: UBND huyện Tứ Kỳ, 20/05/2022 09:14 — chưa tin cậy chứng thư gốc"
RED = "Chữ ký không hợp lệ / văn bản đã bị sửa sau khi ký"
SECOND = "Đã ký số: UBND tỉnh Hải Dương, 21/05/2022 15:30 — nguyên vẹn"
HA = {"signer": "Vũ Thị Hà", "organisation": "UBND huyện Tứ Kỳ", "signed_at": "2022-05-20T02:14:00+00:00"}
BINH = {"signer": "Nguyễn Văn Bình", "organisation": "UBND tỉnh Hải Dương", "signed_at": "2022-05-21T08:30:00+00:00"}
#: A directive with two requirements and neither an issuer nor a signer written in it.
LINES = ["Kính gửi: Chủ tịch UBND các xã, thị trấn.",
         "1. Các xã báo cáo kết quả chuyển đổi số trước ngày 15/6/2022.",
         "2. Rà soát máy tính của bộ phận một cửa, gửi về Văn phòng trước ngày 30/6/2022."]

#: case: (the PDF, the root trusted, the badge's level and words, the API's entries)
CASES = {
    "trusted": (lambda pdf: pki.signed_pdf(pdf), True, "ok", GREEN,
                [{**HA, "intact": True, "modified_after": False, "trusted": True}]),
    "untrusted": (lambda pdf: pki.signed_pdf(pdf), False, "untrusted", AMBER,
                  [{**HA, "intact": True, "modified_after": False, "trusted": False}]),
    "modified_after": (lambda pdf: pki.modified_after_signing(pki.signed_pdf(pdf)), True, "bad", RED,
                       [{**HA, "intact": True, "modified_after": True, "trusted": True}]),
    "signed_twice": (lambda pdf: pki.signed_twice(pdf), True, "ok", SECOND,
                     [{**HA, "intact": True, "modified_after": False, "trusted": True},
                      {**BINH, "intact": True, "modified_after": False, "trusted": True}]),
    "corrupt": (lambda pdf: pki.corrupt_signature(pki.signed_pdf(pdf)), True, "bad", RED, "corrupt"),
    "unsigned": (lambda pdf: pdf if pdf is not None else pki.plain_pdf(), True, None, None, []),
}
BADGE_CLASS = {"ok": "text-bg-success", "untrusted": "text-bg-warning", "bad": "text-bg-danger"}


@pytest.fixture
def task(tree):
    """An open task of commune A, to hand files in on."""
    directive = factories.make_directive(tree.district, number="12/UBND-VP")
    task = factories.make_task(factories.make_requirement(directive, "Báo cáo có chữ ký số"), tree.commune_a)
    db.session.commit()
    return task


def bearer(client, username: str) -> dict:
    token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).json["token"]
    return {"Authorization": f"Bearer {token}"}


def trust_test_root(tree) -> None:
    trust.add_root(pki.root().der, tree.users["admin"])
    db.session.commit()


def badges(html: str) -> list[tuple[str, str]]:
    """(level, words) of every signature badge on a page."""
    return re.findall(r'class="badge signature-badge[^"]*" data-level="(\w+)">([^<]*)<', html)


def check_entries(found: list[dict], expected) -> None:
    """The API's entries are what the case expects (a corrupt signature: one red entry, whatever else it says)."""
    if expected == "corrupt":
        (entry,) = found
        assert entry["intact"] is False and set(entry) == set(HA) | {"intact", "modified_after", "trusted"}
        return
    assert found == expected


# --- Evidence ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES)
def test_an_evidence_pdf_is_verified_on_upload_and_shown(client, tree, task, case):
    make, trusted, level, words, expected = CASES[case]
    if trusted:
        trust_test_root(tree)
    office = bearer(client, "mc.xa-a")
    answer = client.post(f"/api/v1/tasks/{task.id}/evidence", headers=office,
                         data={"file": (io.BytesIO(make(None)), "Báo cáo đã ký.pdf")})
    assert answer.status_code == 201
    check_entries(answer.json["signatures"], expected)
    detail = client.get(f"/api/v1/tasks/{task.id}", headers=office).json
    check_entries(detail["evidence"][0]["signatures"], expected)

    login(client, "vanphong")
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert badges(html) == ([(level, words)] if level else [])
    if level:
        assert f'{BADGE_CLASS[level]}" data-level="{level}"' in html


def test_a_pdf_handed_in_on_the_page_is_verified_too(client, tree, task):
    """The task page's form (the multipart parser's staged file) takes the same way as the API."""
    trust_test_root(tree)
    login(client, "mc.xa-a")
    answer = client.post(f"/tasks/{task.id}/work", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, f"/tasks/{task.id}"), "version": str(task.version), "action": "save",
        "note": "Đã gửi", "files": (io.BytesIO(pki.signed_pdf()), "Báo cáo.pdf")})
    assert answer.status_code in (200, 302, 303)
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert badges(html) == [("ok", GREEN)]
    assert "Vũ Thị Hà (UBND huyện Tứ Kỳ), 20/05/2022 09:14: nguyên vẹn; chứng thư gốc được tin cậy" in html


def test_other_files_are_not_read_for_signatures(client, tree, task, monkeypatch):
    monkeypatch.setattr(signatures, "verify_pdf", lambda *a, **k: pytest.fail("a PNG is no PDF"))
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64 + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    answer = client.post(f"/api/v1/tasks/{task.id}/evidence", headers=bearer(client, "mc.xa-a"),
                         data={"file": (io.BytesIO(png), "anh.png")})
    assert answer.status_code == 201 and answer.json["signatures"] == []


def test_a_failure_inside_verification_keeps_the_upload_and_shows_red(client, tree, task, monkeypatch):
    """Whatever breaks inside the checks, the file is taken: a signed one is red, an unsigned one plain."""
    def broken(*args, **kwargs):
        raise RuntimeError("pyHanko broke")

    monkeypatch.setattr(signatures, "verify_pdf", broken)
    office = bearer(client, "mc.xa-a")
    signed = client.post(f"/api/v1/tasks/{task.id}/evidence", headers=office,
                         data={"file": (io.BytesIO(pki.signed_pdf()), "da-ky.pdf")})
    plain = client.post(f"/api/v1/tasks/{task.id}/evidence", headers=office,
                        data={"file": (io.BytesIO(pki.plain_pdf()), "khong-ky.pdf")})
    assert signed.status_code == plain.status_code == 201
    assert [s["intact"] for s in signed.json["signatures"]] == [False]
    assert plain.json["signatures"] == []
    login(client, "vanphong")
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert badges(html) == [("bad", RED)]
    assert "Không kiểm tra được chữ ký số của tệp." in html


def test_a_large_unsigned_pdf_is_not_read_whole(tmp_path, monkeypatch):
    """Its signature fields are looked for in its structure; the bytes of an unsigned file are never loaded."""
    path = tmp_path / "scan.pdf"
    path.write_bytes(pki.plain_pdf(pages=3))
    monkeypatch.setattr(signatures, "verify_pdf", lambda *a, **k: pytest.fail("an unsigned file was read"))
    assert trust.verify_file(path) == []
    path.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n%" + b"0" * 4096 + b"\ntrailer<<>>\n%%EOF\n")  # no xref at all
    assert trust.verify_file(path) == []


# --- Directives taken in -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def directive_pdf():
    """A PDF with a text layer: two requirements, no issuer and no signer written."""
    font_path()
    return text_pdf([LINES])


@pytest.mark.parametrize("case", CASES)
def test_a_directive_pdf_is_verified_on_intake_page_and_api(client, tree, case, directive_pdf):
    make, trusted, level, words, expected = CASES[case]
    if trusted:
        trust_test_root(tree)
    login(client, "vanphong")
    answer = client.post("/directives/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/directives/new"), "file": (io.BytesIO(make(directive_pdf)), "cv.pdf")})
    assert answer.status_code == 302
    draft = client.get(answer.location).get_data(as_text=True)
    assert badges(draft) == ([(level, words)] if level else [])
    directive_id = int(re.search(r"/directives/(\d+)", answer.location).group(1))
    assert badges(client.get(f"/directives/{directive_id}").get_data(as_text=True)) == badges(draft)

    office = bearer(client, "vanphong")
    check_entries(client.get(f"/api/v1/directives/{directive_id}", headers=office).json["signatures"], expected)
    created = client.post("/api/v1/directives", headers=office,
                          data={"file": (io.BytesIO(make(directive_pdf)), "cv.pdf")})
    assert created.status_code == 201
    check_entries(created.json["signatures"], expected)
    assert [r["label"] for r in created.json["requirements"]] == ["1", "2"]


def test_the_signature_fills_the_signer_and_issuer_the_text_leaves_out(client, tree, directive_pdf):
    office = bearer(client, "vanphong")
    created = client.post("/api/v1/directives", headers=office,
                          data={"file": (io.BytesIO(pki.signed_twice(directive_pdf)), "cv.pdf")}).json
    assert created["signer"] == {"name": "Nguyễn Văn Bình", "title": None}  # the last signature
    assert created["issuer"] == "UBND tỉnh Hải Dương"
    login(client, "vanphong")
    edit = client.get(f"/directives/{created['id']}/edit").get_data(as_text=True)
    assert 'value="Nguyễn Văn Bình"' in edit and 'value="UBND tỉnh Hải Dương"' in edit


def test_the_text_s_own_signer_and_issuer_stay(client, tree):
    font_path()
    written = text_pdf([["ỦY BAN NHÂN DÂN", "HUYỆN TỨ KỲ", "Số: 479/UBND-VP", *LINES[:2],
                         "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Văn Cường"]])
    created = client.post("/api/v1/directives", headers=bearer(client, "vanphong"),
                          data={"file": (io.BytesIO(pki.signed_pdf(written)), "cv.pdf")}).json
    assert created["signer"]["name"] == "Trần Văn Cường"
    assert created["signatures"][0]["signer"] == "Vũ Thị Hà"


def test_a_broken_signature_fills_nothing(client, tree, directive_pdf):
    created = client.post("/api/v1/directives", headers=bearer(client, "vanphong"), data={
        "file": (io.BytesIO(pki.corrupt_signature(pki.signed_pdf(directive_pdf))), "cv.pdf")}).json
    assert created["signer"] is None and created["issuer"] is None
    assert [s["intact"] for s in created["signatures"]] == [False]


def test_typed_and_unsigned_directives_have_no_signatures(client, tree):
    created = client.post("/api/v1/directives", headers=bearer(client, "vanphong"),
                          json={"body": "\n".join(LINES)}).json
    assert created["signatures"] == []


# --- Trusted roots -----------------------------------------------------------------------------------------

def _roots_page(client):
    return client.get("/admin/roots").get_data(as_text=True)


def _add_root(client, data: bytes, name: str):
    return client.post("/admin/roots", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/admin/roots"), "file": (io.BytesIO(data), name)})


def test_adding_and_removing_a_root_changes_what_was_stored(app, client, tree, task, directive_pdf):
    office = bearer(client, "vanphong")
    client.post(f"/api/v1/tasks/{task.id}/evidence", headers=bearer(client, "mc.xa-a"),
                data={"file": (io.BytesIO(pki.signed_pdf()), "bao-cao.pdf")})
    directive = client.post("/api/v1/directives", headers=office,
                            data={"file": (io.BytesIO(pki.signed_pdf(directive_pdf)), "cv.pdf")}).json
    db.session.rollback()
    version = db.session.get(Directive, directive["id"]).version
    db.session.rollback()

    def state():
        db.session.rollback()
        evidence = client.get(f"/api/v1/tasks/{task.id}", headers=office).json["evidence"][0]["signatures"]
        draft = client.get(f"/api/v1/directives/{directive['id']}", headers=office).json["signatures"]
        return evidence[0]["trusted"], draft[0]["trusted"]

    assert state() == (False, False)
    login(client, "admin")
    added = _add_root(client, pki.root().pem, "goc.pem")
    assert added.status_code == 302
    page = _roots_page(client)
    assert "Đã thêm chứng thư gốc" in page and "CA thử nghiệm root" in page
    db.session.rollback()
    fingerprint = db.session.scalar(select(TrustedRoot.sha256)).upper()
    assert fingerprint in page and "01/01/2020" in page and "01/01/2035" in page
    assert state() == (True, True)
    clerk = app.test_client()
    login(clerk, "vanphong")
    assert badges(clerk.get(f"/tasks/{task.id}").get_data(as_text=True)) == [("ok", GREEN)]

    root_id = db.session.scalar(select(TrustedRoot.id))
    db.session.rollback()
    removed = client.post(f"/admin/roots/{root_id}/delete", data={"csrf_token": csrf_token(client, "/admin/roots")})
    assert removed.status_code == 302
    assert "Chưa có chứng thư gốc nào" in _roots_page(client)
    assert state() == (False, False)
    db.session.rollback()
    assert db.session.get(Directive, directive["id"]).version == version  # nobody's edit is made stale


def test_an_intermediate_in_der_is_taken_as_a_root_too(client, tree, task):
    """A DER file works as a PEM one; trusting the CA right above the signer is enough."""
    client.post(f"/api/v1/tasks/{task.id}/evidence", headers=bearer(client, "mc.xa-a"),
                data={"file": (io.BytesIO(pki.signed_pdf()), "bao-cao.pdf")})
    login(client, "admin")
    assert _add_root(client, pki.intermediate().der, "trung-gian.cer").status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(Evidence.signatures))[0]["trusted"] is True


@pytest.mark.parametrize("data, name, message", [
    (b"day khong phai chung thu", "goc.cer", "không phải chứng thư số X.509"),
    (pki.signer().pem, "nguoi-ky.pem", "không phải chứng thư gốc"),
    (pki.root().pem + pki.root("khac").pem, "hai-goc.pem", "Tệp có 2 chứng thư"),
    (b"0" * (70 * 1024), "lon.cer", "Tệp quá lớn"),
])
def test_a_bad_root_file_is_refused_beside_the_field(client, tree, data, name, message):
    login(client, "admin")
    answer = _add_root(client, data, name)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert message in html
    assert re.search(r'<input class="form-control is-invalid" type="file" name="file"', html)
    assert db.session.scalar(select(TrustedRoot.id)) is None


def test_the_same_root_twice_is_refused(client, tree):
    login(client, "admin")
    assert _add_root(client, pki.root().pem, "goc.pem").status_code == 302
    again = _add_root(client, pki.root().der, "goc.cer")
    assert again.status_code == 422 and "đã có trong danh sách tin cậy" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(TrustedRoot)).all()) == 1


def test_roots_of_the_folder_are_trusted_and_listed(app, client, tree, task, tmp_path):
    (tmp_path / "goc.pem").write_bytes(pki.root().pem)
    (tmp_path / "ghi-chu.txt").write_text("không phải chứng thư")
    app.config["TRUSTED_ROOTS_DIR"] = str(tmp_path)
    try:
        answer = client.post(f"/api/v1/tasks/{task.id}/evidence", headers=bearer(client, "mc.xa-a"),
                             data={"file": (io.BytesIO(pki.signed_pdf()), "bao-cao.pdf")})
        assert answer.json["signatures"][0]["trusted"] is True
        login(client, "admin")
        page = _roots_page(client)
        assert "TRUSTED_ROOTS_DIR" in page and "CA thử nghiệm root" in page
    finally:
        app.config["TRUSTED_ROOTS_DIR"] = None


def test_verifying_again_follows_the_folder(app, client, tree, task, tmp_path):
    """A root put in the folder after the upload counts once the admin asks for a new check."""
    client.post(f"/api/v1/tasks/{task.id}/evidence", headers=bearer(client, "mc.xa-a"),
                data={"file": (io.BytesIO(pki.signed_pdf()), "bao-cao.pdf")})
    (tmp_path / "goc.cer").write_bytes(pki.root().der)
    app.config["TRUSTED_ROOTS_DIR"] = str(tmp_path)
    try:
        login(client, "admin")
        answer = client.post("/admin/roots/reverify", data={"csrf_token": csrf_token(client, "/admin/roots")})
        assert answer.status_code == 302
        db.session.rollback()
        assert db.session.scalar(select(Evidence.signatures))[0]["trusted"] is True
    finally:
        app.config["TRUSTED_ROOTS_DIR"] = None


def test_only_the_admin_reaches_the_roots_page(app, client, tree):
    login(client, "vanphong")
    assert client.get("/admin/roots").status_code == 404
    admin = app.test_client()
    login(admin, "admin")
    assert "Chứng thư gốc tin cậy" in _roots_page(admin)


def test_a_stored_file_gone_missing_keeps_what_was_found(client, tree, task):
    """Verifying again reads every signed file; one that cannot be read keeps its result rather than losing it."""
    from app.core import storage

    client.post(f"/api/v1/tasks/{task.id}/evidence", headers=bearer(client, "mc.xa-a"),
                data={"file": (io.BytesIO(pki.signed_pdf()), "bao-cao.pdf")})
    db.session.rollback()
    storage.delete(db.session.scalar(select(Evidence.stored_name)))
    trust.add_root(pki.root().der, tree.users["admin"])
    db.session.commit()
    db.session.rollback()
    (entry,) = db.session.scalar(select(Evidence.signatures))
    assert entry["signer"] == "Vũ Thị Hà" and entry["trusted"] is False
