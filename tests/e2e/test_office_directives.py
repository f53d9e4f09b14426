"""Issue 10, the office on a desktop (1366×768), in Chromium: each press says what it will change before changing
it; what the office sees and what the database holds afterwards."""

from datetime import date

from sqlalchemy import func

from app.core import clock
from app.directives import services
from app.directives.models import Directive, Requirement
from app.extensions import db
from app.notices.models import Notice
from app.seed.services import seed_demo
from app.tasks import fanout
from app.tasks.models import Task, TaskHistory


def count(model, *where) -> int:
    db.session.rollback()  # a fresh snapshot: the server wrote after ours began
    return db.session.scalar(db.select(func.count()).select_from(model).where(*where))


def start(page, base):
    """The demo, the clock on Friday 20/05/2022, the office logged in on a desktop."""
    seed_demo()
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(base + "/login")
    page.fill("input[name=username]", "vanphong")
    page.fill("input[name=password]", "demo-2022")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Đăng xuất", state="attached")


def flash(page, text):
    return page.wait_for_selector(f".alert:has-text('{text}')").inner_text()


def test_changing_a_deadline_shows_what_changes_and_records_it(live_server, page):
    start(page, live_server)
    directive = db.session.get(Directive, 1)
    first = directive.requirements[0]
    services.register(directive, "520/UBND-VP", date(2022, 5, 20))
    fanout.publish(directive, None, services.target_units(directive, "all"),
                     {str(first.id): {"kind": "date", "date": "2022-05-31"}})
    db.session.scalar(db.select(Task).where(Task.requirement_id == first.id).limit(1)).state = "done"
    db.session.commit()
    item = f"#req-{first.id}"

    page.goto(live_server + "/directives/1")
    assert page.input_value(f"{item} select[name=deadline_kind]") == "date"  # the current rule, not "none"
    assert page.input_value(f"{item} input[name=deadline_date]") == "31/05/2022"

    page.fill(f"{item} input[name=deadline_date]", "")  # a date rule without its date
    page.click(f"{item} button:has-text('Đổi hạn')")
    assert "Nhập ngày hết hạn" in page.inner_text(f"{item} .invalid-feedback")
    assert page.input_value(f"{item} select[name=deadline_kind]") == "date"

    page.fill(f"{item} input[name=deadline_date]", "15/06/2022")
    page.click(f"{item} button:has-text('Đổi hạn')")
    preview = page.inner_text(f"{item} .deadline-preview")
    assert "22 nhiệm vụ của 22 đơn vị: hạn 31/05/2022 → 15/06/2022" in preview
    # A person reads the preview before pressing Huỷ: a press while the preview page still loads went nowhere
    # once on a crowded machine (no request reached the server).
    page.wait_for_load_state("load")
    with page.expect_navigation():
        page.click(f"{item} a:has-text('Huỷ')")
    page.wait_for_selector(f"{item} .deadline-form")
    assert count(Task, Task.requirement_id == first.id, Task.due_on == date(2022, 5, 31)) == 23
    assert count(TaskHistory) == 0

    page.fill(f"{item} input[name=deadline_date]", "15/06/2022")
    page.click(f"{item} button:has-text('Đổi hạn')")
    page.click(f"{item} button:has-text('Xác nhận đổi hạn')")
    flash(page, "22 nhiệm vụ chưa hoàn thành được cập nhật")
    assert "Trước ngày 15/06/2022" in page.inner_text(item)
    assert count(Task, Task.requirement_id == first.id, Task.due_on == date(2022, 6, 15)) == 22
    assert count(Task, Task.requirement_id == first.id, Task.due_on == date(2022, 5, 31)) == 1  # the done one
    assert count(TaskHistory, TaskHistory.action == "deadline_changed",
                 TaskHistory.comment == "31/05/2022 → 15/06/2022") == 22
    assert count(Notice, Notice.kind == "deadline_changed") == 22

    page.select_option(f"{item} select[name=deadline_kind]", "none")
    page.click(f"{item} button:has-text('Đổi hạn')")
    assert "sẽ không còn thời hạn" in page.inner_text(f"{item} .deadline-preview")
    assert count(Task, Task.requirement_id == first.id, Task.due_on.is_(None)) == 0


def test_the_draft_form_saves_before_showing_and_units_are_ticked_in_a_filtered_list(live_server, page):
    start(page, live_server)
    page.goto(live_server + "/directives/1/edit")
    page.fill("input[name=number]", "520/UBND-VP")
    page.fill("input[name=issued_on]", "31/02/2022")
    page.click("button:has-text('Lưu dự thảo')")
    assert "Ngày không hợp lệ" in page.inner_text(".invalid-feedback >> nth=0")
    assert page.input_value("input[name=number]") == "520/UBND-VP"  # everything typed is kept
    assert page.input_value("input[name=issued_on]") == "31/02/2022"
    assert count(Directive, Directive.number == "520/UBND-VP") == 0

    page.fill("input[name=issued_on]", "20/05/2022")
    page.fill("textarea[name=subject]", "V/v đẩy mạnh dịch vụ công trực tuyến mức độ 3, 4")
    picker = page.locator(".requirement-row >> nth=0").locator("[data-unit-picker]")
    picker.locator("[data-unit-filter]").fill("tai son")  # tones left out, as typed on a phone
    assert picker.locator("[data-unit-name]:visible").count() == 1
    picker.locator("[data-unit-all]").click()
    picker.locator("[data-unit-filter]").fill("")
    assert picker.locator("input:checked").count() == 1 and "Đã chọn 1/23" in picker.inner_text()
    second = page.locator(".requirement-row >> nth=1").locator("[data-unit-picker]")
    second.locator("button:has-text('Chọn tất cả')").click()
    assert second.locator("input:checked").count() == 23
    second.locator("button:has-text('Bỏ chọn')").click()
    assert second.locator("input:checked").count() == 0

    page.click("button:has-text('Lưu, xem và ban hành')")
    flash(page, "Đã lưu dự thảo.")
    assert page.url.endswith("/directives/1")
    header = page.inner_text("main p >> nth=0")
    assert "V/v đẩy mạnh dịch vụ công" in header and "V/v V/v" not in header
    db.session.rollback()
    directive = db.session.get(Directive, 1)
    assert directive.subject == "đẩy mạnh dịch vụ công trực tuyến mức độ 3, 4"
    assert [u.name for u in directive.requirements[0].cooperating_units] == ["Xã Tái Sơn"]
    assert directive.requirements[1].cooperating_units == []


def test_publishing_says_how_many_asks_the_number_and_shows_progress(live_server, page):
    start(page, live_server)
    page.goto(live_server + "/directives/1")
    page.check("input[name=scope][value=all]")
    page.click("#publish-form button:has-text('Ban hành')")
    assert "Ban hành sẽ tạo 92 nhiệm vụ cho 23 đơn vị." in page.inner_text(".publish-count")
    assert "không có số, ngày" in page.inner_text("#publish-confirm .alert-warning")
    assert count(Task) == 0

    page.click("button:has-text('Xác nhận ban hành')")  # neither number nor date, box not ticked
    errors = page.inner_text("#publish-confirm")
    assert "Nhập số, ký hiệu, hoặc đánh dấu" in errors and "Nhập ngày ban hành, hoặc đánh dấu" in errors
    assert count(Task) == 0

    page.fill("#publish-confirm input[name=number]", "520/UBND-VP")
    page.fill("#publish-confirm input[name=issued_on]", "20/05/2022")
    # Hold the submission back to see the button while it runs, then send the form.
    page.evaluate("window.addEventListener('submit', e => e.preventDefault(), {once: true})")
    page.click("button:has-text('Xác nhận ban hành')")
    button = page.locator("#publish-confirm button[type=submit]")
    page.wait_for_function("() => document.querySelector('#publish-confirm button[type=submit]').disabled")
    assert "Đang tạo nhiệm vụ…" in button.inner_text() and button.locator(".spinner-border").count() == 1
    assert count(Task) == 0
    page.evaluate("document.getElementById('publish-confirm').submit()")
    flash(page, "Đã ban hành và giao 92 nhiệm vụ.")
    assert count(Task, Task.directive_id == 1) == 92
    db.session.rollback()
    directive = db.session.get(Directive, 1)
    assert (directive.state, directive.number, directive.issued_on) == ("published", "520/UBND-VP", date(2022, 5, 20))


def test_an_unnumbered_publication_is_explicit_and_its_follow_up_has_no_empty_slot(live_server, page):
    start(page, live_server)
    page.goto(live_server + "/directives/1")
    page.check("input[name=scope][value=named]")
    page.click("#publish-form button:has-text('Ban hành')")
    assert "36 nhiệm vụ cho 9 đơn vị" in page.inner_text(".publish-count")
    page.check("input[name=unnumbered]")
    page.click("button:has-text('Xác nhận ban hành')")
    assert "không có số, ngày" in flash(page, "Đã ban hành và giao 36 nhiệm vụ.")
    assert count(Task) == 36

    page.fill("#follow-up input[name=period]", "05/2022")
    page.check("#follow-up input[value=overdue]")
    page.click("button:has-text('Soạn dự thảo')")
    flash(page, "Đã soạn dự thảo văn bản đôn đốc.")
    first_url = page.url
    subject = page.input_value("textarea[name=subject]")
    assert subject.startswith("Đôn đốc thực hiện Công văn về việc") and "(chưa có số)" not in subject
    db.session.rollback()
    draft = db.session.scalar(db.select(Directive).where(Directive.follows_id == 1))
    assert "Ngày ," not in draft.body and "(chưa có số)" not in draft.body
    assert "UBND huyện Tứ Kỳ ban hành Công văn về việc" in draft.body

    # The same press again opens the same draft.
    page.goto(live_server + "/directives/1")
    page.fill("#follow-up input[name=period]", "05/2022")
    page.check("#follow-up input[value=overdue]")
    page.click("button:has-text('Soạn dự thảo')")
    flash(page, "đã được soạn hôm nay")
    assert page.url == first_url and count(Directive, Directive.follows_id == 1) == 1

    # A draft is deleted after saying what goes.
    page.goto(live_server + f"/directives/{draft.id}")
    page.click("button:has-text('Xoá dự thảo')")
    assert "Xoá dự thảo này?" in page.inner_text("#draft-actions")
    assert count(Directive, Directive.id == draft.id) == 1
    page.click("button:has-text('Xác nhận xoá dự thảo')")
    flash(page, "Đã xoá dự thảo.")
    assert count(Directive, Directive.follows_id == 1) == 0
    page.goto(live_server + "/directives/1")
    assert page.locator("button:has-text('Xoá dự thảo')").count() == 0  # a published directive has none


def test_an_empty_new_directive_opens_a_draft_to_type_in(live_server, page):
    start(page, live_server)
    page.click("nav >> text=Văn bản")
    page.click("text=+ Văn bản mới")
    page.click("button:has-text('Đọc văn bản và mở dự thảo')")
    flash(page, "Đã mở dự thảo trống")
    assert page.locator(".requirement-row").count() == 3
    draft_id = int(page.url.rstrip("/").split("/")[-2])
    assert count(Requirement, Requirement.directive_id == draft_id) == 0

    page.click("button:has-text('Lưu, xem và ban hành')")
    page.click("#publish-form button:has-text('Ban hành')")
    assert "chưa có yêu cầu nào" in page.inner_text("#draft-actions .alert-danger")

    page.click("a:has-text('Sửa dự thảo')")
    page.fill("textarea[name='requirements-0-text']", "Rà soát hồ sơ tồn đọng trên phần mềm một cửa.")
    page.fill("textarea[name='requirements-1-text']", "Báo cáo kết quả rà soát.")
    page.select_option("select[name='requirements-1-deadline_kind']", "date")
    page.fill("input[name='requirements-1-deadline_date']", "10/06/2022")
    page.click("button:has-text('Lưu dự thảo')")
    flash(page, "Đã lưu dự thảo.")
    assert page.locator(".requirement-row").count() == 3  # two typed, one blank to add
    db.session.rollback()
    rows = db.session.scalars(db.select(Requirement).where(Requirement.directive_id == draft_id)
                              .order_by(Requirement.position)).all()
    assert [r.text for r in rows] == ["Rà soát hồ sơ tồn đọng trên phần mềm một cửa.", "Báo cáo kết quả rà soát."]
    assert rows[1].deadline == {"kind": "date", "date": "2022-06-10"}


def test_working_days_count_from_the_issue_date_shown_on_the_pages(live_server, page):
    start(page, live_server)
    page.goto(live_server + "/directives/new")
    page.fill("textarea[name=body]", "1. Rà soát hồ sơ tồn đọng, hoàn thành trong thời hạn 05 ngày làm việc.\n"
                                     "2. Báo cáo kết quả trong thời hạn 05 ngày làm việc.\n")
    page.fill("input[name=number]", "540/UBND-VP")
    page.fill("input[name=issued_on]", "10/05/2022")
    page.click("button:has-text('Đọc văn bản')")
    page.wait_for_selector("text=Kiểm tra dự thảo")
    anchor = page.inner_text("select[name='requirements-0-deadline_from'] >> option:checked")
    assert anchor == "Ngày ban hành (10/05/2022)"
    page.select_option("select[name='requirements-1-deadline_from']", "receipt")
    page.click("button:has-text('Lưu, xem và ban hành')")
    flash(page, "Đã lưu dự thảo.")
    body = page.inner_text("main")
    assert "05 ngày làm việc kể từ ngày ban hành (10/05/2022)" in body and "05 ngày làm việc kể từ ngày nhận" in body
    page.check("input[name=scope][value=all]")
    page.click("#publish-form button:has-text('Ban hành')")
    page.click("button:has-text('Xác nhận ban hành')")
    flash(page, "Đã ban hành và giao 46 nhiệm vụ.")
    db.session.rollback()
    directive = db.session.scalar(db.select(Directive).where(Directive.number == "540/UBND-VP"))
    due = {r.label: {t.due_on for t in db.session.scalars(db.select(Task).where(Task.requirement_id == r.id))}
           for r in directive.requirements}
    assert due == {"1": {date(2022, 5, 17)}, "2": {date(2022, 5, 27)}}  # from Tue 10/05, and from Fri 20/05
