"""Issue 14 in Chromium: a commune chair's inbox on a phone (375 px) is a card per task in the order to act
(returned, overdue, due soon, open, handed in, done) with no 'Đơn vị'; at 1366 px it is a table. Handed-in
and returned tasks have their own colours on cards, rows and badges. The office's review queue too."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.tasks.inbox_demo import build_inbox

SHOTS = Path("/tmp/shots/lists")
HEADINGS = ["Bị trả lại", "Quá hạn", "Sắp đến hạn", "Đang thực hiện", "Chờ duyệt", "Hoàn thành"]
#: The left edges app.css draws (computed colours): returned amber, handed in teal, overdue red, due soon orange.
RETURNED, SUBMITTED, OVERDUE, SOON = "rgb(184, 138, 0)", "rgb(15, 123, 138)", "rgb(220, 53, 69)", "rgb(232, 89, 12)"
#: Each card's left edge and its state badge's background, by the card's place in the inbox.
EDGE = "(el) => getComputedStyle(el).borderLeftColor + ' ' + getComputedStyle(el).borderLeftWidth"
FIRST_CELL_EDGE = "(el) => getComputedStyle(el.querySelector('td')).borderLeftColor"
BADGE = "(el) => getComputedStyle(el.querySelector('.task-state .badge')).backgroundColor"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def _ids(page) -> list[int]:
    return [int(i) for i in page.eval_on_selector_all(".task-card", "els => els.map(e => e.dataset.task)")]


def test_a_commune_chair_sees_cards_in_the_order_to_act_on_a_phone(live_server, phone):
    order = build_inbox()
    sign_in(phone, live_server, "ct.tai-son")
    phone.goto(live_server + "/")
    cards = phone.locator(".task-card")
    expect(cards).to_have_count(7)
    assert _ids(phone) == order
    assert [h.strip().rsplit(" ", 1)[0] for h in phone.locator(".task-section h3").all_inner_texts()] == HEADINGS
    for n in range(7):
        expect(cards.nth(n)).to_be_visible()
        assert cards.nth(n).evaluate("el => getComputedStyle(el).display") == "flex"  # a card, not a table row
    expect(phone.locator(".task-table thead").first).to_be_hidden()
    assert "Đơn vị" not in phone.inner_text("main")
    # A card reads top to bottom: the requirement as the link, then the directive, the due date, the state.
    tops = {cell: cards.first.locator(f".task-{cell}").bounding_box()["y"] for cell in ("what", "directive", "due",
                                                                                     "state")}
    assert tops["what"] < tops["directive"] <= tops["due"] < tops["state"]
    assert "Rà soát danh sách hộ nghèo" in cards.first.locator(".task-what a").inner_text()
    assert cards.nth(1).locator(".task-due").evaluate("el => getComputedStyle(el).color") == "rgb(220, 53, 69)"
    assert cards.nth(2).locator(".task-due").evaluate("el => getComputedStyle(el).color") == "rgb(161, 75, 0)"
    edges = [cards.nth(n).evaluate(EDGE) for n in range(7)]
    assert edges[0] == f"{RETURNED} 4px" and edges[5] == f"{SUBMITTED} 4px"
    assert edges[1] == f"{OVERDUE} 4px" and edges[2] == f"{SOON} 4px"
    assert all(edge.endswith(" 1px") for edge in (edges[3], edges[4], edges[6]))  # untouched and done: plain
    badges = [cards.nth(n).evaluate(BADGE) for n in range(7)]
    assert badges[0] == "rgb(255, 193, 7)" and badges[5] == "rgb(15, 123, 138)"
    assert len({badges[0], badges[3], badges[5], badges[6]}) == 4  # returned, open, handed in, done all differ
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(phone, "inbox-375.png")
    cards.first.locator("a").click()
    phone.wait_for_selector("text=Thiếu danh sách hộ cận nghèo")


def test_the_same_inbox_is_a_table_at_1366(live_server, page):
    order = build_inbox()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "ct.tai-son")
    page.goto(live_server + "/")
    expect(page.locator(".task-table thead").first).to_be_visible()
    assert page.locator(".task-table").first.evaluate("el => getComputedStyle(el).display") == "table"
    assert _ids(page) == order
    assert page.locator(".task-table thead").first.inner_text().split() == ["Văn", "bản", "Nội", "dung", "Hạn",
                                                                              "Trạng", "thái"]
    rows = page.locator(".task-card")
    assert rows.first.evaluate("el => getComputedStyle(el).display") == "table-row"
    assert rows.nth(0).evaluate(FIRST_CELL_EDGE) == RETURNED and rows.nth(5).evaluate(FIRST_CELL_EDGE) == SUBMITTED
    assert rows.nth(1).evaluate(FIRST_CELL_EDGE) == OVERDUE and rows.nth(2).evaluate(FIRST_CELL_EDGE) == SOON
    assert rows.nth(0).evaluate(BADGE) == "rgb(255, 193, 7)" and rows.nth(5).evaluate(BADGE) == "rgb(15, 123, 138)"
    assert "Đơn vị" not in page.inner_text("main")
    _shot(page, "inbox-1366.png")


def test_the_office_queue_keeps_the_unit_as_cards_and_as_a_table(live_server, page, phone):
    order = build_inbox()
    page.set_viewport_size({"width": 1366, "height": 900})
    for browser, width in ((phone, 375), (page, 1366)):
        sign_in(browser, live_server, "vanphong")
        browser.goto(live_server + "/tasks/review")
        card = browser.locator(".task-card")
        expect(card).to_have_count(1)
        assert _ids(browser) == [order[5]]
        assert "Xã Tái Sơn" in card.inner_text() and card.evaluate(BADGE) == "rgb(15, 123, 138)"
        assert browser.evaluate("document.documentElement.scrollWidth") <= width
        _shot(browser, f"queue-{width}.png")
    unit = phone.locator(".task-card [data-label='Đơn vị']")
    expect(unit).to_be_visible()
    assert unit.inner_text() == "Xã Tái Sơn"
    assert "Đơn vị" in page.locator(".task-table thead").inner_text()
