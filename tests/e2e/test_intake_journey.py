"""The office's first job in a real browser: upload the reference directive, check it, publish it."""

from app.core import clock
from app.extensions import db
from app.seed.services import REFERENCE_DIRECTIVE, seed_demo
from tests.e2e.conftest import sign_in


def test_office_uploads_checks_and_publishes_and_the_commune_sees_its_tasks(live_server, chromium):
    seed_demo()
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    office = chromium.new_context(locale="vi-VN").new_page()
    sign_in(office, live_server, "vanphong")
    office.click("text=Văn bản")
    office.click("text=+ Văn bản mới")
    office.set_input_files("input[name=file]", str(REFERENCE_DIRECTIVE))
    office.click("button:has-text('Đọc văn bản')")
    office.wait_for_selector("text=Kiểm tra dự thảo")
    assert office.locator(".requirement-row").count() == 5
    office.fill("input[name=number]", "520/UBND-VP")
    office.fill("input[name=issued_on]", "20/05/2022")
    office.click("button:has-text('Lưu dự thảo')")
    office.wait_for_selector("text=Đã lưu dự thảo.")
    office.click("text=Xem và ban hành")
    office.wait_for_selector("text=Định kỳ ngày 25 hằng tháng")
    office.check("input[value=all]")
    office.click("button:has-text('Ban hành')")
    office.wait_for_selector("text=Ban hành sẽ tạo 92 nhiệm vụ cho 23 đơn vị.")
    office.click("button:has-text('Xác nhận ban hành')")
    office.wait_for_selector("text=Đã ban hành và giao 92 nhiệm vụ.")
    commune = chromium.new_context(locale="vi-VN", viewport={"width": 375, "height": 740}).new_page()
    sign_in(commune, live_server, "mc.tai-son")
    commune.wait_for_selector(".task-row")
    assert commune.locator(".task-row").count() == 4
    assert "520/UBND-VP" in commune.content() and "25/05/2022" in commune.content()
