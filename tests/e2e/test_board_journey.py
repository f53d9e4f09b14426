"""Issue 6 in a real browser: the office opens the reference directive's board, imports the figures,
sees the 9 lagging communes flagged, and downloads the Excel and the Word report."""

from io import BytesIO
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from app.core import clock
from app.directives import services
from app.directives.models import Directive
from app.extensions import db
from app.seed.services import seed_demo
from app.tasks import fanout
from tests.e2e.conftest import sign_in

FIGURES = Path(__file__).resolve().parents[1] / "reports" / "dvc_2022-04_tu_ky.csv"


def test_board_figures_and_downloads(live_server, page):
    seed_demo()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    directive = db.session.get(Directive, 1)
    fanout.publish(directive, None, services.target_units(directive, "all"))
    db.session.commit()
    sign_in(page, live_server, "vanphong")
    page.goto(live_server + "/directives/1")
    page.click("text=Bảng theo dõi")
    page.wait_for_selector(".board-cell")
    assert page.locator(".board-cell").count() == 92
    assert page.locator("#totals [data-group=no_deadline]").inner_text() == "69"
    page.locator(".board-cell").first.click()
    page.wait_for_selector("text=Loại:")
    assert "/tasks/" in page.url

    page.click("text=DVC trực tuyến")
    page.set_input_files("input[name=file]", str(FIGURES))
    page.click("button:has-text('Nhập số liệu')")
    page.wait_for_selector("text=Đã nhập số liệu của 23 đơn vị.")
    assert page.locator("tr.below-target").count() == 9
    assert "9 đơn vị chưa đạt chỉ tiêu" in page.inner_text("body")
    with page.expect_download() as excel:
        page.click("text=Tải Excel")
    sheet = load_workbook(BytesIO(Path(excel.value.path()).read_bytes())).active
    assert sheet["A1"].value == "Đơn vị" and sheet.max_row == 24

    page.goto(live_server + "/reports/directives/1")
    with page.expect_download() as word:
        page.click("text=Báo cáo Word")
    text = "\n".join(p.text for p in Document(BytesIO(Path(word.value.path()).read_bytes())).paragraphs)
    assert "Tổng số nhiệm vụ: 92" in text and "9 đơn vị chưa đạt chỉ tiêu" in text
