"""The reference directive end to end: the office uploads, checks and publishes it with the confirmation; on a
phone, Tái Sơn's clerk fills the figures and a three-line inventory, attaches a PDF and hands each in with one
press; the office returns the figures with a reason; the clerk fixes one figure and hands in again; the office
accepts; the figures page, its Excel and the Word report show the accepted figures."""

import re
from io import BytesIO

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.indicators.models import MonthlyFigures
from app.seed.services import REFERENCE_DIRECTIVE, seed_demo
from app.tasks.models import Task
from app.units.models import Unit
from tests.e2e.conftest import sign_in

FIGURES_TASK = "Tổng hợp các khó khăn"
INVENTORY_TASK = "Tổ chức rà soát các máy scan"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PHONE_WIDTH = 375


def flash(page, message):
    """Wait for a flash message and return its text."""
    return page.wait_for_selector(f".alert:has-text('{message}')").inner_text()


def fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def office_publishes_the_reference_directive(office, base):
    """Upload, check the draft, give the registry's number and date, confirm the count, publish."""
    office.click("nav >> text=Văn bản")
    office.click("text=+ Văn bản mới")
    office.set_input_files("input[name=file]", str(REFERENCE_DIRECTIVE))
    office.click("button:has-text('Đọc văn bản')")
    office.wait_for_selector("text=Kiểm tra dự thảo")
    assert office.locator(".requirement-row").count() >= 4
    office.fill("input[name=number]", "520/UBND-VP")
    office.fill("input[name=issued_on]", "20/05/2022")
    office.click("button:has-text('Xem và ban hành')")
    office.wait_for_selector("text=Ban hành và giao việc")
    office.check("input[name=scope][value=all]")
    office.click("button:has-text('Ban hành')")
    confirm = office.wait_for_selector("text=92 nhiệm vụ cho 23 đơn vị").inner_text()
    assert "92" in confirm
    office.click("button:has-text('Xác nhận ban hành')")
    flash(office, "92 nhiệm vụ")


def clerk_opens(staff, base, text):
    staff.goto(base + "/")
    staff.click(f"a:has-text('{text}')")
    staff.wait_for_selector("#work-form")
    assert fits_phone(staff)
    return int(staff.url.rstrip("/").rsplit("/", 1)[-1])


def office_opens_for_review(office, base, text):
    office.goto(base + "/tasks/review")
    office.click(f"a:has-text('{text}')")
    office.wait_for_selector("#review-card")


def test_reference_directive_from_upload_to_accepted_figures(live_server, page, phone, tmp_path):
    seed_demo()
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    office, staff = page, phone
    office.set_viewport_size({"width": 1366, "height": 768})
    sign_in(office, live_server, "vanphong")
    office_publishes_the_reference_directive(office, live_server)

    # Tái Sơn's clerk, on a phone: figures typed the Vietnamese way, a PDF, one press.
    sign_in(staff, live_server, "mc.tai-son")
    figures_id = clerk_opens(staff, live_server, FIGURES_TASK)
    for name, value in {"total": "1.200", "online_level3": "100", "online_level4": "50",
                        "settled_online": "100"}.items():
        staff.fill(f"input[name={name}]", value)
    report = tmp_path / "Báo cáo tháng 5.pdf"
    report.write_bytes(PDF)
    staff.set_input_files("#work-files", str(report))
    staff.click("button:has-text('Nộp kết quả')")
    flash(staff, "Đã nộp, chờ Văn phòng duyệt. Đã tải lên 1 tệp.")

    # The inventory: three lines added in place, handed in with one press.
    clerk_opens(staff, live_server, INVENTORY_TASK)
    staff.click("button:has-text('+ Thêm dòng')")
    staff.click("button:has-text('+ Thêm dòng')")
    staff.wait_for_function("() => document.querySelectorAll('fieldset.inventory-row').length === 3")
    for i, (device, quantity, proposal, cost) in enumerate([("scanner", "2", "buy_new", "15.000.000"),
                                                            ("pc", "4", "repair", "3 000 000"),
                                                            ("printer", "1", "none", "")]):
        staff.select_option(f"select[name='rows-{i}-device']", device)
        staff.fill(f"input[name='rows-{i}-quantity']", quantity)
        staff.select_option(f"select[name='rows-{i}-proposal']", proposal)
        staff.fill(f"input[name='rows-{i}-cost']", cost)
    staff.click("button:has-text('Nộp kết quả')")
    flash(staff, "Đã nộp")
    assert "Máy vi tính: 4 chiếc" in staff.inner_text("#handed-in") and "3.000.000 đ" in staff.inner_text("#handed-in")

    # The office returns the figures with a reason.
    office_opens_for_review(office, live_server, FIGURES_TASK)
    office.fill("textarea[name=comment]", "Số hồ sơ giải quyết trực tuyến chưa khớp phần mềm")
    office.click("#review-card button:has-text('Trả lại')")
    flash(office, "Đã trả lại cho đơn vị.")
    db.session.rollback()
    assert db.session.get(Task, figures_id).state == "returned"
    assert db.session.scalar(select(MonthlyFigures.id)) is None  # returned figures count nowhere

    # The clerk sees why, fixes one figure, hands in again.
    staff.goto(f"{live_server}/tasks/{figures_id}")
    staff.wait_for_selector("text=Số hồ sơ giải quyết trực tuyến chưa khớp phần mềm")
    assert staff.input_value("input[name=total]") == "1.200"
    staff.fill("input[name=settled_online]", "120")
    staff.click("button:has-text('Nộp kết quả')")
    flash(staff, "Đã nộp, chờ Văn phòng duyệt.")

    # The office accepts.
    office_opens_for_review(office, live_server, FIGURES_TASK)
    office.click("#review-card button:has-text('Chấp nhận')")
    flash(office, "Đã chấp nhận kết quả.")
    db.session.rollback()
    tai_son = db.session.scalar(select(Unit).where(Unit.slug == "tai-son"))
    row = db.session.scalar(select(MonthlyFigures).where(MonthlyFigures.unit_id == tai_son.id))
    assert (row.period, row.total, row.settled_online, row.source) == ("2022-05", 1200, 120, "task")

    # The figures page, its Excel and the Word report show the accepted figures.
    office.goto(live_server + "/reports/figures?period=2022-05")
    assert "Tái Sơn" in office.inner_text("main")
    with office.expect_download() as download:
        office.click("text=Tải Excel")
    sheet = load_workbook(BytesIO(open(download.value.path(), "rb").read())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert any("Tái Sơn" in str(r[0]) and 1200 in r and 120 in r for r in rows), rows[:4]
    word = office.request.get(live_server + "/reports/directives/1/report.docx")
    text = "\n".join(p.text for p in Document(BytesIO(word.body())).paragraphs)
    assert re.search(r"tháng 05/2022 \(chỉ tiêu [0-9,]+\u00a0%\): 1 đơn vị có số liệu", text), text
