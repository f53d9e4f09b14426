"""Issue 7 in a real browser: from the demo, the office drafts, edits, downloads and publishes the follow-up
of the reference directive, well within five minutes."""

import time
from io import BytesIO
from pathlib import Path

from docx import Document

from app.core import clock
from app.extensions import db
from app.seed.services import seed_demo
from tests.e2e.conftest import sign_in

FIGURES = Path(__file__).resolve().parents[1] / "reports" / "dvc_2022-04_tu_ky.csv"


def test_office_drafts_edits_downloads_and_publishes_the_follow_up(live_server, page):
    seed_demo()
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    started = time.monotonic()
    sign_in(page, live_server, "vanphong")
    page.goto(live_server + "/directives/1/edit")
    page.fill("input[name=number]", "520/UBND-VP")
    page.fill("input[name=issued_on]", "20/05/2022")
    page.click("button:has-text('Lưu dự thảo')")
    page.wait_for_selector("text=Đã lưu dự thảo.")
    page.click("text=Xem và ban hành")
    page.click("button:has-text('Ban hành')")
    page.click("button:has-text('Xác nhận ban hành')")
    page.wait_for_selector("text=Đã ban hành và giao 92 nhiệm vụ.")
    page.click("text=DVC trực tuyến")
    page.set_input_files("input[name=file]", str(FIGURES))
    page.click("button:has-text('Nhập số liệu')")
    page.wait_for_selector("text=Đã nhập số liệu của 23 đơn vị.")

    page.goto(live_server + "/directives/1")
    page.fill("#follow-up input[name=period]", "04/2022")
    page.click("button:has-text('Soạn dự thảo')")
    page.wait_for_selector("text=Đã soạn dự thảo văn bản đôn đốc.")
    assert "Tái Sơn" in page.content() and "520/UBND-VP" in page.content()
    page.fill("textarea[name=subject]", "Đôn đốc thực hiện Công văn số 520/UBND-VP ngày 20/05/2022")
    page.click("button:has-text('Lưu dự thảo')")
    page.wait_for_selector("text=Đã lưu dự thảo.")
    page.click("text=Xem và ban hành")
    with page.expect_download() as word:
        page.click("text=Tải Word")
    text = "\n".join(p.text for p in Document(BytesIO(Path(word.value.path()).read_bytes())).paragraphs)
    assert "Công văn số 520/UBND-VP" in text and "Tái Sơn" in text
    page.check("input[value=named]")
    page.click("button:has-text('Ban hành')")
    page.check("input[name=unnumbered]")
    page.click("button:has-text('Xác nhận ban hành')")
    page.wait_for_selector("text=Đã ban hành và giao")
    assert "Đã ban hành và giao 45 nhiệm vụ." in page.inner_text("body")  # 5 requirements x 9 named communes
    assert page.locator("text=Công văn số 520/UBND-VP").count() or "520/UBND-VP" in page.content()
    assert time.monotonic() - started < 300
