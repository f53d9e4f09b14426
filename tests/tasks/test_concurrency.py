"""Concurrent edits (RELIABILITY 20-21): one wins, the others are told, nothing is lost."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date

from sqlalchemy import func

from app.core import clock
from app.extensions import db
from app.tasks.models import Task, TaskHistory
from tests import factories
from tests.factories import PASSWORD
from tests.tasks.conftest import task


def bearer(client, username):
    token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).json["token"]
    return {"Authorization": f"Bearer {token}"}


def run_all(app, count, call):
    """Run `call(client)` from `count` threads at once, each with its own client; the status codes."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        return sorted(pool.map(lambda _: call(app.test_client()).status_code, range(count)))


def test_two_submissions_of_the_same_version_one_wins(app, client, work):
    action_id = work.tasks[("action", "xa-a")]
    staff, chair = bearer(client, "mc.xa-a"), bearer(client, "ct.xa-a")
    first = client.post(f"/api/v1/tasks/{action_id}/submit", headers=staff, json={"version": 1, "note": "A"})
    second = client.post(f"/api/v1/tasks/{action_id}/submit", headers=chair, json={"version": 1, "note": "B"})
    assert (first.status_code, second.status_code) == (200, 409)
    assert "người khác cập nhật" in second.json["error"]
    assert task(action_id).data == {"handin_note": "A"}


def test_twenty_threads_accepting_one_task_make_one_transition(app, client, work):
    action_id = work.tasks[("action", "xa-a")]
    client.post(f"/api/v1/tasks/{action_id}/submit", headers=bearer(client, "mc.xa-a"), json={"note": "Đã làm"})
    office = bearer(client, "vanphong")
    codes = run_all(app, 20, lambda c: c.post(f"/api/v1/tasks/{action_id}/review", headers=office,
                                               json={"decision": "accept"}))
    assert codes.count(200) == 1 and codes.count(409) == 19
    db.session.rollback()
    accepted = db.session.scalar(db.select(func.count()).select_from(TaskHistory).where(
        TaskHistory.task_id == action_id, TaskHistory.action == "accepted"))
    assert accepted == 1 and task(action_id).state == "done"


def test_fifty_concurrent_writers_lose_nothing(app, client, tree):
    directive = factories.make_directive(tree.district)
    ids = [factories.make_task(factories.make_requirement(directive, f"Yêu cầu {i}", label=str(i)), tree.commune_a,
                               date(2030, 1, 1)).id for i in range(50)]
    db.session.commit()
    staff = bearer(client, "mc.xa-a")
    pending = iter(ids)
    codes = run_all(app, 50, lambda c: c.post(f"/api/v1/tasks/{next(pending)}/submit", headers=staff,
                                               json={"note": "Đã thực hiện"}))
    assert codes == [200] * 50  # no "database is locked" reaches anyone
    db.session.rollback()
    assert db.session.scalar(db.select(func.count()).select_from(Task).where(Task.state == "submitted")) == 50
    assert db.session.scalar(db.select(func.count()).select_from(TaskHistory)) == 50


def test_commune_cannot_review_its_own_task(client, work):
    action_id = work.tasks[("action", "xa-a")]
    chair = bearer(client, "ct.xa-a")
    client.post(f"/api/v1/tasks/{action_id}/submit", headers=chair, json={"note": "Đã làm"})
    assert client.post(f"/api/v1/tasks/{action_id}/review", headers=chair,
                       json={"decision": "accept"}).status_code == 403
    other = bearer(client, "ct.xa-b")
    assert client.post(f"/api/v1/tasks/{action_id}/review", headers=other,
                       json={"decision": "accept"}).status_code == 404
    assert task(action_id).state == "submitted"


def test_api_fills_and_submits_a_figures_report(client, work):
    figures_id = work.tasks[("figures", "xa-a")]
    staff = bearer(client, "mc.xa-a")
    bad = client.post(f"/api/v1/tasks/{figures_id}/submit", headers=staff, json={"figures": {
        "total": 10, "online_level3": 20, "online_level4": 0, "settled_online": 0}})
    assert bad.status_code == 422 and "không được lớn hơn" in bad.json["error"]
    ok = client.post(f"/api/v1/tasks/{figures_id}/submit", headers=staff, json={"figures": {
        "total": 120, "online_level3": 10, "online_level4": 5, "settled_online": 12}})
    assert ok.status_code == 200 and ok.json["state"] == "submitted"
    detail = client.get(f"/api/v1/tasks/{figures_id}", headers=staff).json
    assert detail["data"]["figures"]["period"] == "2022-05"
    assert [h["action"] for h in detail["history"]] == ["saved", "submitted"]


def test_api_figures_of_a_one_off_task_report_on_the_month_the_page_shows(client, tree):
    """A one-off figures task has no period: the API took none and refused with 422 where the page accepted."""
    clock.freeze(clock.parse_instant("2022-06-10T09:00:00"))
    directive = factories.make_directive(tree.district, number="10/UBND-VP")
    requirement = factories.make_requirement(directive, "Báo cáo số liệu DVC", label="1", kind="figures")
    task_id = factories.make_task(requirement, tree.commune_a, date(2022, 6, 15), period="").id
    db.session.commit()
    staff = bearer(client, "mc.xa-a")
    ok = client.post(f"/api/v1/tasks/{task_id}/submit", headers=staff, json={"figures": {
        "total": 120, "online_level3": 10, "online_level4": 5, "settled_online": 12}})
    assert ok.status_code == 200 and ok.json["state"] == "submitted"
    assert client.get(f"/api/v1/tasks/{task_id}", headers=staff).json["data"]["figures"]["period"] == "2022-06"
