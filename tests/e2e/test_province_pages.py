"""Issue 18 in a real browser: the province demo (114 communes directed by the city) on the pages its office and
its chair open every day, at a desktop's and a phone's width: each opens, pages or searches its 114 communes, and
never scrolls sideways. How long each took is written beside the screenshots (no timing is asserted)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.directives.models import Directive
from app.extensions import db
from app.seed.province import seed_demo_province
from app.units.queries import by_slug
from tests.e2e.conftest import sign_in

SHOTS = Path("/tmp/shots/province")


@pytest.fixture
def province(app):
    """The province demo, loaded once for the test."""
    seed_demo_province()
    db.session.commit()
    return db.session.scalar(select(Directive.id).where(Directive.issuer_unit_id == by_slug("hai-phong").id))


def _open(browser, url: str, timings: dict, name: str) -> None:
    """Go to `url` and note how long the page took to load, as the browser measured it."""
    browser.goto(url)
    timings[name] = round(browser.evaluate("performance.getEntriesByType('navigation')[0].duration"))


def _fits(browser, width: int, name: str) -> None:
    """No sideways scrolling; a screenshot for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    assert browser.evaluate("document.documentElement.scrollWidth") <= width, name


def _signed_in(request, live_server, device: str, username: str):
    """The device's browser signed in as `username`, its width, and an empty record of timings."""
    browser = request.getfixturevalue(device)
    sign_in(browser, live_server, username)
    return browser, (375 if device == "phone" else 1366), {}


def _record(timings: dict, width: int, who: str) -> None:
    """Keep the timings beside the screenshots and in the test's output."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"timings-{who}-{width}.json").write_text(json.dumps(timings, indent=1))
    print(f"province pages at {width} px (ms):", timings)


@pytest.mark.parametrize("device", ["page", "phone"])
def test_the_city_office_reads_its_114_communes_paged_and_searchable(request, live_server, province, device):
    browser, width, timings = _signed_in(request, live_server, device, "vanphong.hai-phong")

    _open(browser, f"{live_server}/reports/directives/{province}", timings, "board")
    rows = browser.locator("table.board tbody tr")
    expect(rows).to_have_count(100)  # a page of the board, not 114 rows at once
    expect(browser.locator(".pagination")).to_contain_text("2")
    _fits(browser, width, "board")
    _open(browser, f"{live_server}/reports/directives/{province}?unit=tu+ky", timings, "board-search")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Xã Tứ Kỳ")

    _open(browser, f"{live_server}/units?q=cam+giang", timings, "units-search")
    expect(browser.locator("main")).to_contain_text("Xã Cẩm Giàng")
    expect(browser.locator("main")).to_contain_text("Xã Cẩm Giang")
    _fits(browser, width, "units")

    _open(browser, f"{live_server}/reports/figures", timings, "figures")
    expect(browser.locator("input[type=file]")).to_be_attached()
    _fits(browser, width, "figures")

    _open(browser, f"{live_server}/directives/{province}", timings, "directive")
    _fits(browser, width, "directive")
    follow = browser.locator("#follow-up")
    follow.locator("input[name=rule][value=list]").check()
    follow.locator("[data-unit-filter]").fill("tu ky")  # 114 communes: the list filters as one types
    expect(follow.locator(".unit-list .form-check:visible")).to_have_count(1)
    follow.get_by_label("Xã Tứ Kỳ").check()
    follow.locator("button[type=submit]").click()
    browser.wait_for_url(re.compile(r"/directives/\d+/edit"))
    expect(browser.locator("main")).to_contain_text("đôn đốc")
    _fits(browser, width, "follow-up-draft")

    _record(timings, width, "office")


@pytest.mark.parametrize("device", ["page", "phone"])
def test_the_city_chair_and_a_commune_clerk_open_their_pages(request, live_server, province, device):
    browser, width, timings = _signed_in(request, live_server, device, "chutich.hai-phong")
    _open(browser, f"{live_server}/", timings, "leaders")
    expect(browser.locator("h1")).to_have_text("Tổng quan")
    _fits(browser, width, "leaders")

    browser.context.clear_cookies()
    sign_in(browser, live_server, "mc.hp-tu-ky")
    _open(browser, f"{live_server}/", timings, "inbox")
    expect(browser.locator("main")).to_contain_text("Xã Tứ Kỳ")
    _fits(browser, width, "inbox")
    _record(timings, width, "chair-and-clerk")
