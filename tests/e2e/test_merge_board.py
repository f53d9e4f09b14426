"""Issue 18 in a real browser, without script: the board's new unit opens on its parts; the task page marks what
was carried from a merged commune."""

import pytest

from tests.e2e.conftest import WAIT_MS, sign_in
from tests.mergers.test_merge import first_task
from tests.mergers.test_merge_pages import BOARD, SHOTS, merged_after_done


@pytest.mark.parametrize("width", [375, 1366])
def test_in_a_browser_without_script_the_new_unit_opens_on_its_parts(client, runner, live_server, chromium, width):
    from playwright.sync_api import expect

    from tests.timing import patience

    state = merged_after_done(client, runner, ["dai-hop"])
    unit = state["unit"]
    context = chromium.new_context(locale="vi-VN", viewport={"width": width, "height": 800},
                                   java_script_enabled=False)
    browser = context.new_page()
    browser.set_default_timeout(patience(WAIT_MS))
    expect.set_options(timeout=patience(WAIT_MS))
    try:
        sign_in(browser, live_server, "vanphong")
        browser.goto(f"{live_server}{BOARD}")
        parts = browser.locator(f"tr[data-part-of='{unit.id}']")
        expect(parts).to_have_count(3)
        for index in range(3):
            expect(parts.nth(index)).to_be_hidden()
        browser.locator(f"tr[data-unit='{unit.id}'] summary").click()
        for index in range(3):
            expect(parts.nth(index)).to_be_visible()
        done = parts.filter(has_text="Xã Đại Hợp").locator(".board-cell")
        expect(done).to_have_count(4)
        assert browser.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        SHOTS.mkdir(parents=True, exist_ok=True)
        browser.locator(f"tbody:has(tr[data-unit='{unit.id}'])").screenshot(path=str(SHOTS / f"board-{width}.png"))
        browser.goto(f"{live_server}/tasks/{first_task('son-hop').id}")
        expect(browser.locator("#evidence-list .from-unit")).to_have_text("từ Xã Tái Sơn")
        browser.screenshot(path=str(SHOTS / f"task-{width}.png"), full_page=True)
    finally:
        context.close()
