"""Issue 14 in a real browser, on a phone and on a desk: the office uploads the one-stop software's export; a
name it cannot tell apart is refused beside the file field with its line and the closest units, then the
corrected file is imported and the ranking shows the nine communes below target."""

from pathlib import Path

import pytest

from app.core import clock
from app.extensions import db
from app.seed.services import seed_demo
from tests.e2e.conftest import sign_in
from tests.reports.test_figures_import import WRITTEN, as_csv, as_xlsx, one_stop_rows

SHOTS = Path("/tmp/shots/figures")


@pytest.mark.parametrize("size", ["phone", "page"])
def test_a_one_stop_export_with_a_bad_name_then_the_good_one(live_server, request, tmp_path, size):
    browser = request.getfixturevalue(size)
    seed_demo()
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    bad, good = tmp_path / "mot-cua-thang-4.xlsx", tmp_path / "mot-cua-thang-4.csv"
    bad.write_bytes(as_xlsx(one_stop_rows({**WRITTEN, "tai-son": "Xã Tai Sen"})))
    good.write_bytes(as_csv(one_stop_rows()))
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = 375 if size == "phone" else 1366

    sign_in(browser, live_server, "vanphong")
    browser.goto(live_server + "/reports/figures")
    browser.set_input_files("#figures-file", str(bad))
    browser.click("button:has-text('Nhập số liệu')")
    message = browser.locator("#figures-file ~ .invalid-feedback")
    message.wait_for()
    assert message.inner_text() == ("Dòng 10: không nhận ra đơn vị “Xã Tai Sen”; gần nhất: Xã Tái Sơn, "
                                    "Xã Đại Sơn.")
    assert "is-invalid" in browser.get_attribute("#figures-file", "class")
    assert browser.locator("table.figures").count() == 0  # nothing of the file was stored
    message.scroll_into_view_if_needed()
    browser.screenshot(path=str(SHOTS / f"refused-{width}.png"), full_page=True)
    box = message.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width  # readable without scrolling sideways

    browser.set_input_files("#figures-file", str(good))
    browser.click("button:has-text('Nhập số liệu')")
    browser.wait_for_selector("text=Đã nhập số liệu của 23 đơn vị.")
    assert "tháng 04/2022" in browser.inner_text("h1")
    assert browser.locator("tr.below-target").count() == 9
    first = browser.locator("table.figures tbody tr").first.inner_text()
    assert "Tân Kỳ" in first or "Quang Khải" in first or "Phượng Kỳ" in first  # no online dossier at all
    browser.screenshot(path=str(SHOTS / f"imported-{width}.png"), full_page=True)
