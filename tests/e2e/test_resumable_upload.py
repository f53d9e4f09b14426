"""A 3 MB scan chosen on the task page goes up in pieces (tus) with its progress in Vietnamese, survives a dropped
line by asking the server where to go on from, and appears in the evidence list without the page reloading."""

import hashlib
import re
from pathlib import Path

from sqlalchemy import select

from app.evidence.models import Evidence
from app.extensions import db
from tests.e2e.conftest import sign_in
from tests.e2e.test_task_page_phone import open_task, published  # noqa: F401  (the fixture)
from tests.evidence.test_resumable import pdf

SHOTS = Path("/tmp/shots/resumable")
PIECE = 1024 * 1024


def test_a_large_scan_goes_up_in_pieces_and_resumes_after_the_line_drops(live_server, phone, published, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    task_id = published["action"]
    scan = tmp_path / "Biên bản kiểm tra (bản quét).pdf"
    scan.write_bytes(pdf(3 * PIECE + 4321))
    phone.emulate_media(reduced_motion="reduce")  # the bar drawn at once, for the screenshots
    sign_in(phone, live_server, "mc.tai-son")
    open_task(phone, live_server, task_id)
    phone.evaluate("""() => { window.__said = []; const line = document.getElementById('resumable-status');
        new MutationObserver(() => window.__said.push(line.textContent))
            .observe(line, {childList: true, characterData: true, subtree: true}); }""")
    dropped = []

    def drop_the_second_piece_once(route):
        request = route.request
        if request.method == "PATCH" and request.headers.get("upload-offset") == str(PIECE) and not dropped:
            dropped.append(request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    phone.route(re.compile(r".*/tasks/\d+/uploads.*"), drop_the_second_piece_once)
    phone.set_input_files("#work-files", str(scan))
    phone.wait_for_selector("#resumable-status:has-text('Mất kết nối: thử lại sau 1 giây… (đã tải lên 33%)')")
    phone.screenshot(path=str(SHOTS / "line-dropped-375.png"), full_page=True)
    phone.wait_for_selector(f"#resumable-status:has-text('Đã tải lên «{scan.name}».')")
    phone.wait_for_selector(f"#evidence-list a:text-is('{scan.name}')")

    said = phone.evaluate("window.__said")
    assert any(re.fullmatch(rf"Đang tải lên (33|66)%… «{re.escape(scan.name)}»", text) for text in said), said
    assert dropped, "the second piece never left"
    assert phone.evaluate("window.__notReloaded") is True  # the list was read again in place
    assert phone.evaluate("document.getElementById('work-files').files.length") == 0  # not sent again with the form
    assert phone.locator("#work-form button[type=submit]:disabled").count() == 0
    assert phone.get_attribute("#resumable-progress", "aria-valuenow") == "100"
    assert f"Tải lên minh chứng: {scan.name}" in phone.inner_text(".history")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(SHOTS / "uploaded-375.png"), full_page=True)

    program = tmp_path / "Ảnh hiện trường.pdf"  # a Windows program renamed: judged when its last byte arrives
    program.write_bytes(b"MZ\x90\x00" * (PIECE // 2))
    phone.set_input_files("#work-files", str(program))
    phone.wait_for_selector("#resumable-error:has-text('là chương trình chạy được (Windows), không được nhận')")
    assert f"Chưa tải lên được «{program.name}»" in phone.inner_text("#resumable-error")
    assert phone.locator("#evidence-list a").count() == 1
    phone.set_viewport_size({"width": 1366, "height": 900})
    phone.screenshot(path=str(SHOTS / "refused-1366.png"), full_page=True)

    db.session.rollback()
    evidence = db.session.scalars(select(Evidence).where(Evidence.task_id == task_id)).all()
    assert [(e.filename, e.sha256) for e in evidence] == [(scan.name, hashlib.sha256(scan.read_bytes()).hexdigest())]
