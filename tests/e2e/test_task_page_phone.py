"""The commune's task page on a phone (375 px): one press hands in what is typed and chosen, or refuses and
keeps it all on screen; files come and go only while the task is open; inventory lines are added in place."""

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.core import clock
from app.directives import services as directive_services
from app.directives.models import Directive
from app.evidence.models import Evidence
from app.extensions import db
from app.seed.services import seed_demo
from app.tasks import fanout
from app.tasks.models import Task, TaskHistory
from app.units.models import Unit
from tests.e2e.conftest import sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PROGRAM = b"MZ\x90\x00" * 64


@pytest.fixture
def published(app):
    """The reference directive published to every commune on 20/05/2022; {kind: Tái Sơn's task id}."""
    seed_demo()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    directive = db.session.scalar(select(Directive))
    office = db.session.scalar(select(User).where(User.username == "vanphong"))
    fanout.publish(directive, office, directive_services.target_units(directive, "all"))
    db.session.commit()
    tai_son = db.session.scalar(select(Unit).where(Unit.slug == "tai-son"))
    tasks = db.session.scalars(select(Task).where(Task.unit_id == tai_son.id)).all()
    ids = {task.requirement.kind: task.id for task in tasks}
    db.session.rollback()
    return ids


def fresh(task_id: int) -> Task:
    db.session.rollback()
    return db.session.get(Task, task_id)


def in_view(page, selector) -> bool:
    """Whether the element comes (at least partly) inside the viewport: a script scrolls it there after the swap."""
    page.wait_for_function("""(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight; }""", arg=selector)
    return True


def open_task(page, base, task_id):
    page.goto(f"{base}/tasks/{task_id}")
    page.wait_for_selector("#work-form")
    page.evaluate("window.__notReloaded = true")


def test_figures_and_a_pdf_handed_in_with_one_press(live_server, phone, published, tmp_path):
    task_id = published["figures"]
    sign_in(phone, live_server, "mc.tai-son")
    open_task(phone, live_server, task_id)
    assert "Kỳ báo cáo: 05/2022" in phone.inner_text("#work-card")
    phone.fill("input[name=total]", "1.200")
    phone.fill("input[name=online_level3]", "100")
    phone.fill("input[name=online_level4]", "50")
    phone.fill("input[name=settled_online]", "120")
    report = tmp_path / "Báo cáo tháng 5.pdf"
    report.write_bytes(PDF)
    phone.set_input_files("#work-files", str(report))
    phone.fill("textarea[name=handin_note]", "Gửi kèm báo cáo")
    phone.click("button:has-text('Nộp kết quả')")
    phone.wait_for_selector(".alert:has-text('Đã nộp, chờ Văn phòng duyệt. Đã tải lên 1 tệp.')")
    assert phone.url.endswith(f"/tasks/{task_id}")
    assert phone.locator(".badge:has-text('Chờ duyệt')").count() == 1
    assert "1.200" in phone.inner_text("#handed-in")
    task = fresh(task_id)
    assert task.state == "submitted"
    assert task.data["figures"] == {"total": 1200, "online_level3": 100, "online_level4": 50, "settled_online": 120,
                                    "period": "2022-05"}
    assert task.data["handin_note"] == "Gửi kèm báo cáo"
    assert db.session.scalars(select(Evidence.filename).where(Evidence.task_id == task_id)).all() == [
        "Báo cáo tháng 5.pdf"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375


def test_bad_figures_are_refused_beside_their_field_and_nothing_typed_or_chosen_is_lost(
        live_server, phone, published, tmp_path):
    task_id = published["figures"]
    sign_in(phone, live_server, "mc.tai-son")
    open_task(phone, live_server, task_id)
    phone.fill("input[name=total]", "15.000.000")
    phone.fill("input[name=online_level3]", "-5")
    phone.fill("input[name=online_level4]", "abc")
    report = tmp_path / "Báo cáo.pdf"
    report.write_bytes(PDF)
    phone.set_input_files("#work-files", str(report))
    phone.fill("textarea[name=handin_note]", "Ghi chú của tôi")
    phone.click("button:has-text('Nộp kết quả')")
    phone.wait_for_selector("#work-card .invalid-feedback")
    assert phone.evaluate("window.__notReloaded") is True  # the page stayed; only the card came back
    assert phone.url.endswith(f"/tasks/{task_id}")
    assert "Phải là số không âm." in phone.inner_text("input[name=online_level3] ~ .invalid-feedback")
    assert "Vui lòng nhập một số nguyên" in phone.inner_text("input[name=online_level4] ~ .invalid-feedback")
    assert phone.input_value("input[name=total]") == "15.000.000"
    assert phone.input_value("input[name=online_level4]") == "abc"
    assert phone.input_value("textarea[name=handin_note]") == "Ghi chú của tôi"
    assert phone.evaluate("document.getElementById('work-files').files.length") == 1
    assert in_view(phone, "#work-card .is-invalid")
    assert "Redirecting" not in phone.content()
    task = fresh(task_id)
    assert (task.state, task.data) == ("open", {})
    assert db.session.scalar(select(Evidence.id).where(Evidence.task_id == task_id)) is None


def test_a_figures_task_is_not_handed_in_without_its_figures(live_server, phone, published):
    task_id = published["figures"]
    sign_in(phone, live_server, "mc.tai-son")
    open_task(phone, live_server, task_id)
    phone.click("button:has-text('Nộp kết quả')")
    phone.wait_for_selector("#work-card .invalid-feedback")
    assert "Vui lòng nhập một số nguyên" in phone.inner_text("#work-card")
    assert fresh(task_id).state == "open"


def test_a_batch_with_one_bad_file_uploads_nothing_and_says_why_for_each(live_server, phone, published, tmp_path):
    task_id = published["action"]
    sign_in(phone, live_server, "mc.tai-son")
    open_task(phone, live_server, task_id)
    good, bad = tmp_path / "Biên bản.pdf", tmp_path / "Ảnh hiện trường.jpg"
    good.write_bytes(PDF)
    bad.write_bytes(PROGRAM)
    phone.fill("textarea[name=handin_note]", "Đã tổ chức hội nghị")
    phone.set_input_files("#work-files", [str(good), str(bad)])
    phone.click("button:has-text('Nộp kết quả')")
    phone.wait_for_selector("#files-error")
    message = phone.inner_text("#files-error")
    assert "Không tệp nào được tải lên" in message
    assert "Ảnh hiện trường.jpg: " in message and "Biên bản.pdf: hợp lệ, nhưng chưa tải lên" in message
    assert in_view(phone, "#files-error")
    assert phone.url.endswith(f"/tasks/{task_id}")
    assert phone.input_value("textarea[name=handin_note]") == "Đã tổ chức hội nghị"
    assert fresh(task_id).state == "open"
    assert db.session.scalar(select(Evidence.id).where(Evidence.task_id == task_id)) is None


def test_files_are_removed_while_open_and_locked_once_handed_in(live_server, phone, published, tmp_path):
    task_id = published["action"]
    sign_in(phone, live_server, "mc.tai-son")
    open_task(phone, live_server, task_id)
    first, second = tmp_path / "Nhầm.pdf", tmp_path / "Biên bản.pdf"
    first.write_bytes(PDF)
    second.write_bytes(PDF)
    phone.set_input_files("#work-files", [str(first), str(second)])
    phone.click("button:has-text('Lưu')")
    phone.wait_for_selector(".alert:has-text('Đã lưu. Đã tải lên 2 tệp.')")
    phone.on("dialog", lambda dialog: dialog.accept())
    phone.click("#evidence-list li:has-text('Nhầm.pdf') button:has-text('Xoá tệp')")
    phone.wait_for_selector(".alert:has-text('Đã xoá tệp Nhầm.pdf.')")
    assert phone.locator("#evidence-list a:text-is('Nhầm.pdf')").count() == 0
    assert "Xoá minh chứng: Nhầm.pdf" in phone.inner_text(".history")
    phone.click("button:has-text('Nộp kết quả')")  # an action task goes in with its evidence alone
    phone.wait_for_selector(".alert:has-text('Đã nộp')")
    assert phone.locator("#work-files").count() == 0 and phone.locator("button:has-text('Xoá tệp')").count() == 0
    db.session.rollback()
    assert db.session.scalars(select(Evidence.filename).where(Evidence.task_id == task_id)).all() == ["Biên bản.pdf"]
    assert db.session.scalar(select(TaskHistory.id).where(TaskHistory.action == "evidence_removed")) is not None
    assert fresh(task_id).state == "submitted"


def test_inventory_lines_are_added_and_removed_in_place_and_read_back_in_vietnamese(live_server, phone, published):
    task_id = published["inventory"]
    sign_in(phone, live_server, "mc.tai-son")
    open_task(phone, live_server, task_id)
    phone.select_option("select[name='rows-0-device']", "scanner")
    phone.fill("input[name='rows-0-quantity']", "2")
    phone.select_option("select[name='rows-0-condition']", "broken")
    phone.select_option("select[name='rows-0-proposal']", "buy_new")
    phone.fill("input[name='rows-0-cost']", "15.000.000")
    for expected in (2, 3):
        phone.click("button:has-text('+ Thêm dòng')")
        phone.wait_for_selector(f"fieldset.inventory-row >> nth={expected - 1}")
    assert phone.evaluate("window.__notReloaded") is True  # no page load: the card was swapped in place
    assert phone.input_value("input[name='rows-0-cost']") == "15.000.000"
    phone.select_option("select[name='rows-1-device']", "pc")
    phone.fill("input[name='rows-1-quantity']", "3")
    phone.fill("input[name='rows-2-quantity']", "9")
    phone.click("button:has-text('Xoá dòng 3')")
    phone.wait_for_function("() => document.querySelectorAll('fieldset.inventory-row').length === 2")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.click("button:has-text('Nộp kết quả')")
    phone.wait_for_selector(".alert:has-text('Đã nộp')")
    shown = phone.inner_text("#handed-in")
    assert "Máy scan: 2 chiếc, Hỏng, đề xuất mua mới, 15.000.000 đ" in shown
    assert "Máy vi tính: 3 chiếc" in shown and "buy_new" not in shown
    rows = fresh(task_id).data["inventory"]
    assert [(r["device"], r["quantity"], r["cost"]) for r in rows] == [("scanner", 2, 15000000), ("pc", 3, None)]
