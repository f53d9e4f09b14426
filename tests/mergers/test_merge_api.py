"""POST /api/v1/units/merge (issue 18): the administrator merges three demo communes after the reference directive
was published and one of them handed in; every refusal is a Vietnamese 4xx that stores nothing."""

from sqlalchemy import func, select

from app.auth.models import User
from app.core.models import AuditLog
from app.extensions import db
from app.tasks.models import Task
from app.units.models import Unit
from app.units.queries import by_slug
from tests.mergers.test_merge import OLD, first_task, published_and_worked, token
from tests.test_isolation import snapshot

URL = "/api/v1/units/merge"
BODY = {"into": "son-hop", "name": "Xã Sơn Hợp", "parent": None, "on": "2022-06-01", "units": OLD,
        "chair": "ct.quang-phuc"}


def test_the_admin_merges_three_communes_and_gets_the_new_unit(client, runner):
    published_and_worked(client, runner)
    answer = client.post(URL, headers=token(client, "admin"), json=BODY)
    assert answer.status_code == 200, answer.json
    db.session.rollback()
    unit = by_slug("son-hop")
    assert answer.json == {"id": unit.id, "slug": "son-hop", "name": "Xã Sơn Hợp", "kind": "commune",
                           "parent_id": by_slug("tu-ky").id}
    tasks = list(db.session.scalars(select(Task).where(Task.unit_id == unit.id)))
    assert len(tasks) == 4 and {t.state for t in tasks} == {"open"}
    assert all(by_slug(slug).merged_into_id == unit.id for slug in OLD)
    chair = db.session.scalar(select(User).where(User.username == "ct.quang-phuc"))
    assert chair.unit_id == unit.id and chair.role == "unit_chair"
    listed = client.get("/api/v1/units?per_page=1000", headers=token(client, "vanphong")).json
    assert "son-hop" in {u["slug"] for u in listed}
    again = client.post(URL, headers=token(client, "admin"), json={**BODY, "into": "son-hop-2", "chair": None})
    assert again.status_code == 422 and "đã được sáp nhập vào Xã Sơn Hợp" in again.json["error"]


def test_the_parent_and_the_day_may_be_left_out(client, runner):
    published_and_worked(client, runner)
    answer = client.post(URL, headers=token(client, "admin"), json={"into": "ha-ky-moi", "name": "Phường Hà Kỳ",
                                                                    "units": ["ha-ky", "van-to"]})
    assert answer.status_code == 200, answer.json
    assert answer.json["kind"] == "ward" and answer.json["parent_id"] == by_slug("tu-ky").id
    db.session.rollback()
    assert str(by_slug("ha-ky").merged_on) == "2022-06-01"  # the frozen clock's today


#: (what is changed in the body, the status, a part of the message).
REFUSALS = [
    ({"into": None}, 422, 'Thiếu trường "into"'),
    ({"into": 12}, 422, 'Trường "into" phải là chuỗi'),
    ({"into": "Sơn Hợp"}, 422, "chữ thường không dấu"),
    ({"into": "s" * 81}, 422, "tối đa 80"),
    ({"into": "tu-ky"}, 422, "Mã đơn vị tu-ky đã có"),
    ({"name": "  "}, 422, 'Thiếu trường "name"'),
    ({"name": ["Xã"]}, 422, 'Trường "name" phải là chuỗi'),
    ({"units": "tai-son"}, 422, 'Trường "units" phải là danh sách'),
    ({"units": [1, 2]}, 422, 'Trường "units" phải là danh sách'),
    ({"units": ["tai-son"]}, 422, "Cần ít nhất hai đơn vị"),
    ({"units": ["tai-son", "tai-son"]}, 422, "Cần ít nhất hai đơn vị"),
    ({"units": ["tai-son", "khong-co"]}, 422, "Không tìm thấy đơn vị: khong-co"),
    ({"units": ["tai-son", "tu-ky"]}, 422, "không phải đơn vị cấp xã"),
    ({"on": "2022-13-01"}, 422, 'Trường "on": ngày không hợp lệ'),
    ({"on": "01/06/2022"}, 422, 'Trường "on": ngày không hợp lệ'),
    ({"on": 20220601}, 422, 'Trường "on" phải là chuỗi'),
    ({"on": "2022-06-02"}, 422, "không được sau ngày hôm nay"),
    ({"parent": "ha-ky"}, 422, "là đơn vị cấp xã, không thể là cấp trên"),
    ({"parent": "khong-co"}, 422, "Không tìm thấy đơn vị: khong-co"),
    ({"chair": "ct.van-to"}, 422, "không thuộc các đơn vị được sáp nhập"),
]


def test_each_bad_call_is_refused_in_vietnamese_and_stores_nothing(app, client, runner):
    published_and_worked(client, runner)
    admin = token(client, "admin")
    before = snapshot(app)
    for change, status, message in REFUSALS:
        answer = client.post(URL, headers=admin, json={**BODY, **change})
        assert answer.status_code == status and message in answer.json["error"], (change, answer.json)
    not_json = client.post(URL, headers=admin, data="units=tai-son")
    assert not_json.status_code == 400 and "đối tượng JSON" in not_json.json["error"]
    assert snapshot(app) == before
    assert first_task("tai-son").state == "submitted"


def test_only_the_admin_may_merge_the_others_get_403_whatever_they_send(app, client, runner):
    published_and_worked(client, runner)
    headers = {name: token(client, name) for name in ("vanphong", "chutich", "ct.tai-son", "mc.tai-son")}
    units_before = db.session.scalar(select(func.count()).select_from(Unit))
    for name, bearer in headers.items():
        for body in (BODY, {"units": "x"}, {}):
            answer = client.post(URL, headers=bearer, json=body)
            assert answer.status_code == 403 and "không có quyền" in answer.json["error"], (name, answer.json)
    assert client.post(URL, json=BODY).status_code == 401
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Unit)) == units_before
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "access_denied")) \
        == 12
