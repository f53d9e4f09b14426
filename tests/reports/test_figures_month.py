"""Issue 14: the figures page and the follow-up draft look at the latest month with figures unless told, and the
draft says so when the month chosen has none instead of naming no unit in silence."""

import io
import re

from app.auth.models import User
from app.core import clock
from app.directives.models import Directive
from app.extensions import db
from app.indicators.queries import figure_periods, latest_period
from tests.conftest import csrf_token, login
from tests.directives.test_followup import FIGURES, LAGGING, bearer, reference_published

NO_FIGURES = ("Tháng 06/2022 chưa có số liệu dịch vụ công trực tuyến nên dự thảo không nêu tên đơn vị nào chưa "
              "đạt chỉ tiêu. Hãy chọn tháng 04/2022 (tháng gần nhất có số liệu) hoặc nhập số liệu tháng 06/2022 "
              "rồi soạn lại.")


def import_march(client):
    """March's figures too, a month before the reference's April."""
    march = FIGURES.read_text().replace("2022-04", "03/2022").encode()
    response = client.post("/api/v1/indicators/import", headers=bearer(client), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(march), "dvc-03.csv")})
    assert response.json == {"rows": 23}


def test_the_figures_page_opens_on_the_latest_month_with_figures(client):
    reference_published(client)  # April's figures; today is 01/06/2022
    import_march(client)
    login(client, "vanphong", "demo-2022")
    html = client.get("/reports/figures").get_data(as_text=True)
    assert "tháng 04/2022" in html and html.count("below-target") == 9
    options = re.findall(r'<option value="([^"]+)"\s*(selected)?', html)
    assert options == [("2022-04", "selected"), ("2022-03", "")]
    march = client.get("/reports/figures?period=2022-03").get_data(as_text=True)
    assert "tháng 03/2022" in march
    office = db.session.scalar(db.select(User).where(User.username == "vanphong"))
    assert figure_periods(office) == ["2022-04", "2022-03"] and latest_period(office) == "2022-04"


def test_a_commune_sees_its_own_months_only(client):
    reference_published(client)
    commune = db.session.scalar(db.select(User).where(User.username == "ct.tai-son"))
    assert figure_periods(commune) == ["2022-04"]


def test_without_figures_the_page_shows_this_month(client):
    from app.seed.services import seed_demo

    seed_demo()
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-06-01T09:00:00"))
    login(client, "vanphong", "demo-2022")
    html = client.get("/reports/figures").get_data(as_text=True)
    assert "tháng 06/2022" in html and "Chưa có số liệu tháng này." in html


def test_the_follow_up_form_offers_the_latest_month_and_the_draft_warns_of_a_month_without_figures(client):
    reference_published(client)
    login(client, "vanphong", "demo-2022")
    page = client.get("/directives/1").get_data(as_text=True)
    assert re.search(r'name="period"[^>]*value="04/2022"', page)  # not June, which has no figures yet
    token = csrf_token(client, "/directives/1")
    drafted = client.post("/directives/1/follow-up", data={"csrf_token": token, "period": "06/2022",
                                                           "rule": "below_target"},
                          follow_redirects=True)
    html = drafted.get_data(as_text=True)
    assert drafted.status_code == 200 and "Đã soạn dự thảo văn bản đôn đốc." in html
    assert re.search(r'class="alert alert-warning[^"]*"[^>]*>' + re.escape(NO_FIGURES), html)
    good = client.post("/directives/1/follow-up", data={"csrf_token": token, "period": "04/2022",
                                                        "rule": "below_target"}, follow_redirects=True)
    assert "alert-warning" not in good.get_data(as_text=True)
    assert "Tái Sơn" in good.get_data(as_text=True)


def test_the_api_draft_defaults_to_the_latest_month_and_carries_the_warning(client):
    reference_published(client)
    latest = client.post("/api/v1/directives/1/follow-up", headers=bearer(client), json={"name": "below_target"})
    assert latest.status_code == 201 and latest.json["warnings"] == []
    assert {n["name"] for n in latest.json["named_units"]} == LAGGING  # April's, not June's empty month
    empty = client.post("/api/v1/directives/1/follow-up", headers=bearer(client),
                        json={"period": "2022-06", "name": "below_target"})
    assert empty.json["warnings"] == [NO_FIGURES] and empty.json["state"] == "draft"
    overdue = client.post("/api/v1/directives/1/follow-up", headers=bearer(client),
                          json={"period": "2022-06", "name": "overdue"})
    assert overdue.json["warnings"] == [NO_FIGURES.replace(
        "không nêu tên đơn vị nào chưa đạt chỉ tiêu", "không có đoạn về kết quả tiếp nhận hồ sơ trực tuyến")]


def test_the_demo_follow_up_has_the_subject_an_office_writes(client):
    reference_published(client)  # numbered 520/UBND-VP of 20/05/2022
    body = client.post("/api/v1/directives/1/follow-up", headers=bearer(client), json={"name": "overdue"}).json
    assert body["subject"] == "Đôn đốc thực hiện Công văn số 520/UBND-VP ngày 20/05/2022"
    directive = db.session.get(Directive, 1)
    directive.number, directive.issued_on = None, None  # published without a number or a date
    db.session.commit()
    body = client.post("/api/v1/directives/1/follow-up", headers=bearer(client), json={"name": "overdue"}).json
    # Without a number or a date, the draft cites what the dispatch is about: the subject the office typed …
    assert body["subject"] == ("Đôn đốc thực hiện Công văn về việc tiếp tục thực hiện giải quyết thủ tục hành chính "
                               "qua dịch vụ công trực tuyến mức độ 3, 4")
    directive.subject = None
    db.session.commit()
    body = client.post("/api/v1/directives/1/follow-up", headers=bearer(client), json={"name": "overdue"}).json
    # … or, with no subject either, what its own text says it is about.
    assert body["subject"] == ("Đôn đốc thực hiện Công văn về việc giải quyết TTHC qua dịch vụ công trực tuyến "
                               "mức độ 3, 4")
