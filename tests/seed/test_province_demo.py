"""`flask seed demo --province`: Hải Phòng after 1 July 2025, directing its 114 communes directly."""

from collections import Counter

from sqlalchemy import func

from app.auth.models import User
from app.directives.models import Directive
from app.extensions import db
from app.indicators.models import Target
from app.notices.models import Mail, Notice
from app.tasks.models import Task
from app.units.models import Unit
from tests.conftest import login


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(db.select(func.count()).select_from(model))


def seed(runner, *args):
    result = runner.invoke(args=["seed", "demo", *args])
    assert result.exit_code == 0, result.output
    return result.output


def city() -> Unit:
    db.session.rollback()
    return db.session.scalar(db.select(Unit).where(Unit.slug == "hai-phong"))


def communes() -> list[Unit]:
    return list(db.session.scalars(db.select(Unit).where(Unit.parent_id == city().id)))


def bearer(client, username: str) -> dict:
    token = client.post("/api/v1/auth/token", json={"username": username, "password": "demo-2022"}).json["token"]
    return {"Authorization": f"Bearer {token}"}


def test_province_demo_loads_the_city_its_114_communes_and_their_accounts(runner):
    output = seed(runner, "--province")
    assert "Đơn vị: 115 mới, 115 tất cả" in output and "Tài khoản: 345 mới" in output
    assert city().name == "UBND thành phố Hải Phòng" and city().kind == "province"
    assert Counter(unit.kind for unit in communes()) == {"ward": 45, "commune": 67, "special_zone": 2}
    chair = db.session.scalar(db.select(User).where(User.username == "ct.hp-tu-ky"))
    assert chair.unit.name == "Xã Tứ Kỳ" and chair.role == "unit_chair"
    assert chair.email == "ct.hp-tu-ky@haiphong.example" and chair.position == "Chủ tịch UBND xã Tứ Kỳ"
    zone = db.session.scalar(db.select(User).where(User.username == "bt.hp-cat-hai"))
    assert zone.position == "Bí thư Đảng ủy đặc khu Cát Hải"
    office = db.session.scalar(db.select(User).where(User.username == "vanphong.hai-phong"))
    assert office.role == "district_office" and office.unit.slug == "hai-phong"


def test_the_reference_directive_is_published_to_every_commune(runner, client):
    output = seed(runner, "--province")
    assert "Ban hành văn bản cho 114 đơn vị: 456 nhiệm vụ" in output
    directive = db.session.scalar(db.select(Directive))
    assert directive.state == "published" and directive.issuer.slug == "hai-phong"
    assert directive.issuer_name == "UBND thành phố Hải Phòng" and "479/UBND-VP" in directive.body
    assert len(directive.requirements) == 4
    per_unit = Counter(db.session.execute(db.select(Task.unit_id, Task.requirement_id)).all())
    assert set(per_unit.values()) == {1} and len(per_unit) == 4 * 114
    assert {unit_id for unit_id, _ in per_unit} == {unit.id for unit in communes()}
    board = client.get(f"/api/v1/tasks?directive={directive.id}&per_page=1",
                       headers=bearer(client, "vanphong.hai-phong"))
    assert board.status_code == 200 and board.headers["X-Total-Count"] == "456"


def test_a_commune_user_logs_in_and_sees_only_their_tasks(runner, client):
    seed(runner, "--province")
    own = client.get("/api/v1/tasks?per_page=100", headers=bearer(client, "mc.hp-tu-ky")).json
    tu_ky = db.session.scalar(db.select(Unit.id).where(Unit.slug == "hp-tu-ky"))
    assert len(own) == 4 and {task["unit_id"] for task in own} == {tu_ky}
    assert login(client, "mc.hp-tu-ky", "demo-2022").status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Xã Tứ Kỳ" in page and "Chưa có nhiệm vụ" not in page and "Xã Tân Kỳ" not in page


def test_a_second_run_adds_nothing(runner):
    seed(runner, "--province")
    before = [count(model) for model in (Unit, User, Directive, Task, Notice, Mail, Target)]
    output = seed(runner, "--province")
    assert "Đơn vị: 0 mới, 115 tất cả" in output and "Tài khoản: 0 mới" in output and "Ban hành" not in output
    assert [count(model) for model in (Unit, User, Directive, Task, Notice, Mail, Target)] == before


def test_both_demos_live_side_by_side(runner):
    seed(runner)
    output = seed(runner, "--province")
    assert "Đơn vị: 115 mới, 139 tất cả" in output
    assert count(User) == 3 + 23 * 3 + 3 + 114 * 3
    states = dict(db.session.execute(db.select(Unit.slug, Directive.state).join(Directive.issuer)).all())
    assert states == {"tu-ky": "draft", "hai-phong": "published"}


def test_production_creates_no_demo_accounts(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    output = seed(runner, "--province")
    assert "không tạo tài khoản mẫu" in output
    assert count(User) == 0 and count(Unit) == 115 and count(Task) == 456 and count(Mail) == 0
