"""A commune's work on a task and the office's review, through the pages."""

from app.core import clock
from app.extensions import db
from app.notices.models import Notice
from app.tasks.models import Comment, TaskHistory
from tests.conftest import csrf_token, login
from tests.tasks.conftest import task

FIGURES = {"total": "120", "online_level3": "10", "online_level4": "5", "settled_online": "12"}


def post(client, url, data, **kw):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/")}, **kw)


def test_figures_report_returned_fixed_and_accepted_on_time(app, client, work):
    figures_id = work.tasks[("figures", "xa-a")]
    login(client, "mc.xa-a")
    bad = post(client, f"/tasks/{figures_id}/work", {**FIGURES, "online_level3": "200", "version": "1"})
    assert bad.status_code == 422 and "không được lớn hơn tổng số" in bad.get_data(as_text=True)
    assert task(figures_id).data == {}
    negative = post(client, f"/tasks/{figures_id}/work", {**FIGURES, "total": "-1", "version": "1"})
    assert negative.status_code == 422
    post(client, f"/tasks/{figures_id}/work", {**FIGURES, "version": "1"})
    page = client.get(f"/tasks/{figures_id}").get_data(as_text=True)
    assert "12,5\u00a0%" in page  # (10 + 5) / 120, written the Vietnamese way
    post(client, f"/tasks/{figures_id}/work", {**FIGURES, "action": "submit", "version": task(figures_id).version,
                                               "handin_note": "Số liệu tháng 5"})
    assert task(figures_id).state == "submitted"

    office = app.test_client()
    login(office, "vanphong")
    assert "Báo cáo số liệu tháng" in office.get("/tasks/review").get_data(as_text=True)
    no_comment = post(office, f"/tasks/{figures_id}/review", {"decision": "return", "comment": "",
                                                               "version": task(figures_id).version})
    assert no_comment.status_code == 422 and task(figures_id).state == "submitted"
    assert "lý do trả lại" in no_comment.get_data(as_text=True)
    post(office, f"/tasks/{figures_id}/review", {"decision": "return", "comment": "Thiếu số giải quyết trực tuyến",
                                                 "version": task(figures_id).version})
    assert task(figures_id).state == "returned"
    home = client.get("/").get_data(as_text=True)
    assert "Nhiệm vụ bị trả lại" in home
    assert "Thiếu số giải quyết trực tuyến" in client.get(f"/tasks/{figures_id}").get_data(as_text=True)

    post(client, f"/tasks/{figures_id}/work", {**FIGURES, "settled_online": "14", "action": "submit",
                                               "version": task(figures_id).version})
    clock.freeze(clock.parse_instant("2022-06-20T09:00:00"))  # reviewed after the due date
    post(office, f"/tasks/{figures_id}/review", {"decision": "accept", "version": task(figures_id).version})
    done = task(figures_id)
    assert done.state == "done" and done.group() == "done_on_time"  # handed in on 10/06, due 15/06
    actions = db.session.scalars(db.select(TaskHistory.action).where(TaskHistory.task_id == figures_id)
                                 .order_by(TaskHistory.id)).all()
    assert actions == ["saved", "submitted", "returned", "saved", "submitted", "accepted"]
    assert done.data["handin_note"] == "Số liệu tháng 5"
    assert db.session.scalar(db.select(Notice).where(Notice.kind == "returned")).unit_id == work.commune_a.id


def test_handed_in_late_counts_as_done_late(app, client, work):
    action_id = work.tasks[("action", "xa-a")]
    clock.freeze(clock.parse_instant("2022-06-16T09:00:00"))
    login(client, "mc.xa-a")
    page = client.get("/").get_data(as_text=True)
    assert "Đang thực hiện quá hạn" in page and "text-danger" in page
    post(client, f"/tasks/{action_id}/work", {"version": "1", "note": "Đã tổ chức", "action": "submit"})
    assert task(action_id).group() == "open_overdue"
    office = app.test_client()
    login(office, "vanphong")
    post(office, f"/tasks/{action_id}/review", {"decision": "accept", "version": task(action_id).version})
    assert task(action_id).group() == "done_late"


def test_due_soon_is_orange_and_withdraw_before_review(client, work):
    action_id = work.tasks[("action", "xa-a")]
    clock.freeze(clock.parse_instant("2022-06-13T09:00:00"))
    login(client, "mc.xa-a")
    assert "urgency-due_soon" in client.get("/").get_data(as_text=True)
    post(client, f"/tasks/{action_id}/work", {"version": "1", "note": "Đã treo băng rôn", "action": "submit"})
    post(client, f"/tasks/{action_id}/withdraw", {"version": task(action_id).version})
    assert task(action_id).state == "open" and task(action_id).submitted_at is None


def test_a_written_report_without_its_file_is_handed_in_with_a_warning_the_office_sees(app, client, work):
    report_id = work.tasks[("written_report", "xa-a")]
    login(client, "mc.xa-a")
    empty = post(client, f"/tasks/{report_id}/work", {"version": "1", "action": "submit"})
    assert empty.status_code == 422 and task(report_id).state == "open"
    assert "Chưa nộp được: đính kèm báo cáo bằng văn bản" in empty.get_data(as_text=True)
    post(client, f"/tasks/{report_id}/work", {"version": "1", "difficulties": "Thiếu máy scan", "action": "submit"})
    assert task(report_id).state == "submitted"
    assert "Thiếu máy scan" in client.get(f"/tasks/{report_id}").get_data(as_text=True)
    office = app.test_client()
    login(office, "vanphong")
    assert "chưa tải lên báo cáo bằng văn bản" in office.get(f"/tasks/{report_id}").get_data(as_text=True)


def test_observer_reads_but_cannot_work(client, work):
    action_id = work.tasks[("action", "xa-a")]
    login(client, "bt.xa-a")
    assert client.get(f"/tasks/{action_id}").status_code == 200
    assert post(client, f"/tasks/{action_id}/work",
                {"version": "1", "note": "x", "action": "submit"}).status_code == 403
    assert task(action_id).state == "open"


def test_chair_assigns_and_the_assignee_sees_it_first(app, client, work):
    report_id = work.tasks[("written_report", "xa-a")]
    login(client, "ct.xa-a")
    post(client, f"/tasks/{report_id}/assign", {"assignee_id": work.users["staff_a"].id})
    assert task(report_id).assignee_id == work.users["staff_a"].id
    staff = app.test_client()
    login(staff, "mc.xa-a")
    page = staff.get("/").get_data(as_text=True)
    assert page.index("Giao cho bạn") < page.index("Tổ chức tuyên truyền")
    assert "Phân công" in client.get("/").get_data(as_text=True)  # the chair sees who did what
    assert post(staff, f"/tasks/{report_id}/assign", {"assignee_id": work.users["staff_a"].id}).status_code == 403


def test_extension_granted_and_not_applicable_refused(app, client, work):
    action_id = work.tasks[("action", "xa-a")]
    login(client, "mc.xa-a")
    post(client, f"/tasks/{action_id}/requests", {"kind": "extension", "reason": "Chờ kinh phí",
                                                  "proposed_on": "30/06/2022"})
    office = app.test_client()
    login(office, "vanphong")
    from app.tasks.models import TaskRequest

    db.session.rollback()
    row = db.session.scalar(db.select(TaskRequest))
    post(office, f"/tasks/{action_id}/requests/{row.id}", {"decision": "grant", "new_due": "25/06/2022"})
    assert task(action_id).due_on.isoformat() == "2022-06-25"
    history = db.session.scalar(db.select(TaskHistory).where(TaskHistory.action == "extended"))
    assert history.comment == "15/06/2022 → 25/06/2022"
    post(client, f"/tasks/{action_id}/requests", {"kind": "not_applicable", "reason": "Xã không có chợ"})
    db.session.rollback()
    row = db.session.scalar(db.select(TaskRequest).where(TaskRequest.state == "pending"))
    post(office, f"/tasks/{action_id}/requests/{row.id}", {"decision": "refuse", "comment": ""})
    assert task(action_id).state == "open"  # a refusal needs a reason
    post(office, f"/tasks/{action_id}/requests/{row.id}", {"decision": "refuse", "comment": "Vẫn phải tuyên truyền"})
    assert task(action_id).state == "open"
    assert db.session.get(TaskRequest, row.id).state == "refused"


def test_leaders_guidance_is_marked(app, client, work):
    action_id = work.tasks[("action", "xa-a")]
    login(client, "chutich")
    post(client, f"/tasks/{action_id}/comments", {"body": "Đề nghị xã khẩn trương thực hiện"})
    comment = db.session.scalar(db.select(Comment))
    assert comment.kind == "guidance"
    staff = app.test_client()
    login(staff, "mc.xa-a")
    assert "Ý kiến chỉ đạo" in staff.get(f"/tasks/{action_id}").get_data(as_text=True)


def test_a_stale_page_cannot_submit_over_a_newer_version(app, client, work):
    action_id = work.tasks[("action", "xa-a")]
    login(client, "mc.xa-a")
    chair = app.test_client()
    login(chair, "ct.xa-a")
    post(chair, f"/tasks/{action_id}/work", {"note": "Bản của chủ tịch", "version": "1"})
    stale = post(client, f"/tasks/{action_id}/work", {"note": "Bản của công chức", "version": "1"})
    assert stale.status_code == 409 and "người khác cập nhật" in stale.get_data(as_text=True)
    assert task(action_id).data == {"note": "Bản của chủ tịch"}
