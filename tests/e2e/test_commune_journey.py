"""A commune's whole journey on a phone: the office publishes, the commune reports its figures with a PDF,
the office returns it, the commune corrects and resubmits, the office accepts, and the task is done on time."""

from app.core import clock
from app.extensions import db
from app.seed.services import seed_demo

PASSWORD = "demo-2022"
FIGURES_TASK = "Tổng hợp các khó khăn"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PHONE_WIDTH = 375


def log_in(page, base, username):
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Đăng xuất", state="attached")


def flash(page, message):
    """Wait for a flash message and return its text."""
    return page.wait_for_selector(f".alert:has-text('{message}')").inner_text()


def open_figures_task_for_review(office, base):
    office.goto(base + "/")
    office.click("nav >> text=Chờ duyệt")
    office.wait_for_selector("h1:has-text('Nhiệm vụ chờ duyệt')")
    office.click(f"a:has-text('{FIGURES_TASK}')")
    office.wait_for_selector("text=Duyệt kết quả")


def save_figures(staff, **values):
    for name, value in values.items():
        staff.fill(f"input[name={name}]", str(value))
    staff.click("button:has-text('Lưu')")
    flash(staff, "Đã lưu.")


def submit(staff):
    staff.click("button:has-text('Nộp kết quả')")
    flash(staff, "Đã nộp, chờ Văn phòng duyệt.")
    assert staff.locator(".badge:has-text('Chờ duyệt')").count() == 1


def assert_fits_phone(staff):
    assert staff.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_commune_reports_figures_on_a_phone_is_returned_then_accepted_on_time(live_server, page, phone, tmp_path):
    seed_demo()
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    office, staff = page, phone

    # The office publishes the seeded reference directive to every commune.
    log_in(office, live_server, "vanphong")
    office.click("nav >> text=Văn bản")
    office.click("tr:has-text('Dự thảo') >> a")
    office.wait_for_selector("text=Ban hành và giao việc")
    assert office.is_checked("input[name=scope] >> nth=0")
    assert "Tất cả đơn vị trực thuộc" in office.inner_text("form:has(button:has-text('Ban hành'))")
    office.click("button:has-text('Ban hành')")
    flash(office, "Đã ban hành và giao 92 nhiệm vụ.")

    # Commune staff, on a phone, fills in the figures, uploads the signed report and submits.
    log_in(staff, live_server, "mc.tai-son")
    staff.click(f"a:has-text('{FIGURES_TASK}')")
    staff.wait_for_selector("text=Kết quả thực hiện")
    task_id = int(staff.url.rstrip("/").rsplit("/", 1)[-1])
    assert staff.locator("text=Loại: Báo cáo số liệu").count() == 1
    assert staff.input_value("input[name=period]") == "05/2022"
    assert_fits_phone(staff)
    save_figures(staff, total=120, online_level3=10, online_level4=5, settled_online=12)
    assert staff.locator("text=12.5 %").count() == 1
    report = tmp_path / "Báo cáo tháng 5.pdf"
    report.write_bytes(PDF)
    staff.set_input_files("#upload-form input[type=file]", str(report))
    staff.click("#upload-form button:has-text('Tải lên')")
    flash(staff, "Đã tải lên 1 tệp.")
    assert staff.locator("a:text-is('Báo cáo tháng 5.pdf')").count() == 1
    submit(staff)

    # The office returns it: the figures lack the dossiers settled online.
    open_figures_task_for_review(office, live_server)
    office.check("input[name=decision][value=return]")
    office.fill("textarea[name=comment]", "Thiếu số hồ sơ giải quyết trực tuyến")
    office.click("button:has-text('Gửi kết quả duyệt')")
    flash(office, "Đã trả lại cho đơn vị.")

    # The commune sees why, corrects the figure and submits again.
    staff.reload()
    staff.wait_for_selector("text=Thiếu số hồ sơ giải quyết trực tuyến")
    assert staff.locator(".badge:has-text('Thực hiện lại')").count() == 1
    assert_fits_phone(staff)
    assert staff.input_value("input[name=settled_online]") == "12"
    save_figures(staff, settled_online=14)
    submit(staff)

    # The office accepts (the default choice).
    open_figures_task_for_review(office, live_server)
    assert office.is_checked("input[name=decision][value=accept]")
    office.click("button:has-text('Gửi kết quả duyệt')")
    flash(office, "Đã chấp nhận kết quả.")

    # The commune's inbox lists the task as done on time; so does the API.
    staff.click("text=Theo dõi chỉ đạo")
    done = staff.locator("h3:has(.badge:text-is('Hoàn thành đúng hạn')) + .table-responsive")
    done.wait_for()
    assert FIGURES_TASK in done.inner_text()
    token = staff.request.post(live_server + "/api/v1/auth/token",
                               data={"username": "mc.tai-son", "password": PASSWORD}).json()["token"]
    answer = staff.request.get(f"{live_server}/api/v1/tasks/{task_id}", headers={"Authorization": f"Bearer {token}"})
    assert answer.ok
    body = answer.json()
    assert (body["state"], body["group"]) == ("done", "done_on_time")
    assert [e["filename"] for e in body["evidence"]] == ["Báo cáo tháng 5.pdf"]
    assert body["data"]["figures"]["settled_online"] == 14
