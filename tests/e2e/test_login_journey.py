"""A new user's first visit, in a real browser: log in, see the empty inbox, log out."""

from app.extensions import db
from app.seed.services import seed_demo


def _seed():
    seed_demo()
    db.session.commit()


def test_commune_staff_sees_the_empty_inbox_and_logs_out(live_server, page):
    _seed()
    page.goto(live_server + "/")
    assert "/login" in page.url
    page.fill("input[name=username]", "mc.tai-son")
    page.fill("input[name=password]", "demo-2022")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=empty-inbox]")
    assert page.locator("h1").inner_text() == "Xã Tái Sơn"
    assert "Chưa có nhiệm vụ" in page.content()
    page.click("text=Đăng xuất")
    page.wait_for_selector("text=Bạn đã đăng xuất.")
    page.goto(live_server + "/")
    assert "/login" in page.url


def test_wrong_password_is_told_in_vietnamese(live_server, page):
    _seed()
    page.goto(live_server + "/login")
    page.fill("input[name=username]", "mc.tai-son")
    page.fill("input[name=password]", "sai-mat-khau")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Tên đăng nhập hoặc mật khẩu không đúng.")


def test_works_on_a_phone(live_server, phone):
    _seed()
    phone.goto(live_server + "/login")
    phone.fill("input[name=username]", "ct.tai-son")
    phone.fill("input[name=password]", "demo-2022")
    phone.click("button[type=submit]")
    phone.wait_for_selector("[data-testid=empty-inbox]")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375  # no sideways scrolling
    phone.click(".navbar-toggler")
    phone.wait_for_selector("text=Đăng xuất", state="visible")
