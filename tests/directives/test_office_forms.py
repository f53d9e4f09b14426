"""Issue 10, the office on a desktop: every directive form says what it will change before changing it, and a form
with a mistake comes back (422, or 409 when stale) with the message beside its field and everything typed kept."""

import io
import re
from datetime import date

from docx import Document
from sqlalchemy import func

from app.auth.models import User
from app.core import clock
from app.directives import services
from app.directives.models import Directive, Requirement
from app.extensions import db
from app.notices.models import Notice
from app.reports.followup import draft_follow_up
from app.seed.services import seed_demo
from app.tasks import fanout
from app.tasks.models import Task, TaskHistory
from app.units.models import Unit
from tests.conftest import csrf_token, login


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(db.select(func.count()).select_from(model).where(*where))


def office(client):
    seed_demo()
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    login(client, "vanphong", "demo-2022")
    return db.session.scalar(db.select(Directive.id))


def published_with_a_date(client) -> tuple[int, int]:
    """The reference directive published to the 23 communes, its item 1 due 31/05/2022, one unit already done."""
    directive_id = office(client)
    directive = db.session.get(Directive, directive_id)
    first = directive.requirements[0]
    services.register(directive, "520/UBND-VP", date(2022, 5, 20))
    fanout.publish(directive, None, services.target_units(directive, "all"),
                     {str(first.id): {"kind": "date", "date": "2022-05-31"}})
    done = db.session.scalar(db.select(Task).where(Task.requirement_id == first.id).limit(1))
    done.state = "done"
    db.session.commit()
    return directive_id, first.id


def post(client, path: str, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})


# --- 1. changing a deadline ------------------------------------------------------------------------------------


def test_the_deadline_form_shows_the_current_rule(client):
    directive_id, first_id = published_with_a_date(client)
    page = client.get(f"/directives/{directive_id}").get_data(as_text=True)
    form = page[page.index(f'id="req-{first_id}"'):]
    form = form[:form.index("</form>")]
    assert re.search(r'<option selected value="date">', form) and 'value="31/05/2022"' in form
    monthly = db.session.scalar(db.select(Requirement).where(Requirement.kind == "figures"))
    form = page[page.index(f'id="req-{monthly.id}"'):]
    assert re.search(r'<option selected value="monthly">', form[:form.index("</form>")])


def test_a_deadline_change_is_shown_first_and_done_only_when_confirmed(client):
    directive_id, first_id = published_with_a_date(client)
    path = f"/directives/{directive_id}/requirements/{first_id}/deadline"
    preview = post(client, path, deadline_kind="date", deadline_date="15/06/2022")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "22 nhiệm vụ của 22 đơn vị: hạn 31/05/2022 → 15/06/2022" in page
    assert "Xác nhận đổi hạn" in page
    assert count(Task, Task.requirement_id == first_id, Task.due_on == date(2022, 5, 31)) == 23
    assert count(TaskHistory) == 0
    done = post(client, path, deadline_kind="date", deadline_date="15/06/2022", confirm="1")
    assert done.status_code == 302
    assert count(Task, Task.requirement_id == first_id, Task.due_on == date(2022, 6, 15)) == 22
    assert count(Task, Task.requirement_id == first_id, Task.state == "done", Task.due_on == date(2022, 5, 31)) == 1
    rows = db.session.scalars(db.select(TaskHistory)).all()
    assert len(rows) == 22
    assert {(r.action, r.comment) for r in rows} == {("deadline_changed", "31/05/2022 → 15/06/2022")}
    notices = db.session.scalars(db.select(Notice).where(Notice.kind == "deadline_changed")).all()
    assert len(notices) == 22 and "15/06/2022" in notices[0].subject


def test_removing_a_deadline_is_said_plainly(client):
    directive_id, first_id = published_with_a_date(client)
    path = f"/directives/{directive_id}/requirements/{first_id}/deadline"
    page = post(client, path, deadline_kind="none").get_data(as_text=True)
    assert "sẽ không còn thời hạn" in page and "22 nhiệm vụ của 22 đơn vị: hạn 31/05/2022 → không có thời hạn" in page
    assert count(Task, Task.requirement_id == first_id, Task.due_on.is_(None)) == 0


def test_a_bad_deadline_comes_back_beside_its_field(client):
    directive_id, first_id = published_with_a_date(client)
    path = f"/directives/{directive_id}/requirements/{first_id}/deadline"
    for data, message in (({"deadline_kind": "date", "deadline_date": ""}, "Nhập ngày hết hạn"),
                          ({"deadline_kind": "date", "deadline_date": "31/02/2022"}, "dd/mm/yyyy"),
                          ({"deadline_kind": "working_days", "deadline_date": ""}, "Nhập số ngày")):
        response = post(client, path, **data, confirm="1")
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and "Location" not in response.headers
        block = page[page.index(f'id="req-{first_id}"'):]
        assert message in block[:block.index("</form>")] and "is-invalid" in block[:block.index("</form>")]
        assert f'value="{data["deadline_date"]}"' in block or not data["deadline_date"]
    assert count(Task, Task.requirement_id == first_id, Task.due_on == date(2022, 5, 31)) == 23


# --- 2. the draft form -----------------------------------------------------------------------------------------


def draft_fields(client, directive_id) -> dict:
    from tests.directives.test_pages import form_fields

    return form_fields(client.get(f"/directives/{directive_id}/edit").get_data(as_text=True))


def test_a_draft_with_a_bad_date_comes_back_with_everything_typed(client):
    directive_id = office(client)
    fields = draft_fields(client, directive_id)
    fields.update({"number": "521/UBND-VP", "issued_on": "32/05/2022", "subject": "Đôn đốc số liệu tháng 5",
                   "requirements-0-deadline_kind": "date", "requirements-0-deadline_date": ""})
    response = client.post(f"/directives/{directive_id}/edit", data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Location" not in response.headers
    assert 'value="521/UBND-VP"' in page and 'value="32/05/2022"' in page and "Đôn đốc số liệu tháng 5" in page
    assert "Ngày không hợp lệ" in page and "Nhập ngày hết hạn" in page
    assert db.session.get(Directive, directive_id).number is None


def test_save_and_show_keeps_the_edits_and_strips_v_v(client):
    directive_id = office(client)
    fields = draft_fields(client, directive_id)
    fields.update({"subject": "V/v: đẩy mạnh dịch vụ công trực tuyến", "next": "show"})
    response = client.post(f"/directives/{directive_id}/edit", data=fields)
    assert response.status_code == 302 and response.location.endswith(f"/directives/{directive_id}")
    db.session.rollback()
    assert db.session.get(Directive, directive_id).subject == "đẩy mạnh dịch vụ công trực tuyến"
    page = client.get(response.location).get_data(as_text=True)
    assert "V/v đẩy mạnh" in page and "V/v V/v" not in page and "V/v: " not in page


def test_cooperating_units_are_ticked_in_a_list(client):
    from app.units.queries import by_slug

    directive_id = office(client)
    fields = draft_fields(client, directive_id)
    picked = [by_slug("tai-son").id, by_slug("ha-ky").id]
    data = {**fields, "requirements-0-cooperating_unit_ids": picked}
    assert client.post(f"/directives/{directive_id}/edit", data=data).status_code == 302
    db.session.rollback()
    assert {u.id for u in db.session.get(Directive, directive_id).requirements[0].cooperating_units} == set(picked)
    page = client.get(f"/directives/{directive_id}/edit").get_data(as_text=True)
    assert "<select" not in page.split('name="requirements-0-cooperating_unit_ids"')[0][-300:]
    assert page.count('type="checkbox" name="requirements-0-cooperating_unit_ids"') == 23
    assert page.count('name="requirements-0-cooperating_unit_ids" value') == 23 and "Chọn tất cả" in page


# --- 3 and 4. publishing ---------------------------------------------------------------------------------------


def test_publish_says_how_many_first_and_asks_the_number_and_date(client):
    directive_id = office(client)
    preview = post(client, f"/directives/{directive_id}/publish", scope="all")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Ban hành sẽ tạo 92 nhiệm vụ cho 23 đơn vị." in page
    assert "Ban hành không có số, ngày" in page and "Xác nhận ban hành" in page
    assert count(Task) == 0 and db.session.get(Directive, directive_id).state == "draft"
    refused = post(client, f"/directives/{directive_id}/publish", scope="all", confirm="1", number="520/UBND-VP",
                   issued_on="")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Location" not in refused.headers
    assert "Nhập ngày ban hành, hoặc đánh dấu" in page and 'value="520/UBND-VP"' in page
    bad_date = post(client, f"/directives/{directive_id}/publish", scope="all", confirm="1", number="520/UBND-VP",
                    issued_on="20/13/2022")
    assert bad_date.status_code == 422 and 'value="20/13/2022"' in bad_date.get_data(as_text=True)
    assert count(Task) == 0
    done = post(client, f"/directives/{directive_id}/publish", scope="all", confirm="1", number="520/UBND-VP",
                issued_on="20/05/2022")
    assert done.status_code == 302 and count(Task) == 92
    directive = db.session.get(Directive, directive_id)
    assert (directive.number, directive.issued_on, directive.state) == ("520/UBND-VP", date(2022, 5, 20), "published")


def test_publishing_unnumbered_needs_the_box_and_says_so(client):
    directive_id = office(client)
    page = post(client, f"/directives/{directive_id}/publish", scope="named").get_data(as_text=True)
    assert "36 nhiệm vụ cho 9 đơn vị" in page and "không có số, ngày" in page
    refused = post(client, f"/directives/{directive_id}/publish", scope="named", confirm="1")
    assert refused.status_code == 422 and count(Task) == 0
    done = post(client, f"/directives/{directive_id}/publish", scope="named", confirm="1", unnumbered="y")
    assert "không có số, ngày" in client.get(done.location).get_data(as_text=True) and count(Task) == 36


def test_no_units_chosen_comes_back_422(client):
    directive_id = office(client)
    response = post(client, f"/directives/{directive_id}/publish", scope="list", save_as="Nhóm mới")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Chưa chọn đơn vị nào" in page and 'value="Nhóm mới"' in page


def test_a_group_name_too_long_is_refused_beside_its_field_and_nothing_is_published(client):
    """A 121-character name was a 500 on PostgreSQL (varchar 120) after the tasks were made."""
    directive_id = office(client)
    picked = [u.id for u in db.session.scalars(db.select(Unit).where(Unit.kind == "commune").limit(2))]
    response = post(client, f"/directives/{directive_id}/publish", scope="list", unit_ids=picked,
                    save_as="N" * 121, confirm="1", unnumbered="y")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Tên nhóm dài quá 120 ký tự." in page and count(Task) == 0


# --- 5. typing by hand -----------------------------------------------------------------------------------------


def test_an_empty_new_directive_opens_an_empty_draft_that_cannot_be_published_empty(client):
    office(client)
    response = client.post("/directives/new", data={"csrf_token": csrf_token(client, "/directives/new"),
                                                    "subject": "V/v Kiểm tra hồ sơ tồn đọng"})
    assert response.status_code == 302 and response.location.endswith("/edit")
    directive_id = int(re.search(r"/directives/(\d+)/edit", response.location).group(1))
    db.session.rollback()
    directive = db.session.get(Directive, directive_id)
    assert directive.requirements == [] and directive.subject == "Kiểm tra hồ sơ tồn đọng"
    page = client.get(response.location).get_data(as_text=True)
    assert page.count("requirement-row") == 3 and "Đã mở dự thảo trống" in page
    fields = draft_fields(client, directive_id)
    assert client.post(f"/directives/{directive_id}/edit", data=fields).status_code == 302  # saved with none
    refused = post(client, f"/directives/{directive_id}/publish", scope="all")
    assert refused.status_code == 422 and "chưa có yêu cầu nào" in refused.get_data(as_text=True)
    fields = draft_fields(client, directive_id)
    fields.update({"requirements-0-text": "Rà soát hồ sơ tồn đọng.", "requirements-0-deadline_kind": "working_days",
                   "requirements-0-deadline_number": "5"})
    assert client.post(f"/directives/{directive_id}/edit", data=fields).status_code == 302
    db.session.rollback()
    assert [r.text for r in db.session.get(Directive, directive_id).requirements] == ["Rà soát hồ sơ tồn đọng."]


def test_a_text_without_requirements_opens_the_draft_with_a_warning_and_the_api_still_refuses(client):
    office(client)
    body = "UBND HUYỆN TỨ KỲ\nSố: 530/UBND-VP\nTứ Kỳ, ngày 21 tháng 5 năm 2022\nKính gửi các xã. Trân trọng."
    response = client.post("/directives/new", data={"csrf_token": csrf_token(client, "/directives/new"),
                                                    "body": body}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Không tìm thấy yêu cầu nào" in page and 'value="530/UBND-VP"' in page
    before = count(Directive)
    token = client.post("/api/v1/auth/token", json={"username": "vanphong", "password": "demo-2022"}).json["token"]
    api = client.post("/api/v1/directives", headers={"Authorization": f"Bearer {token}"}, json={"body": body})
    assert api.status_code == 422 and count(Directive) == before


# --- 6. deleting drafts, one follow-up a day ---------------------------------------------------------------------


def test_a_draft_is_deleted_after_confirming_and_a_published_one_never(client):
    directive_id = office(client)
    asked = post(client, f"/directives/{directive_id}/delete")
    assert asked.status_code == 200 and "Xác nhận xoá dự thảo" in asked.get_data(as_text=True)
    assert count(Directive, Directive.id == directive_id) == 1
    gone = post(client, f"/directives/{directive_id}/delete", confirm="1")
    assert gone.status_code == 302 and count(Directive, Directive.id == directive_id) == 0
    assert count(Requirement, Requirement.directive_id == directive_id) == 0


def test_a_published_directive_cannot_be_deleted(client):
    directive_id, _ = published_with_a_date(client)
    refused = post(client, f"/directives/{directive_id}/delete", confirm="1")
    assert refused.status_code == 409 and "không xoá được" in refused.get_data(as_text=True)
    assert count(Directive, Directive.id == directive_id) == 1


def test_the_same_follow_up_twice_a_day_opens_the_first(client):
    directive_id, _ = published_with_a_date(client)
    first = post(client, f"/directives/{directive_id}/follow-up", period="05/2022", rule="overdue")
    second = post(client, f"/directives/{directive_id}/follow-up", period="05/2022", rule="overdue")
    assert first.location == second.location and count(Directive, Directive.follows_id == directive_id) == 1
    assert "đã được soạn hôm nay" in client.get(second.location).get_data(as_text=True)
    token = client.post("/api/v1/auth/token", json={"username": "vanphong", "password": "demo-2022"}).json["token"]
    api = client.post(f"/api/v1/directives/{directive_id}/follow-up", headers={"Authorization": f"Bearer {token}"},
                      json={"period": "2022-05", "name": "overdue"})
    assert api.status_code == 200 and f"/directives/{api.json['id']}/" in first.location
    from app.units.queries import by_slug

    other = post(client, f"/directives/{directive_id}/follow-up", period="05/2022", rule="list",
                 unit_ids=[by_slug("ha-ky").id])
    assert other.location != first.location and count(Directive, Directive.follows_id == directive_id) == 2
    clock.freeze(clock.parse_instant("2022-05-21T09:00:00"))
    post(client, f"/directives/{directive_id}/follow-up", period="05/2022", rule="overdue")
    assert count(Directive, Directive.follows_id == directive_id) == 3


def test_a_bad_follow_up_month_comes_back_422(client):
    directive_id, _ = published_with_a_date(client)
    response = post(client, f"/directives/{directive_id}/follow-up", period="13/2022", rule="overdue")
    assert response.status_code == 422 and 'value="13/2022"' in response.get_data(as_text=True)


# --- 4. no empty slot in generated documents ---------------------------------------------------------------------


def test_a_follow_up_of_an_unnumbered_directive_has_no_empty_slot(client):
    directive_id = office(client)
    directive = db.session.get(Directive, directive_id)
    fanout.publish(directive, None, services.target_units(directive, "all"))
    db.session.commit()
    user = db.session.scalar(db.select(User).where(User.username == "vanphong"))
    draft, created = draft_follow_up(directive, user, "2022-05", "overdue")
    db.session.commit()
    assert created
    words = draft.subject + "\n" + draft.body
    assert "(chưa có số)" not in words and "Ngày ," not in words and " số  " not in words
    assert draft.subject.startswith("Đôn đốc thực hiện Công văn về việc")
    assert "UBND huyện Tứ Kỳ ban hành Công văn về việc" in draft.body
    data = client.get(f"/directives/{draft.id}/document.docx").data
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "(chưa có số)" not in text and "Ngày ," not in text and "Công văn về việc" in text


# --- 7. relative deadlines count from what the text says ----------------------------------------------------------


def typed(client, body: str, issued_on: str = "") -> int:
    response = client.post("/directives/new", data={"csrf_token": csrf_token(client, "/directives/new"),
                                                    "body": body, "number": "540/UBND-VP", "issued_on": issued_on})
    return int(re.search(r"/directives/(\d+)/", response.location).group(1))


def test_working_days_count_from_the_issue_date_or_from_receipt_as_written(client):
    office(client)  # publication on Friday 20/05/2022
    issue = typed(client, "1. Báo cáo kết quả trong thời hạn 05 ngày làm việc.", "10/05/2022")
    receipt = typed(client, "1. Báo cáo kết quả trong thời hạn 05 ngày làm việc kể từ ngày nhận được văn bản.",
                    "10/05/2022")
    db.session.rollback()
    assert db.session.get(Directive, receipt).requirements[0].deadline["from"] == "receipt"
    page = client.get(f"/directives/{issue}").get_data(as_text=True)
    assert "05 ngày làm việc kể từ ngày ban hành (10/05/2022)" in page
    assert "05 ngày làm việc kể từ ngày nhận" in client.get(f"/directives/{receipt}").get_data(as_text=True)
    for directive_id in (issue, receipt):
        post(client, f"/directives/{directive_id}/publish", scope="all", confirm="1", number="540/UBND-VP",
             issued_on="10/05/2022")
    db.session.rollback()
    assert {t.due_on for t in db.session.scalars(db.select(Task).where(Task.directive_id == issue))} == \
        {date(2022, 5, 17)}  # Tue 10/05 + 5 working days
    assert {t.due_on for t in db.session.scalars(db.select(Task).where(Task.directive_id == receipt))} == \
        {date(2022, 5, 27)}  # Fri 20/05 + 5 working days
    directive = db.session.get(Directive, receipt)
    post(client, f"/directives/{receipt}/requirements/{directive.requirements[0].id}/deadline",
         deadline_kind="working_days", deadline_number="3", deadline_from="issue", confirm="1")
    db.session.rollback()
    assert {t.due_on for t in db.session.scalars(db.select(Task).where(Task.directive_id == receipt))} == \
        {date(2022, 5, 13)}  # now from the issue date


def test_a_draft_without_a_date_counts_from_receipt_and_the_form_shows_it(client):
    office(client)
    directive_id = typed(client, "1. Báo cáo kết quả trong thời hạn 05 ngày làm việc.")
    page = client.get(f"/directives/{directive_id}/edit").get_data(as_text=True)
    assert "Tính từ" in page and "Ngày ban hành (chưa có ngày)" in page
    assert "05 ngày làm việc kể từ ngày nhận" in client.get(f"/directives/{directive_id}").get_data(as_text=True)
