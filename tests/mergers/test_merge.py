"""Mergers (issue 18): three demo communes merged after the reference directive was published, one of them having
handed in; the work, the people, the figures and the notices follow, and the past still reads as it was."""

import io
from datetime import date

import lxml.html
from docx import Document
from sqlalchemy import func, select, update

from app.auth.models import User
from app.core import clock
from app.escalation.models import TaskNotice
from app.evidence.models import Evidence
from app.extensions import db
from app.indicators.models import MonthlyFigures
from app.notices.models import Mail
from app.tasks.models import Comment, Task, TaskHistory
from app.units.models import Unit, UnitGroup
from app.units.queries import by_slug
from app.units.services import save_group
from tests.conftest import login
from tests.directives.test_followup import bearer, reference_published
from tests.escalation.conftest import sweep

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OLD = ["tai-son", "quang-phuc", "dai-hop"]
MERGE = ["units", "merge", "--into", "son-hop", "--name", "Xã Sơn Hợp", "--on", "2022-06-01",
         "--chair", "ct.quang-phuc", *OLD]


def token(client, username: str) -> dict:
    answer = client.post("/api/v1/auth/token", json={"username": username, "password": "demo-2022"})
    return {"Authorization": f"Bearer {answer.json['token']}"}


def first_task(slug: str) -> Task:
    return db.session.scalar(select(Task).where(Task.unit_id == by_slug(slug).id).order_by(Task.requirement_id))


def published_and_worked(client, runner) -> dict:
    """The reference directive published to every commune, due 27/05/2022; on 01/06 the ladder has run;
    Tái Sơn handed in its first task with a file, Quang Phục commented on its own."""
    reference_published(client)  # the clock now reads 01/06/2022
    db.session.execute(update(Task).values(due_on=date(2022, 5, 27)))
    save_group(by_slug("tu-ky"), "Xã chậm", [by_slug("tai-son").id, by_slug("ha-ky").id])
    db.session.commit()
    before = sweep(runner, "2022-06-01T08:00:00")
    clock.freeze(clock.parse_instant("2022-06-01T09:00:00"))  # the sweep's --at held the clock only while it ran
    clerk = token(client, "mc.tai-son")
    task_id = first_task("tai-son").id
    upload = client.post(f"/api/v1/tasks/{task_id}/evidence", headers=clerk, content_type="multipart/form-data",
                         data={"file": (io.BytesIO(PDF), "bao-cao-tai-son.pdf")})
    assert upload.status_code == 201, upload.json
    handed_in = client.post(f"/api/v1/tasks/{task_id}/submit", headers=clerk, json={"note": "Đã triển khai"})
    assert handed_in.status_code == 200, handed_in.json
    db.session.rollback()
    quang_phuc = first_task("quang-phuc")
    db.session.add(Comment(task_id=quang_phuc.id, body="Xin ý kiến về máy scan"))
    db.session.commit()
    return {"sweep": before, "evidence": upload.json}


def merged(client, runner) -> dict:
    setup = published_and_worked(client, runner)
    result = runner.invoke(args=MERGE)
    assert result.exit_code == 0, result.output
    db.session.rollback()
    return {**setup, "output": result.output, "unit": by_slug("son-hop")}


def test_the_new_unit_has_one_open_task_per_requirement_with_the_parts_evidence_and_history(client, runner):
    state = merged(client, runner)
    unit, olds = state["unit"], [by_slug(s) for s in OLD]
    assert "Xã Sơn Hợp" in state["output"] and "12 nhiệm vụ gộp thành 4" in state["output"]
    tasks = list(db.session.scalars(select(Task).where(Task.unit_id == unit.id).order_by(Task.requirement_id)))
    assert [t.state for t in tasks] == ["open"] * 4
    assert len({t.requirement_id for t in tasks}) == 4
    assert all(str(t.due_on) == "2022-05-27" for t in tasks)
    evidence = db.session.scalar(select(Evidence).where(Evidence.task_id == tasks[0].id))
    assert evidence.sha256 == state["evidence"]["sha256"] and evidence.from_unit_id == olds[0].id
    history = list(db.session.scalars(select(TaskHistory).where(TaskHistory.task_id == tasks[0].id)))
    handed_in = [h for h in history if h.action == "submitted"]
    assert handed_in and handed_in[0].from_unit_id == olds[0].id
    assert any(h.action == "merged" and "Xã Tái Sơn (chờ duyệt)" in h.comment for h in history)
    comment = db.session.scalar(select(Comment).where(Comment.task_id == tasks[0].id))
    assert comment.from_unit_id == olds[1].id
    for old in olds:
        assert old.merged_into_id == unit.id and old.merged_label == "Đã sáp nhập vào Xã Sơn Hợp từ 01/06/2022"
        assert not db.session.scalar(select(func.count()).select_from(Task).where(Task.unit_id == old.id))
    group = db.session.scalar(select(UnitGroup).where(UnitGroup.name == "Xã chậm"))
    assert group.unit_ids == sorted([by_slug("ha-ky").id, unit.id])


def test_the_task_page_says_where_each_record_came_from(client, runner):
    state = merged(client, runner)
    task = first_task("son-hop")
    login(client, "mc.tai-son", "demo-2022")
    tree = lxml.html.fromstring(client.get(f"/tasks/{task.id}").get_data(as_text=True))

    def said(xpath: str, text: str) -> list[str]:
        """The origin labels of the page's entries at `xpath` that contain `text`."""
        return [" ".join(label.text_content().split()) for entry in tree.xpath(xpath)
                if text in entry.text_content() for label in entry.xpath(".//*[contains(@class, 'from-unit')]")]

    assert state["evidence"]["filename"] == "bao-cao-tai-son.pdf"
    assert said("//ul[@id='evidence-list']/li", "bao-cao-tai-son.pdf") == ["từ Xã Tái Sơn"]
    assert said("//h2[.='Ý kiến']/following-sibling::div", "Xin ý kiến về máy scan") == ["từ Xã Quang Phục"]
    assert said("//ol[contains(@class, 'history')]/li", "Nộp kết quả") == ["từ Xã Tái Sơn"]
    merged_entry = said("//ol[contains(@class, 'history')]/li", "Gộp nhiệm vụ của")
    assert merged_entry == []  # the merger's own entry belongs to the new unit


def test_the_old_units_people_log_in_and_see_the_new_units_tasks(client, runner):
    state = merged(client, runner)
    people = {u.username: u for u in db.session.scalars(select(User).where(User.username.like("%.tai-son")
                                                                         | User.username.like("%.quang-phuc")))}
    assert {p.unit_id for p in people.values()} == {state["unit"].id}
    assert people["ct.quang-phuc"].role == "unit_chair" and people["ct.tai-son"].role == "unit_staff"
    assert state["unit"].chair_name == people["ct.quang-phuc"].full_name
    login(client, "mc.dai-hop", "demo-2022")
    inbox = client.get("/").get_data(as_text=True)
    assert "Xã Sơn Hợp" in inbox
    for task in db.session.scalars(select(Task).where(Task.unit_id == state["unit"].id)):
        assert client.get(f"/tasks/{task.id}").status_code == 200
    other = first_task("ha-ky")
    assert client.get(f"/tasks/{other.id}").status_code == 404


def test_the_board_the_scorecard_and_the_figures_ranking_show_the_new_unit(client, runner):
    state = merged(client, runner)
    unit = state["unit"]
    login(client, "vanphong", "demo-2022")
    board = client.get("/reports/directives/1").get_data(as_text=True)
    assert "Xã Sơn Hợp" in board
    assert "Xã Sơn Hợp" in client.get(f"/reports/units/{unit.id}").get_data(as_text=True)
    figures = client.get("/reports/figures?month=2022-04").get_data(as_text=True)
    assert "<td>Xã Sơn Hợp</td>" in figures and "<td>Xã Tái Sơn</td>" not in figures
    april = {f.unit_id: f for f in db.session.scalars(select(MonthlyFigures).where(MonthlyFigures.period == "2022-04"))}
    parts = [april[by_slug(s).id] for s in OLD]
    assert april[unit.id].total == sum(p.total for p in parts) and april[unit.id].source == "merged"


def test_figures_named_for_a_merged_commune_are_refused_saying_where_they_go(client, runner):
    state = merged(client, runner)
    office = token(client, "vanphong")
    before = db.session.execute(select(MonthlyFigures.unit_id, MonthlyFigures.period, MonthlyFigures.total)).all()
    for written in ("tai-son", "Xã Tái Sơn", "Tai Son"):
        rows = f"unit,period,total,online_level3,online_level4,settled_online\n{written},2022-06,90,30,10,20\n"
        answer = client.post("/api/v1/indicators/import", headers=office, content_type="multipart/form-data",
                             data={"file": (io.BytesIO(rows.encode()), "thang-6.csv")})
        assert answer.status_code == 422
        assert answer.json["error"] == ("Dòng 2: Xã Tái Sơn đã sáp nhập vào Xã Sơn Hợp từ 01/06/2022; số liệu nay "
                                        "nhập cho Xã Sơn Hợp (các tháng trước đó đã được cộng vào Xã Sơn Hợp).")
    db.session.rollback()
    assert db.session.execute(select(MonthlyFigures.unit_id, MonthlyFigures.period, MonthlyFigures.total)).all() \
        == before
    assert state["unit"].name == "Xã Sơn Hợp"


def test_a_sweep_after_the_merger_mails_no_notice_twice(client, runner):
    state = merged(client, runner)
    assert state["sweep"]["escalations"] > 0
    mails_before = db.session.scalar(select(func.count()).select_from(Mail))
    again = sweep(runner, "2022-06-01T09:00:00")
    assert again == {"reminders": 0, "escalations": 0, "emails_queued": 0}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Mail)) == mails_before
    steps = db.session.execute(select(TaskNotice.task_id, TaskNotice.step, TaskNotice.due_on)).all()
    assert len(steps) == len(set(steps))
    assert db.session.scalar(select(func.count()).select_from(TaskNotice).where(
        TaskNotice.unit_id == state["unit"].id)) > 0


def test_the_word_report_of_a_month_before_the_merger_names_the_old_communes(client, runner):
    merged(client, runner)
    login(client, "vanphong", "demo-2022")
    answer = client.get("/reports/directives/1/report.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(answer.data)).paragraphs)
    assert "tháng 04/2022" in text or "tháng 4/2022" in text
    assert "Tái Sơn" in text and "Quang Phục" in text and "Sơn Hợp" not in text.split("Kết quả dịch vụ công")[1]


def test_a_merger_that_cannot_be_made_changes_nothing(client, runner):
    published_and_worked(client, runner)
    units_before = db.session.scalar(select(func.count()).select_from(Unit))
    for args, message in [
        (["--into", "x", "--name", "Xã X", "tai-son"], "ít nhất hai"),
        (["--into", "x", "--name", "Xã X", "tai-son", "khong-co"], "Không tìm thấy đơn vị: khong-co"),
        (["--into", "tu-ky", "--name", "Xã X", "tai-son", "ha-ky"], "đã có"),
        (["--into", "x", "--name", "Xã X", "--on", "2022-13-01", "tai-son", "ha-ky"], "Ngày không hợp lệ"),
        (["--into", "x", "--name", "Xã X", "--on", "2022-07-01", "tai-son", "ha-ky"], "sau ngày hôm nay"),
        (["--into", "x", "--name", "Xã X", "--chair", "ct.van-to", "tai-son", "ha-ky"], "không thuộc"),
        (["--into", "x", "--name", "Xã X", "tu-ky", "ha-ky"], "không phải đơn vị cấp xã"),
    ]:
        result = runner.invoke(args=["units", "merge", *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Unit)) == units_before
    assert first_task("tai-son").state == "submitted"


def test_a_merged_unit_takes_no_new_work_and_its_monthly_reports_carry_on_in_the_new_unit(client, runner):
    from app.tasks.fanout import open_new_periods

    state = merged(client, runner)
    login(client, "vanphong", "demo-2022")
    directive = client.post("/api/v1/directives", headers=bearer(client), json={
        "body": "1. Báo cáo kết quả trước ngày 25 hằng tháng."}).json
    answer = client.post(f"/api/v1/directives/{directive['id']}/publish", headers=bearer(client),
                         json={"units": "all"})
    assert answer.status_code == 200, answer.json
    db.session.rollback()
    given = set(db.session.scalars(select(Task.unit_id).where(Task.directive_id == directive["id"])))
    assert state["unit"].id in given and not given & {by_slug(s).id for s in OLD}
    assert answer.json["tasks_created"] == len(given)
    clock.freeze(clock.parse_instant("2022-08-02T09:00:00"))
    open_new_periods()
    db.session.commit()
    later = set(db.session.scalars(select(Task.unit_id).where(Task.directive_id == directive["id"],
                                                               Task.period == "2022-08")))
    assert state["unit"].id in later and not later & {by_slug(s).id for s in OLD}


def test_move_takes_a_unit_with_its_subtree_to_another_parent(runner):
    from tests.factories import make_unit

    province = make_unit("hai-duong", "UBND tỉnh Hải Dương", "province")
    district = make_unit("huyen", "UBND huyện", "district", province)
    commune = make_unit("xa", "Xã A", "commune", district)
    city = make_unit("hai-phong", "UBND thành phố Hải Phòng", "province")
    db.session.commit()
    result = runner.invoke(args=["units", "move", "huyen", "--parent", "hai-phong"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert "2 đơn vị" in result.output
    assert db.session.get(Unit, district.id).path == f"/{city.id}/{district.id}/"
    assert db.session.get(Unit, commune.id).path == f"/{city.id}/{district.id}/{commune.id}/"
    into_itself = runner.invoke(args=["units", "move", "hai-phong", "--parent", "xa"])
    assert into_itself.exit_code != 0 and "chính nó hoặc đơn vị trực thuộc" in into_itself.output
    under_a_commune = runner.invoke(args=["units", "move", "hai-duong", "--parent", "xa"])
    assert under_a_commune.exit_code != 0 and "cấp xã" in under_a_commune.output


def test_a_new_unit_named_like_a_standing_neighbour_is_refused(client, runner):
    published_and_worked(client, runner)
    result = runner.invoke(args=["units", "merge", "--into", "x", "--name", "xã hà kỳ", "tai-son", "quang-phuc"])
    assert result.exit_code != 0 and "đã có đơn vị tên xã hà kỳ" in result.output
    db.session.rollback()
    assert by_slug("x") is None and first_task("tai-son").state == "submitted"
