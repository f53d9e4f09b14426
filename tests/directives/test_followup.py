"""The next follow-up dispatch drafted from the data (issue 7): the round trip through Word and the extractor."""

import io
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm

from app.core import clock
from app.directives import services
from app.directives.extraction import extract
from app.directives.models import Directive
from app.directives.reading import read_document
from app.extensions import db
from app.seed.services import seed_demo
from app.tasks import fanout

FIGURES = Path(__file__).resolve().parents[1] / "reports" / "dvc_2022-04_tu_ky.csv"
LAGGING = {"Tái Sơn", "Quang Phục", "Phượng Kỳ", "Tiên Động", "Hà Kỳ", "Quang Khải", "Tân Kỳ", "Văn Tố", "Đại Hợp"}


def bearer(client):
    token = client.post("/api/v1/auth/token", json={"username": "vanphong", "password": "demo-2022"}).json["token"]
    return {"Authorization": f"Bearer {token}"}


def reference_published(client):
    """The reference directive numbered and dated by the office, published, April's figures imported."""
    seed_demo()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    directive = db.session.get(Directive, 1)
    directive.number, directive.issued_on = "520/UBND-VP", date(2022, 5, 20)
    fanout.publish(directive, None, services.target_units(directive, "all"))
    db.session.commit()
    client.post("/api/v1/indicators/import", headers=bearer(client), content_type="multipart/form-data",
                data={"file": (io.BytesIO(FIGURES.read_bytes()), "dvc.csv")})
    clock.freeze(clock.parse_instant("2022-06-01T09:00:00"))


def draft(client, **body):
    return client.post("/api/v1/directives/1/follow-up", headers=bearer(client), json=body)


def test_the_draft_names_the_nine_communes_below_target_and_cites_the_directive(client):
    reference_published(client)
    response = draft(client, period="2022-04", name="below_target")
    assert response.status_code == 201
    body = response.json
    assert {n["name"] for n in body["named_units"]} == LAGGING and all(n["unit_id"] for n in body["named_units"])
    assert body["references"][0] == {"number": "520/UBND-VP", "issued_on": "2022-05-20", "directive_id": 1}
    assert body["state"] == "draft" and body["follows_id"] == 1
    assert any("để p/h chỉ đạo" in r and "Tái Sơn" in r for r in body["recipients"])
    assert body["requirements"][-1]["deadline"] == {"kind": "relative", "days": 5, "working_days": True,
                                                    "from": "receipt"}


def test_the_word_draft_reads_back_the_same(client):
    reference_published(client)
    body = draft(client, period="2022-04", name="below_target").json
    data = client.get(f"/api/v1/directives/{body['id']}.docx", headers=bearer(client)).data
    read = extract(read_document(data, "du-thao.docx").text)
    assert [(r["label"], r["text"], r["deadline"]) for r in read["requirements"]] == \
           [(r["label"], r["text"], r["deadline"]) for r in body["requirements"]]
    assert set(read["named_units"]) == LAGGING
    assert read["references"][0] == {"number": "520/UBND-VP", "issued_on": "2022-05-20"}
    assert read["subject"] == body["subject"] and read["signer"] == {"name": "Vũ Thị Hà", "title": "CHỦ TỊCH"}
    assert read["number"] is None  # "Số:    /UBND-VP" is left for the office


def test_the_word_draft_has_the_decrees_layout(client):
    reference_published(client)
    body = draft(client, period="2022-04", name="overdue").json
    document = Document(io.BytesIO(client.get(f"/api/v1/directives/{body['id']}.docx", headers=bearer(client)).data))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    assert abs(section.left_margin - Mm(30)) < Mm(0.5) and abs(section.right_margin - Mm(15)) < Mm(0.5)
    runs = [run for p in document.paragraphs for run in p.runs if run.text.strip()]
    runs += [run for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs
             for run in p.runs if run.text.strip()]
    assert {run.font.name for run in runs} == {"Times New Roman"}
    header = document.tables[0].rows[0].cells
    assert "UBND HUYỆN TỨ KỲ" in header[0].text and "Số:" in header[0].text and "V/v" in header[0].text
    assert "Độc lập - Tự do - Hạnh phúc" in header[1].text and "Tứ Kỳ, ngày" in header[1].text


def test_other_rules_and_bad_requests(client):
    reference_published(client)
    overdue = draft(client, period="2022-05", name="overdue").json  # the monthly report due 25/05 is overdue
    assert len(overdue["named_units"]) == 23
    missed = draft(client, period="2022-05", name="missed_report").json
    assert len(missed["named_units"]) == 23
    from app.units.queries import by_slug

    picked = draft(client, period="2022-04", name=[by_slug("ha-ky").id]).json
    assert [n["name"] for n in picked["named_units"]] == ["Hà Kỳ"]
    assert draft(client, period="04/2022", name="overdue").status_code == 422
    assert draft(client, period="2022-04", name="whoever").status_code == 422
    assert client.post(f"/api/v1/directives/{picked['id']}/follow-up", headers=bearer(client),
                       json={"name": "overdue"}).status_code == 422  # a draft cannot be followed up


def test_the_office_edits_the_wording(client):
    reference_published(client)
    from tests.conftest import csrf_token, login

    login(client, "vanphong", "demo-2022")
    client.post("/directives/wording", data={"csrf_token": csrf_token(client, "/directives/wording"),
                                             "subject": "Đôn đốc thực hiện {cited}"})
    assert draft(client, period="2022-04", name="below_target").json["subject"].startswith("Đôn đốc thực hiện")
    bad = client.post("/directives/wording", data={"csrf_token": csrf_token(client, "/directives/wording"),
                                                   "subject": "Đôn đốc {khong_co}"}, follow_redirects=True)
    assert "khong_co" in bad.get_data(as_text=True)


@pytest.mark.parametrize("typed, message", [
    ("Tiếp tục thực hiện {cited:>5000000}", "chỗ trống chỉ được viết {tên}"),
    ("Tiếp tục thực hiện {cited.__class__.__mro__}", "chỗ trống chỉ được viết {tên}"),
    ("Tiếp tục thực hiện {cited[0]}", "chỗ trống chỉ được viết {tên}"),
    ("Tiếp tục " + "thực hiện " * 300 + "{cited}", "tối đa 2000"),
])
def test_a_wording_template_only_substitutes_its_own_names(client, typed, message):
    """`{cited:>5000000}` made a 5 MB subject and `{cited.__class__.__mro__}` reached into objects (issue 12.7)."""
    reference_published(client)
    from tests.conftest import csrf_token, login

    login(client, "vanphong", "demo-2022")
    bad = client.post("/directives/wording", data={"csrf_token": csrf_token(client, "/directives/wording"),
                                                   "subject": typed})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and message in page
    subject = draft(client, period="2022-04", name="below_target").json["subject"]
    assert subject.startswith("Đôn đốc thực hiện") and len(subject) < 500 and "class" not in subject
