"""Signature badges in Chromium at 375 and 1366 px (issue 19): each evidence file of a task and the draft taken in
from a signed PDF say, in words and colour, who signed and whether to believe it; an unsigned file says nothing.
The admin adds the root on its page, and the amber badge turns green."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.auth.models import User
from app.evidence import trust
from app.extensions import db
from app.units.models import Unit
from bench.documents import font_path, text_pdf
from tests import factories
from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import _axe, _blocking
from tests.factories import PASSWORD
from tests.signatures import pki

SHOTS = Path("/tmp/shots/signatures")
GREEN = "Đã ký số: UBND huyện Tứ Kỳ, 20/05/2022 09:14 — nguyên vẹn"
AMBER = "Đã ký số: Sở Thông tin và Truyền thông, 20/05/2022 09:14 — chưa tin cậy chứng thư gốc"
RED = "Chữ ký không hợp lệ / văn bản đã bị sửa sau khi ký"


@pytest.fixture
def world(app, tree):
    """Commune A's task with four files (signed and trusted, signed under an unknown root, changed after
    signing, unsigned) and a draft taken in from a signed PDF; the test root trusted.

    Built on a thread of its own: Playwright's sync API keeps an event loop running on this one, and pyHanko
    signs and verifies through asyncio.run, which refuses to start inside a running loop."""
    ids = {"admin": tree.users["admin"].id, "district": tree.district.id, "commune": tree.commune_a.id}
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(_build, app, ids).result()


def _build(app, ids: dict) -> dict:
    """The world's rows and files, through the API as a commune and an office would send them."""
    with app.app_context():
        trust.add_root(pki.root().der, db.session.get(User, ids["admin"]))
        directive = factories.make_directive(db.session.get(Unit, ids["district"]), number="12/UBND-VP")
        requirement = factories.make_requirement(directive, "Báo cáo có chữ ký số")
        task = factories.make_task(requirement, db.session.get(Unit, ids["commune"]))
        db.session.commit()
        task_id = task.id
    stranger = pki.signer("Lê Minh Tuấn", "Sở Thông tin và Truyền thông", root_label="khac")
    files = {"Báo cáo tháng 5 (bản ký số).pdf": pki.signed_pdf(),
             "Kế hoạch của Sở.pdf": pki.signed_pdf(identity=stranger),
             "Bản đã sửa sau khi ký.pdf": pki.modified_after_signing(pki.signed_pdf()),
             "Ảnh chụp.pdf": pki.plain_pdf()}
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "mc.xa-a", "password": PASSWORD}).json["token"]
    for name, data in files.items():
        answer = client.post(f"/api/v1/tasks/{task_id}/evidence", headers={"Authorization": f"Bearer {token}"},
                             data={"file": (io.BytesIO(data), name)})
        assert answer.status_code == 201
    font_path()
    pdf = pki.signed_pdf(text_pdf([["Kính gửi: Chủ tịch UBND các xã, thị trấn.",
                                    "1. Các xã báo cáo kết quả chuyển đổi số trước ngày 15/6/2022."]]))
    token = client.post("/api/v1/auth/token", json={"username": "vanphong", "password": PASSWORD}).json["token"]
    draft = client.post("/api/v1/directives", headers={"Authorization": f"Bearer {token}"},
                        data={"file": (io.BytesIO(pdf), "cong-van-479.pdf")}).json
    return {"task": task_id, "draft": draft["id"]}


def _fits(page, width: int) -> None:
    """Nothing spills sideways: the page, and each badge, within the screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for box in page.locator(".signature-badge").evaluate_all("els => els.map(e => e.getBoundingClientRect().right)"):
        assert box <= width


@pytest.mark.parametrize("width", [375, 1366])
def test_badges_on_the_task_and_the_draft(live_server, chromium, world, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(locale="vi-VN", viewport={"width": width, "height": 900},
                                   is_mobile=width < 500, has_touch=width < 500)
    page = context.new_page()
    try:
        sign_in(page, live_server, "vanphong", PASSWORD)
        page.goto(f"{live_server}/tasks/{world['task']}")
        items = page.locator("#evidence-list > li")
        assert items.count() == 4
        expected = {"Báo cáo tháng 5 (bản ký số).pdf": ("ok", GREEN), "Kế hoạch của Sở.pdf": ("untrusted", AMBER),
                    "Bản đã sửa sau khi ký.pdf": ("bad", RED), "Ảnh chụp.pdf": None}
        for name, badge in expected.items():
            item = page.locator("#evidence-list > li", has_text=name)
            shown = item.locator(".signature-badge")
            if badge is None:
                assert shown.count() == 0
                continue
            assert shown.is_visible()
            assert shown.inner_text().strip() == badge[1]
            assert shown.get_attribute("data-level") == badge[0]
        colours = page.locator(".signature-badge").evaluate_all(
            "els => els.map(e => getComputedStyle(e).backgroundColor)")
        assert len(set(colours)) == 3  # green, amber, red: and the words say it too
        _fits(page, width)
        page.screenshot(path=str(SHOTS / f"task-{width}.png"), full_page=True)
        details = page.locator("#evidence-list > li", has_text="Kế hoạch của Sở.pdf").locator("summary")
        details.click()
        assert page.get_by_text("Lê Minh Tuấn (Sở Thông tin và Truyền thông), 20/05/2022 09:14: nguyên vẹn; "
                                "chưa tin cậy chứng thư gốc").is_visible()
        assert not _blocking(_axe(page))
        page.screenshot(path=str(SHOTS / f"task-details-{width}.png"), full_page=True)

        page.goto(f"{live_server}/directives/{world['draft']}/edit")
        badge = page.locator("#directive-signatures .signature-badge")
        assert badge.inner_text().strip() == GREEN
        assert page.input_value("input[name=signer_name]") == "Vũ Thị Hà"
        assert page.input_value("input[name=issuer_name]") == "UBND huyện Tứ Kỳ"
        _fits(page, width)
        page.screenshot(path=str(SHOTS / f"draft-{width}.png"))
    finally:
        context.close()


def test_the_admin_trusts_a_root_and_the_amber_badge_turns_green(live_server, page, world, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "admin", PASSWORD)
    page.click("a.dropdown-toggle:has-text('admin')")  # the page is one of the admin's own menu
    page.click("text=Chứng thư gốc tin cậy")
    page.wait_for_selector("h1:has-text('Chứng thư gốc tin cậy')")
    _fits(page, 1366)
    # Three signed evidence files and the signed draft; the unsigned photo is not read again.
    assert page.locator("button:has-text('Kiểm tra lại chữ ký của 4 tệp đã nhận có ký số')").is_visible()
    bad = tmp_path / "ghi-chu.cer"
    bad.write_text("không phải chứng thư")
    page.set_input_files("#root-file", str(bad))
    page.click("button:has-text('Thêm')")
    page.wait_for_selector(".invalid-feedback:has-text('không phải chứng thư số X.509')")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "roots-refused-1366.png"), full_page=True)
    other = tmp_path / "goc-khac.pem"
    other.write_bytes(pki.root("khac").pem)
    page.set_input_files("#root-file", str(other))
    page.click("button:has-text('Thêm')")
    page.wait_for_selector("text=Đã thêm chứng thư gốc.")
    assert page.locator(".trusted-root").count() == 2
    assert not _blocking(_axe(page))
    page.screenshot(path=str(SHOTS / "roots-1366.png"), full_page=True)
    page.goto(f"{live_server}/tasks/{world['task']}")
    shown = page.locator("#evidence-list > li", has_text="Kế hoạch của Sở.pdf").locator(".signature-badge")
    assert shown.get_attribute("data-level") == "ok"
    assert shown.inner_text().strip() == AMBER.replace("chưa tin cậy chứng thư gốc", "nguyên vẹn")
