"""The directive pages: intake, the draft form, publishing, follow-up edits, the original file."""

import io
import re

from sqlalchemy import func

from app.core import clock
from app.directives.models import Directive, Requirement
from app.extensions import db
from app.notices.models import Notice
from app.seed.services import REFERENCE_DIRECTIVE, seed_demo
from app.tasks.models import Task
from tests.conftest import csrf_token, login


def seeded():
    seed_demo()
    db.session.commit()


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(db.select(func.count()).select_from(model).where(*where))


def upload(client, data: bytes, name: str):
    return client.post("/directives/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/directives/new"), "file": (io.BytesIO(data), name)})


def form_fields(page: str) -> dict:
    """The fields of the draft form as a browser would send them back."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", page):
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue  # a browser sends only ticked boxes
        found = re.search(r'name="([^"]+)"[^>]*value="([^"]*)"', tag)
        if found:
            fields[found.group(1)] = found.group(2)
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', page, re.S):
        fields[name] = value
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.findall(r'<option[^>]*selected[^>]*value="([^"]*)"|<option value="([^"]*)" selected', body)
        if chosen:
            fields[name] = [a or b for a, b in chosen] if "cooperating" in name else (chosen[0][0] or chosen[0][1])
    return {k: v.replace("&#34;", '"').replace("&amp;", "&") for k, v in fields.items() if not isinstance(v, list)}


def test_office_uploads_checks_and_publishes_the_reference_directive(client):
    seeded()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    login(client, "vanphong", "demo-2022")
    response = upload(client, REFERENCE_DIRECTIVE.read_bytes(), "Công văn DVCTT.txt")
    assert response.status_code == 302
    directive_id = int(re.search(r"/directives/(\d+)/edit", response.location).group(1))
    page = client.get(response.location).get_data(as_text=True)
    assert page.count("requirement-row") == 5  # four read, one blank to add
    show = client.get(f"/directives/{directive_id}").get_data(as_text=True)
    assert "Tái Sơn" in show and "Định kỳ ngày 25 hằng tháng" in show and "479/UBND-VP" in show
    response = client.post(f"/directives/{directive_id}/publish",
                           data={"csrf_token": csrf_token(client, "/"), "scope": "all", "confirm": "1",
                                 "unnumbered": "y"})
    assert "Đã ban hành và giao 92 nhiệm vụ" in client.get(response.location).get_data(as_text=True)
    assert count(Task, Task.directive_id == directive_id) == 92
    assert count(Notice, Notice.kind == "assigned", Notice.directive_id == directive_id) == 23
    staff = client.application.test_client()
    login(staff, "mc.tai-son", "demo-2022")
    inbox = staff.get("/").get_data(as_text=True)
    assert inbox.count("task-row") == 4 and "25/05/2022" in inbox


def test_original_file_is_kept_and_downloaded_with_its_vietnamese_name(client):
    seeded()
    login(client, "vanphong", "demo-2022")
    response = upload(client, REFERENCE_DIRECTIVE.read_bytes(), "Công văn số 1.txt")
    directive_id = int(re.search(r"/directives/(\d+)/", response.location).group(1))
    download = client.get(f"/directives/{directive_id}/source")
    assert download.data == REFERENCE_DIRECTIVE.read_bytes()
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "filename*=UTF-8''C%C3%B4ng%20v%C4%83n" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_the_draft_form_reorders_removes_adds_and_sets_deadlines(client):
    seeded()
    login(client, "vanphong", "demo-2022")
    directive_id = db.session.scalar(db.select(Directive.id))
    fields = form_fields(client.get(f"/directives/{directive_id}/edit").get_data(as_text=True))
    fields["number"] = "520/UBND-VP"
    fields["issued_on"] = "20/05/2022"
    fields["requirements-0-position"], fields["requirements-1-position"] = "2", "1"  # swap 1 and 2
    fields["requirements-2-remove"] = "y"  # drop the inventory requirement
    fields["requirements-4-text"] = "Báo cáo kết quả rà soát."
    fields["requirements-4-item_label"] = "4"
    fields["requirements-4-deadline_kind"] = "working_days"
    fields["requirements-4-deadline_number"] = "5"
    response = client.post(f"/directives/{directive_id}/edit", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.rollback()
    directive = db.session.get(Directive, directive_id)
    assert (directive.number, directive.issued_on.isoformat()) == ("520/UBND-VP", "2022-05-20")
    assert [r.label for r in directive.requirements] == ["2", "1", None, "4"]
    assert directive.requirements[-1].deadline == {"kind": "relative", "days": 5, "working_days": True}
    assert directive.requirements[2].deadline == {"kind": "recurring", "freq": "monthly", "day": 25}


def test_a_stale_draft_form_is_refused_and_loses_nothing(client):
    seeded()
    login(client, "vanphong", "demo-2022")
    directive_id = db.session.scalar(db.select(Directive.id))
    page = client.get(f"/directives/{directive_id}/edit").get_data(as_text=True)
    first, second = form_fields(page), form_fields(page)
    first["number"] = "1/UBND-VP"
    second["number"] = "2/UBND-VP"
    assert client.post(f"/directives/{directive_id}/edit", data=first).status_code == 302
    refused = client.post(f"/directives/{directive_id}/edit", data=second)
    assert refused.status_code == 409 and "người khác sửa" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Directive, directive_id).number == "1/UBND-VP"


def test_bad_input_gets_a_vietnamese_message_and_stores_nothing(client):
    seeded()
    login(client, "vanphong", "demo-2022")
    before = count(Directive)
    old_word = upload(client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "cv.doc")
    assert old_word.status_code == 422 and ".docx" in old_word.get_data(as_text=True)
    empty = upload(client, b"", "cv.txt")
    assert "rỗng" in empty.get_data(as_text=True)
    nothing = client.post("/directives/new", data={"csrf_token": csrf_token(client, "/directives/new"),
                                                   "body": "Kính gửi các xã. Trân trọng."}, follow_redirects=True)
    assert "Không tìm thấy yêu cầu" in nothing.get_data(as_text=True)  # the draft opens to type them by hand
    before += 1
    bad_date = client.post("/directives/new", data={"csrf_token": csrf_token(client, "/directives/new"),
                                                    "body": "1. Giao các xã rà soát.", "issued_on": "31/02/2022"})
    assert "dd/mm/yyyy" in bad_date.get_data(as_text=True)
    assert count(Directive) == before


def test_published_directive_gets_a_new_deadline_and_more_units(client):
    seeded()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    login(client, "vanphong", "demo-2022")
    directive_id = db.session.scalar(db.select(Directive.id))
    client.post(f"/directives/{directive_id}/publish", data={"csrf_token": csrf_token(client, "/"), "scope": "named",
                                                             "confirm": "1", "unnumbered": "y"})
    assert count(Task) == 36
    inventory = db.session.scalar(db.select(Requirement).where(Requirement.kind == "inventory"))
    client.post(f"/directives/{directive_id}/requirements/{inventory.id}/deadline", data={
        "csrf_token": csrf_token(client, "/"), "deadline_kind": "date", "deadline_date": "15/06/2022", "confirm": "1"})
    assert count(Task, Task.requirement_id == inventory.id, Task.due_on.is_not(None)) == 9
    dai_son = db.session.scalar(db.select(Task.unit_id).limit(0))  # noqa: F841 (no task yet for Đại Sơn)
    from app.units.queries import by_slug

    response = client.post(f"/directives/{directive_id}/units", data={
        "csrf_token": csrf_token(client, "/"), "unit_ids": [by_slug("dai-son").id], "confirm": "1"})
    assert "Đã giao thêm 4 nhiệm vụ" in client.get(response.location).get_data(as_text=True)
    assert count(Task) == 40
    page = client.get(f"/directives/{directive_id}").get_data(as_text=True)
    assert "Trước ngày 15/06/2022" in page


def test_directive_list_searches_number_subject_and_date(client):
    seeded()
    login(client, "vanphong", "demo-2022")
    for number, subject, issued in (("11/UBND-VP", "Phòng chống dịch", "2022-03-01"),
                                    ("12/UBND-VP", "Chuyển đổi số", "2022-06-01")):
        client.post("/directives/new", data={"csrf_token": csrf_token(client, "/directives/new"),
                                             "body": "1. Giao các xã thực hiện.", "number": number,
                                             "subject": subject, "issued_on": issued.split("-")[2] + "/" +
                                             issued.split("-")[1] + "/" + issued.split("-")[0]})
    assert "12/UBND-VP" in client.get("/directives/?q=chuyển đổi").get_data(as_text=True)
    assert "11/UBND-VP" not in client.get("/directives/?q=chuyển đổi").get_data(as_text=True)
    by_date = client.get("/directives/?from=01/05/2022&to=30/06/2022").get_data(as_text=True)
    assert "12/UBND-VP" in by_date and "11/UBND-VP" not in by_date


def test_a_saved_group_of_units_is_reused(client):
    seeded()
    login(client, "vanphong", "demo-2022")
    from app.units.models import UnitGroup
    from app.units.queries import by_slug

    first = client.post("/directives/new", data={"csrf_token": csrf_token(client, "/directives/new"),
                                                 "body": "1. Giao các xã rà soát hồ sơ."})
    first_id = int(re.search(r"/directives/(\d+)/", first.location).group(1))
    picked = [by_slug("tai-son").id, by_slug("ha-ky").id]
    client.post(f"/directives/{first_id}/publish", data={"csrf_token": csrf_token(client, "/"), "scope": "list",
                                                         "unit_ids": picked, "save_as": "Xã chậm", "confirm": "1",
                                                         "unnumbered": "y"})
    assert count(Task, Task.directive_id == first_id) == 2
    group = db.session.scalar(db.select(UnitGroup))
    assert (group.name, sorted(group.unit_ids)) == ("Xã chậm", sorted(picked))
    second = client.post("/directives/new", data={"csrf_token": csrf_token(client, "/directives/new"),
                                                  "body": "1. Giao các xã báo cáo."})
    second_id = int(re.search(r"/directives/(\d+)/", second.location).group(1))
    assert "Xã chậm (2 đơn vị)" in client.get(f"/directives/{second_id}").get_data(as_text=True)
    client.post(f"/directives/{second_id}/publish", data={"csrf_token": csrf_token(client, "/"), "scope": "group",
                                                          "group_id": group.id, "confirm": "1", "unnumbered": "y"})
    assert count(Task, Task.directive_id == second_id) == 2


def test_assigned_units_see_a_notice_on_their_home_page(client):
    seeded()
    login(client, "vanphong", "demo-2022")
    directive_id = db.session.scalar(db.select(Directive.id))
    client.post(f"/directives/{directive_id}/publish", data={"csrf_token": csrf_token(client, "/"), "scope": "named",
                                                             "confirm": "1", "unnumbered": "y"})
    named = client.application.test_client()
    login(named, "ct.tai-son", "demo-2022")
    assert "Nhiệm vụ mới" in named.get("/").get_data(as_text=True)
    other = client.application.test_client()
    login(other, "ct.dai-son", "demo-2022")
    assert "Nhiệm vụ mới" not in other.get("/").get_data(as_text=True)


def test_admin_marks_a_make_up_day_and_working_day_deadlines_follow(client):
    seeded()
    clock.freeze(clock.parse_instant("2022-06-03T09:00:00"))  # a Friday
    login(client, "admin", "demo-2022")
    client.post("/admin/calendar", data={"csrf_token": csrf_token(client, "/admin/calendar"), "day": "04/06/2022",
                                         "is_working": "1", "note": "Làm bù"})
    assert "04/06/2022" in client.get("/admin/calendar").get_data(as_text=True)
    bad = client.post("/admin/calendar", data={"csrf_token": csrf_token(client, "/admin/calendar"),
                                               "day": "32/13/2022", "is_working": "0"}, follow_redirects=True)
    assert "Ngày không hợp lệ" in bad.get_data(as_text=True)
    office = client.application.test_client()
    login(office, "vanphong", "demo-2022")
    response = office.post("/directives/new", data={"csrf_token": csrf_token(office, "/directives/new"),
                                                    "body": "1. Báo cáo trong thời hạn 01 ngày làm việc."})
    directive_id = int(re.search(r"/directives/(\d+)/", response.location).group(1))
    office.post(f"/directives/{directive_id}/publish", data={"csrf_token": csrf_token(office, "/"), "scope": "all",
                                                             "confirm": "1", "unnumbered": "y"})
    db.session.rollback()
    assert {t.due_on.isoformat() for t in db.session.scalars(db.select(Task))} == {"2022-06-04"}  # the Saturday


def test_admin_calendar_lists_only_this_years_make_up_days(client):
    seeded()
    clock.freeze(clock.parse_instant("2026-03-02T09:00:00"))
    login(client, "admin", "demo-2022")
    page = client.get("/admin/calendar").get_data(as_text=True)
    line = re.search(r"Ngày làm bù: ([^<]*)", page).group(1)
    assert "22/08/2026" in line
    assert "2014" not in line and "2019" not in line
