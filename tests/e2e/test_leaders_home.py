"""Issue 14 in a real browser: the district chair opens on the overview, on a desktop and on a phone; its counts
are the board's, and a count opens the board filtered to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.reports.test_overview import district  # noqa: F401  (the demo district the figures are tested on)

SHOTS = Path("/tmp/shots/overview")


def _group_counts(card) -> dict[str, int]:
    """The counts a directive's card shows, by group (a zero is plain text, not a link)."""
    counts = {}
    for badge in card.locator(".group-count").all():
        counts[badge.get_attribute("data-group")] = int(badge.locator(".count").inner_text().replace(".", ""))
    return counts


@pytest.mark.parametrize("device", ["page", "phone"])
def test_the_chair_opens_on_the_overview_and_a_count_opens_the_board(request, live_server, district, device):
    browser = request.getfixturevalue(device)
    width = 375 if device == "phone" else 1366
    sign_in(browser, live_server, "chutich")
    browser.goto(live_server + "/")
    expect(browser.locator("h1")).to_have_text("Tổng quan")
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.screenshot(path=str(SHOTS / f"overview-{width}.png"), full_page=True)
    assert browser.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling

    reference = district["reference"]
    card = browser.locator(f".overview-directive[data-directive='{reference}']")
    shown = _group_counts(card)
    assert shown["open_overdue"] == 90 and shown["done_late"] == 1
    assert browser.locator("[data-testid=overdue-unit]").first.locator(".unit-name").inner_text() == "Xã Hà Kỳ"
    assert browser.locator("[data-testid=missing-count]").inner_text() == "22"
    assert browser.locator("[data-testid=lagging-unit]").count() == 9

    card.locator("a[data-group=done_late]").click()
    browser.wait_for_url(f"**/reports/directives/{reference}?group=done_late")
    board = {key: int(browser.locator(f"#totals [data-group={key}]").inner_text().replace(".", "")) for key in shown}
    assert board == shown  # the overview counts what the board counts
    rows = browser.locator("table.board tbody tr")
    expect(rows).to_have_count(1)
    assert rows.first.locator("td").first.inner_text() == "Xã Quang Phục"
    browser.screenshot(path=str(SHOTS / f"board-filtered-{width}.png"), full_page=True)

    browser.go_back()
    browser.locator("[data-testid=all-tasks]").click()
    browser.wait_for_url("**/?view=tasks")
    expect(browser.locator("select[name=directive]")).to_be_visible()
