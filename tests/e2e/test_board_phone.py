"""Issue 14 in Chromium at 375 and 1366 px: the board's overdue chart runs in date order past a month's end with
whole-number ticks, handed-in and returned tasks wear their own colours, and every column has its own header."""

from datetime import date
from pathlib import Path

import pytest

from tests.e2e.conftest import sign_in
from tests.reports.test_board_excel import board_directive

SHOTS = Path("/tmp/shots/board")
#: The chart as the page drew it: its labels, values and the y axis' ticks.
CHART = """() => { const chart = Chart.getChart(document.getElementById("overdue-chart"));
  return {labels: chart.data.labels, data: chart.data.datasets[0].data,
          ticks: chart.scales.y.ticks.map((t) => t.value)}; }"""
#: The units chart's count axis (its bars lie along x).
GROUP_TICKS = """() => Chart.getChart(document.getElementById("groups-chart")).scales.x.ticks.map((t) => t.value)"""
#: The background of the first board cell of a state (or of an untouched, open task with a date).
COLOUR = """(state) => getComputedStyle(document.querySelector(`.board-cell[data-state="${state}"]`)).backgroundColor"""


@pytest.mark.parametrize("screen", ["phone", "page"])
def test_board_reads_well_on_a_phone_and_a_desktop(live_server, screen, request):
    browser = request.getfixturevalue(screen)
    browser.emulate_media(reduced_motion="reduce")  # the charts drawn at once, for the screenshots
    if screen == "page":
        browser.set_viewport_size({"width": 1366, "height": 900})
    directive_id = board_directive()
    sign_in(browser, live_server, "vanphong")
    browser.goto(f"{live_server}/reports/directives/{directive_id}")
    browser.wait_for_selector(".board-cell")
    browser.wait_for_function('() => window.Chart && Chart.getChart(document.getElementById("overdue-chart"))')

    chart = browser.evaluate(CHART)
    days = [date(2022, int(label[3:]), int(label[:2])) for label in chart["labels"]]
    assert days == sorted(days) and chart["labels"][-2:] == ["01/06", "02/06"]
    assert "31/05" in chart["labels"] and all(isinstance(v, int) for v in chart["data"])
    assert all(float(tick).is_integer() for tick in chart["ticks"] + browser.evaluate(GROUP_TICKS))

    colours = {state: browser.evaluate(COLOUR, state) for state in ("submitted", "returned", "open")}
    assert colours["submitted"] == "rgb(15, 123, 138)" and colours["returned"] == "rgb(255, 193, 7)"
    assert len(set(colours.values())) == 3  # each apart from an untouched task's colour
    assert browser.locator(".board-cell[data-state=submitted]").first.inner_text() == "Chờ duyệt"

    headers = browser.locator("thead th[data-requirement]").all_inner_texts()
    assert len(headers) == 5 and len(set(headers)) == 5 and "•" not in headers
    assert browser.locator("thead th[data-requirement]").nth(4).get_attribute("title").startswith("Tổng hợp khó khăn")

    page_width = browser.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert page_width[0] <= page_width[1]  # the table scrolls inside its box; the page does not
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.screenshot(path=str(SHOTS / f"board-{screen}.png"), full_page=True)
    # Scrolled sideways, the table keeps each row's unit in sight.
    browser.evaluate('() => { document.querySelector(".table-responsive").scrollLeft = 10000; }')
    unit = browser.locator("tbody tr td:first-child").first.bounding_box()
    assert 0 <= unit["x"] < 40
    browser.locator(".table-responsive").screenshot(path=str(SHOTS / f"board-scrolled-{screen}.png"))
    browser.locator("#overdue-chart").scroll_into_view_if_needed()
    browser.locator("#overdue-chart").screenshot(path=str(SHOTS / f"overdue-chart-{screen}.png"))
