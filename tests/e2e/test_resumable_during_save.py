"""A clerk presses "Lưu" on a slow line and, before the answer comes, chooses a 3 MB scan: the scan still goes up
in pieces with its progress line to the end, appears in the evidence list, and the figures typed before are saved
too: the save's answer (a new page for htmx) must neither stop the upload after its first piece nor lose its line.
Pressed "Nộp kết quả" instead, the task is handed in and the scan refused with its reason, sent only once."""

import hashlib
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.evidence.models import Evidence
from app.extensions import db
from tests.e2e.conftest import WAIT_MS, sign_in
from tests.e2e.test_task_page_phone import fresh, open_task, published  # noqa: F401  (the fixture)
from tests.evidence.test_resumable import pdf
from tests.timing import patience

SHOTS = Path("/tmp/h1shots")
PIECE = 1024 * 1024
FIGURES = {"total": "1.200", "online_level3": "100", "online_level4": "50", "settled_online": "120"}


def until(page, held: list) -> None:
    """Let the browser run until a route handler has held a request (the handlers run while Playwright waits)."""
    deadline = time.monotonic() + patience(WAIT_MS) / 1000
    while not held:
        assert time.monotonic() < deadline, "the request never left the browser"
        page.wait_for_timeout(50)


def scan_chosen_while_saving(page, base, task_id, scan, width, button="Lưu"):
    """Type the figures, press `button`, choose the scan before the answer, then let the answer through; the scan's
    first piece (returned) is held on its way."""
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, base, "mc.tai-son")
    open_task(page, base, task_id)
    # What the progress line says, kept in the tab's storage: it would outlive a new page too.
    page.evaluate("""() => { sessionStorage.setItem('said', '[]');
        new MutationObserver(() => { const line = document.getElementById('resumable-status');
            const said = JSON.parse(sessionStorage.getItem('said'));
            if (line && said[said.length - 1] !== line.textContent) said.push(line.textContent);
            sessionStorage.setItem('said', JSON.stringify(said)); })
          .observe(document.body, {childList: true, characterData: true, subtree: true}); }""")
    saves, pieces = [], []
    save_url = re.compile(rf".*/tasks/{task_id}/work$")
    page.route(save_url, lambda route: saves.append(route))
    page.route(re.compile(rf".*/tasks/{task_id}/uploads/.+"),
               lambda route: pieces.append(route) if route.request.method == "PATCH" and not pieces
               else route.continue_())
    for name, value in FIGURES.items():
        page.fill(f"input[name={name}]", value)
    page.click(f"#work-form button:text-is('{button}')")
    until(page, saves)  # the save is on its way: its answer held back, as on a slow line
    page.set_input_files("#work-files", str(scan))
    until(page, pieces)  # the upload was created and its first piece is leaving
    page.screenshot(path=str(SHOTS / f"chosen-while-saving-{width}.png"), full_page=True)
    page.unroute(save_url)  # this save only: later ones go as they come
    saves[0].continue_()
    return pieces[0]


@pytest.mark.parametrize(("browser_page", "width"), [("phone", 375), ("page", 1366)])
def test_a_large_scan_chosen_while_the_figures_are_saved_goes_up_and_the_figures_are_kept(
        live_server, published, tmp_path, request, browser_page, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab = request.getfixturevalue(browser_page)
    task_id = published["figures"]
    scan = tmp_path / "Biên bản kiểm tra (bản quét).pdf"
    scan.write_bytes(pdf(3 * PIECE + 4321))
    tab.emulate_media(reduced_motion="reduce")  # the bar drawn at once, for the screenshots
    piece = scan_chosen_while_saving(tab, live_server, task_id, scan, width)
    tab.wait_for_selector(".alert:has-text('Đã lưu.')")  # the save is answered; the first piece still on its way
    tab.screenshot(path=str(SHOTS / f"saved-while-uploading-{width}.png"), full_page=True)
    expect(tab.locator("#resumable-status")).to_have_text(
        re.compile(rf"Đang (chuẩn bị tải lên|tải lên \d+%…) «{re.escape(scan.name)}».*"))
    expect(tab.locator("#resumable-progress")).to_be_visible()
    expect(tab.locator("#work-form button[type=submit]:enabled")).to_have_count(0)  # no hand-in without the scan
    piece.continue_()

    link = tab.wait_for_selector(f"#evidence-list a:text-is('{scan.name}')")
    tab.wait_for_selector(".alert:has-text('Đã lưu.')")
    said = tab.evaluate("JSON.parse(sessionStorage.getItem('said'))")
    assert tab.inner_text("#resumable-status") == f"Đã tải lên «{scan.name}»."
    assert tab.get_attribute("#resumable-progress", "aria-valuenow") == "100"
    assert any(re.fullmatch(rf"Đang tải lên (33|66)%… «{re.escape(scan.name)}».*", text) for text in said), said
    download = tab.request.get(live_server + link.get_attribute("href"))
    assert hashlib.sha256(download.body()).hexdigest() == hashlib.sha256(scan.read_bytes()).hexdigest()
    assert {name: tab.input_value(f"input[name={name}]") for name in FIGURES} == FIGURES
    assert tab.locator("#work-form button[type=submit]:disabled").count() == 0
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    tab.screenshot(path=str(SHOTS / f"uploaded-after-save-{width}.png"), full_page=True)
    assert fresh(task_id).data["figures"] == {"total": 1200, "online_level3": 100, "online_level4": 50,
                                              "settled_online": 120, "period": "2022-05"}

    tab.fill("input[name=total]", "1.300")  # the page read in place holds the task as saved: a new save is taken
    with tab.expect_navigation():
        tab.click("#work-form button:text-is('Lưu')")
    tab.wait_for_selector(".alert:has-text('Đã lưu.')")
    assert fresh(task_id).data["figures"]["total"] == 1300
    evidence = db.session.scalars(select(Evidence).where(Evidence.task_id == task_id)).all()
    assert [(e.filename, e.sha256) for e in evidence] == [(scan.name, hashlib.sha256(scan.read_bytes()).hexdigest())]


def test_a_large_scan_chosen_while_handing_in_is_refused_with_its_reason_and_sent_once(
        live_server, phone, published, tmp_path):
    task_id = published["figures"]
    scan = tmp_path / "Biên bản.pdf"
    scan.write_bytes(pdf(3 * PIECE + 5))
    created = []
    phone.on("request", lambda r: created.append(r.url) if r.method == "POST" and r.url.endswith("/uploads") else None)
    piece = scan_chosen_while_saving(phone, live_server, task_id, scan, 375, button="Nộp kết quả")
    phone.wait_for_selector(".alert:has-text('Đã nộp, chờ Văn phòng duyệt.')")
    piece.continue_()  # the scan goes on to its last byte, and is refused then: the task no longer takes files

    refusal = phone.wait_for_selector("#resumable-error")
    assert refusal.inner_text() == ("Chưa tải lên được «Biên bản.pdf»: Nhiệm vụ đã nộp hoặc đã hoàn thành: "
                                    "không thêm tệp được nữa.")
    assert len(created) == 1, created  # not sent again from its first byte
    assert phone.inner_text("#evidence-list") == "Chưa có tệp nào."
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(SHOTS / "refused-after-hand-in-375.png"), full_page=True)
    task = fresh(task_id)
    assert (task.state, task.data["figures"]["total"]) == ("submitted", 1200)
