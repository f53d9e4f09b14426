"""Temporary: screenshots of the changed pages (deleted after use)."""
from datetime import date

from app.core import clock
from app.directives import services
from app.directives.models import Directive
from app.extensions import db
from app.seed.services import seed_demo

OUT = "/tmp/shots"


def login(p, base):
    p.goto(base + "/login")
    p.fill("input[name=username]", "vanphong")
    p.fill("input[name=password]", "demo-2022")
    p.click("button[type=submit]")
    p.wait_for_selector("text=Đăng xuất", state="attached")


def shot(p, name, full=True):
    p.screenshot(path=f"{OUT}/{name}.png", full_page=full)


def test_screens(live_server, page, phone):
    seed_demo()
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    page.set_viewport_size({"width": 1366, "height": 768})
    for p in (page, phone):
        login(p, live_server)
    for p, tag in ((page, "desk"), (phone, "phone")):
        p.goto(live_server + "/directives/new"); shot(p, f"new-{tag}")
        p.goto(live_server + "/directives/1/edit")
        p.locator("[data-unit-filter] >> nth=0").fill("son")
        shot(p, f"edit-{tag}")
        p.goto(live_server + "/directives/1")
        shot(p, f"draft-show-{tag}")
        p.click("#publish-form button:has-text('Ban hành')")
        shot(p, f"publish-preview-{tag}")
        p.click("button:has-text('Xác nhận ban hành')")
        shot(p, f"publish-422-{tag}")
        p.goto(live_server + "/directives/1")
        p.click("button:has-text('Xoá dự thảo')")
        p.wait_for_selector("text=Xoá dự thảo này?")
        shot(p, f"delete-{tag}", full=False)
    page.goto(live_server + "/directives/1/edit")
    page.fill("input[name=issued_on]", "31/02/2022")
    page.select_option("select[name='requirements-0-deadline_kind']", "date")
    page.click("button:has-text('Lưu dự thảo')")
    page.wait_for_selector(".is-invalid")
    shot(page, "edit-422-desk")
    directive = db.session.get(Directive, 1)
    first = directive.requirements[0]
    services.register(directive, "520/UBND-VP", date(2022, 5, 20))
    services.publish(directive, None, services.target_units(directive, "named"),
                     {str(first.id): {"kind": "date", "date": "2022-05-31"}})
    db.session.commit()
    for p, tag in ((page, "desk"), (phone, "phone")):
        p.goto(live_server + "/directives/1")
        shot(p, f"published-{tag}")
        p.fill(f"#req-{first.id} input[name=deadline_date]", "15/06/2022")
        p.click(f"#req-{first.id} button:has-text('Đổi hạn')")
        p.wait_for_selector(".deadline-preview")
        p.locator(".deadline-preview").scroll_into_view_if_needed()
        shot(p, f"deadline-preview-{tag}", full=False)
        p.goto(live_server + "/directives/1")
        p.fill(f"#req-{first.id} input[name=deadline_date]", "")
        p.click(f"#req-{first.id} button:has-text('Đổi hạn')")
        p.wait_for_selector(".invalid-feedback")
        p.locator(f"#req-{first.id}").scroll_into_view_if_needed()
        shot(p, f"deadline-422-{tag}", full=False)
        p.goto(live_server + "/directives/1")
        p.locator("#add-units input[type=checkbox] >> nth=0").check()
        p.locator("#add-units input[type=checkbox] >> nth=1").check()
        p.click("button:has-text('Giao thêm')")
        p.wait_for_selector(".add-count")
        p.locator("#add-units").scroll_into_view_if_needed()
        shot(p, f"add-preview-{tag}", full=False)
        assert p.evaluate("document.documentElement.scrollWidth") <= (1366 if tag == "desk" else 375), tag
