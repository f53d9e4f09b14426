"""Hand-in rules through the pages: figures are official only once accepted, an imported row is kept unless the
office chooses, inventories stop at 200 lines, and a review is one of two explicit buttons."""

from sqlalchemy import select

from app.extensions import db
from app.indicators.models import MonthlyFigures
from app.indicators.services import record_figures
from app.tasks.models import TaskHistory
from tests.conftest import csrf_token, login
from tests.tasks.conftest import task

FIGURES = {"total": "15.000", "online_level3": "1 500", "online_level4": "500", "settled_online": "1.800"}


def post(client, url, data, **kw):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/")}, **kw)


def official(unit_id: int) -> MonthlyFigures | None:
    db.session.rollback()
    return db.session.scalar(select(MonthlyFigures).where(MonthlyFigures.unit_id == unit_id,
                                                          MonthlyFigures.period == "2022-05"))


def hand_in(client, task_id, **values):
    return post(client, f"/tasks/{task_id}/work", {**FIGURES, **values, "action": "submit",
                                                   "version": task(task_id).version})


def test_vietnamese_numbers_are_read_and_figures_count_only_once_accepted(app, client, work):
    figures_id = work.tasks[("figures", "xa-a")]
    login(client, "mc.xa-a")
    assert hand_in(client, figures_id).status_code == 303
    assert (task(figures_id).data["figures"]["total"] == 15000
            and task(figures_id).data["figures"]["online_level3"] == 1500)
    assert official(work.commune_a.id) is None  # handed in is not official
    office = app.test_client()
    login(office, "vanphong")
    post(office, f"/tasks/{figures_id}/review", {"decision": "return", "comment": "Kiểm tra lại\r\nsố liệu",
                                                 "version": task(figures_id).version})
    assert task(figures_id).state == "returned" and official(work.commune_a.id) is None
    hand_in(client, figures_id, settled_online="1.900")
    post(office, f"/tasks/{figures_id}/review", {"decision": "accept", "version": task(figures_id).version})
    row = official(work.commune_a.id)
    assert (row.source, row.settled_online, row.task_id) == ("task", 1900, figures_id)


def test_an_imported_row_is_kept_unless_the_office_chooses_the_units_figures(app, client, work):
    figures_id, other_id = work.tasks[("figures", "xa-a")], work.tasks[("figures", "xa-b")]
    record_figures(work.commune_a.id, "2022-05", {"total": 100, "online_level3": 5, "online_level4": 5,
                                                  "settled_online": 8}, "import")
    record_figures(work.commune_b.id, "2022-05", {"total": 100, "online_level3": 5, "online_level4": 5,
                                                  "settled_online": 8}, "import")
    db.session.commit()
    login(client, "mc.xa-a")
    hand_in(client, figures_id)
    staff_b = app.test_client()
    login(staff_b, "mc.xa-b")
    hand_in(staff_b, other_id)
    assert official(work.commune_a.id).total == 100  # the hand-in did not overwrite the import
    office = app.test_client()
    login(office, "vanphong")
    page = office.get(f"/tasks/{figures_id}").get_data(as_text=True)
    assert "khác số liệu đã nhập từ phần mềm một cửa" in page and "15.000" in page
    refused = post(office, f"/tasks/{figures_id}/review", {"decision": "accept", "comment": "Đạt",
                                                            "version": task(figures_id).version})
    assert refused.status_code == 422 and "Location" not in refused.headers
    assert "chọn số liệu giữ lại" in refused.get_data(as_text=True) and task(figures_id).state == "submitted"
    post(office, f"/tasks/{figures_id}/review", {"decision": "accept", "figures_choice": "import",
                                                 "version": task(figures_id).version})
    assert task(figures_id).state == "done" and official(work.commune_a.id).total == 100
    post(office, f"/tasks/{other_id}/review", {"decision": "accept", "figures_choice": "task",
                                               "version": task(other_id).version})
    assert (official(work.commune_b.id).total, official(work.commune_b.id).source) == (15000, "task")


def test_inventory_stops_at_200_lines_with_a_message(client, work):
    from app.directives.models import Requirement

    report_id = work.tasks[("written_report", "xa-a")]
    requirement = db.session.get(Requirement, task(report_id).requirement_id)
    requirement.kind = "inventory"
    db.session.commit()
    login(client, "mc.xa-a")
    rows = {f"rows-{i}-quantity": "1" for i in range(200)}
    full = post(client, f"/tasks/{report_id}/work", {**rows, "action": "add_row", "version": "1"})
    assert full.status_code == 422 and "Tối đa 200 dòng" in full.get_data(as_text=True)
    added = post(client, f"/tasks/{report_id}/work", {**{f"rows-{i}-quantity": "1" for i in range(3)},
                                                      "action": "add_row", "version": "1"})
    assert added.status_code == 200 and 'name="rows-3-quantity"' in added.get_data(as_text=True)
    assert task(report_id).data == {}  # adding a line saves nothing


def test_review_is_two_buttons_and_a_return_without_reason_keeps_the_choice(app, client, work):
    action_id = work.tasks[("action", "xa-a")]
    login(client, "mc.xa-a")
    post(client, f"/tasks/{action_id}/work", {"note": "Đã tổ chức", "action": "submit", "version": "1"})
    office = app.test_client()
    login(office, "vanphong")
    page = office.get(f"/tasks/{action_id}").get_data(as_text=True)
    assert 'value="accept">Chấp nhận</button>' in page and 'value="return">Trả lại</button>' in page
    assert "checked" not in page.split('id="review-card"')[1].split("</form>")[0]
    refused = post(office, f"/tasks/{action_id}/review", {"decision": "return", "comment": "  ",
                                                           "version": task(action_id).version})
    assert refused.status_code == 422 and task(action_id).state == "submitted"
    assert "Vui lòng ghi rõ lý do trả lại" in refused.get_data(as_text=True)
    nothing = post(office, f"/tasks/{action_id}/review", {"comment": "Thiếu ảnh", "version": task(action_id).version})
    assert nothing.status_code == 422 and task(action_id).state == "submitted"
    assert "Thiếu ảnh" in nothing.get_data(as_text=True)  # the reason typed is kept
    post(office, f"/tasks/{action_id}/review", {"decision": "return", "comment": "Thiếu ảnh",
                                                "version": task(action_id).version})
    assert task(action_id).state == "returned"
    assert db.session.scalar(select(TaskHistory.action).order_by(TaskHistory.id.desc()).limit(1)) == "returned"
