"""A live server on a free port and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.timing import patience

#: Playwright's waits (milliseconds), as on a quiet machine: stretched on a busy one.
WAIT_MS = 10_000

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


#: The demo's password (seed demo), as the browser tests type it.
DEMO_PASSWORD = "demo-2022"


def sign_in(page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form, as a person does, and wait for the signed-in navbar."""
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Đăng xuất", state="attached")


@pytest.fixture
def live_server(app):
    """The app served over HTTP on 127.0.0.1, as a browser reaches it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser page (its own cookies)."""
    context = chromium.new_context(locale="vi-VN")
    page = context.new_page()
    _patient(page)
    refused = _csp_watch(page)
    yield page
    context.close()
    assert refused == [], "the Content-Security-Policy blocked something the page needs"


@pytest.fixture
def phone(chromium):
    """A phone-sized page."""
    context = chromium.new_context(locale="vi-VN", viewport={"width": 375, "height": 740}, is_mobile=True,
                                   has_touch=True)
    page = context.new_page()
    _patient(page)
    refused = _csp_watch(page)
    yield page
    context.close()
    assert refused == [], "the Content-Security-Policy blocked something the page needs"


def _patient(page) -> None:
    """Waits for elements, navigations and `expect` scale with the machine, like every wait of the suite."""
    from playwright.sync_api import expect

    page.set_default_timeout(patience(WAIT_MS))
    page.set_default_navigation_timeout(patience(WAIT_MS * 3))
    expect.set_options(timeout=patience(WAIT_MS))


def _csp_watch(page) -> list[str]:
    """The console's Content-Security-Policy refusals on this page, collected for the test's end."""
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    return refused
