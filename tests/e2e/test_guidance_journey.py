"""Issue 14 in a real browser: the chairman gives guidance on the whole reference directive to the units still
overdue (at 1366 px), and the chair of one of them reads it on his phone (375 px), from his notices to his task."""

from datetime import date
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from app.core import clock
from app.directives import services
from app.directives.models import Directive
from app.extensions import db
from app.notices.models import Mail
from app.seed.services import seed_demo
from app.tasks import fanout
from app.tasks.models import Task
from app.units.models import Unit
from tests.e2e.conftest import sign_in

SHOTS = Path("/tmp/shots/guidance")
OVERDUE = ("dai-son", "hung-dao", "ngoc-ky")
GUIDANCE = ("Đề nghị Chủ tịch UBND các xã khẩn trương báo cáo số liệu tháng 5.\n"
            "Báo cáo gửi về Văn phòng trước 17 giờ ngày 30/05/2022.")


def _three_overdue_communes() -> int:
    """The reference directive published on 20/05/2022 to every commune; by 27/05 all but three have handed in
    the monthly figures (due 25/05). Returns the task of Đại Sơn, one of the three."""
    seed_demo()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    directive = db.session.get(Directive, 1)
    services.register(directive, "479/UBND-VP", date(2022, 5, 16))
    fanout.publish(directive, None, services.target_units(directive, "all"))
    db.session.flush()
    late = set(db.session.scalars(select(Unit.id).where(Unit.slug.in_(OVERDUE))))
    for task in db.session.scalars(
            select(Task).where(Task.directive_id == directive.id, Task.due_on.is_not(None))).all():
        if task.unit_id not in late:
            task.state, task.submitted_on = "done", date(2022, 5, 24)
            task.submitted_at = task.done_at = clock.parse_instant("2022-05-24T10:00:00")
    db.session.commit()
    task_id = db.session.scalar(select(Task.id).join(Unit, Unit.id == Task.unit_id)
                                .where(Unit.slug == "dai-son", Task.due_on.is_not(None)))
    clock.freeze(clock.parse_instant("2022-05-27T08:30:00"))
    return task_id


def test_chairman_guides_the_overdue_units_and_a_commune_chair_reads_it_on_his_phone(live_server, page, phone):
    SHOTS.mkdir(parents=True, exist_ok=True)
    task_id = _three_overdue_communes()

    sign_in(page, live_server, "chutich")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server + "/directives/1#guidance")
    button = page.locator("#guidance-form button[type=submit]")
    expect(button).to_have_text("Gửi ý kiến chỉ đạo đến 3 đơn vị")
    page.once("dialog", lambda dialog: dialog.accept())
    button.click()  # nothing written yet: the page again, the message beside the text box
    expect(page.locator("#guidance-text + .invalid-feedback")).to_have_text("Vui lòng nhập nội dung ý kiến chỉ đạo.")
    page.locator("#guidance").screenshot(path=str(SHOTS / "error-1366.png"))
    page.fill("#guidance-form textarea[name=guidance]", GUIDANCE)
    page.check("#guide-unit-" + str(db.session.scalar(select(Unit.id).where(Unit.slug == "tai-son"))))
    expect(button).to_have_text("Gửi ý kiến chỉ đạo đến 1 đơn vị")  # ticking a unit chose "các đơn vị chọn"
    page.check("#guidance-form input[value=overdue]")
    expect(button).to_have_text("Gửi ý kiến chỉ đạo đến 3 đơn vị")
    page.locator("#guidance").screenshot(path=str(SHOTS / "form-1366.png"))
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    button.click()
    page.wait_for_selector("text=Đã gửi ý kiến chỉ đạo đến 3 đơn vị.")
    assert asked == ["Gửi ý kiến chỉ đạo đến 3 đơn vị? Mỗi đơn vị nhận thông báo và thư điện tử."]
    sent = page.locator(".guidance-list li").first
    expect(sent).to_contain_text("Vũ Thị Hà (Chủ tịch UBND huyện)")
    expect(sent).to_contain_text("27/05/2022 08:30")
    page.screenshot(path=str(SHOTS / "sent-1366.png"), full_page=True)

    db.session.rollback()
    mailed = set(db.session.scalars(select(Mail.to_address).where(Mail.kind == "guidance", Mail.status == "sent")))
    assert len(mailed) == 6 and any(address.startswith("ct.dai-son@") for address in mailed)

    sign_in(phone, live_server, "ct.dai-son")
    notice = phone.locator(".notices li", has_text="Ý kiến chỉ đạo của Vũ Thị Hà")
    expect(notice).to_contain_text("479/UBND-VP")
    phone.screenshot(path=str(SHOTS / "home-375.png"), full_page=True)
    notice.locator("text=Xem nhiệm vụ").click()
    phone.wait_for_url(f"**/tasks/{task_id}")
    card = phone.locator("#directive-guidance")
    expect(card).to_contain_text("Vũ Thị Hà (Chủ tịch UBND huyện) · 27/05/2022 08:30")
    lines = card.locator("div[style*=pre-line]").inner_text().splitlines()
    assert lines == GUIDANCE.splitlines()  # the line break kept
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    phone.screenshot(path=str(SHOTS / "task-375.png"), full_page=True)

    phone.context.clear_cookies()  # the chairman's own page on a phone: the form fits too
    sign_in(phone, live_server, "chutich")
    phone.goto(live_server + "/directives/1#guidance")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.locator("#guidance").screenshot(path=str(SHOTS / "form-375.png"))
