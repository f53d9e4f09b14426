"""The directives API: drafts from text and files, reading, publishing (CONTRACT.md)."""

import io

from sqlalchemy import func

from app.core import clock
from app.directives.models import Directive
from app.extensions import db
from app.seed.services import REFERENCE_DIRECTIVE, seed_demo
from app.tasks.models import Task

HEADERS = {}


def bearer(client, username="vanphong", password="demo-2022"):
    token = client.post("/api/v1/auth/token", json={"username": username, "password": password}).json["token"]
    return {"Authorization": f"Bearer {token}"}


def seeded():
    seed_demo()
    db.session.commit()


def tasks_count() -> int:
    db.session.rollback()
    return db.session.scalar(db.select(func.count()).select_from(Task))


def test_reference_directive_uploaded_and_published_gives_92_tasks(client):
    seeded()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    auth = bearer(client)
    response = client.post("/api/v1/directives", headers=auth, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(REFERENCE_DIRECTIVE.read_bytes()), "cong-van.txt")})
    assert response.status_code == 201, response.json
    draft = response.json
    assert [r["label"] for r in draft["requirements"]] == ["1", "2", "3", None]
    assert all(r["id"] for r in draft["requirements"])
    assert [r["kind"] for r in draft["requirements"]] == ["action", "action", "inventory", "figures"]
    assert draft["references"][0]["number"] == "479/UBND-VP"
    assert len(draft["named_units"]) == 9 and all(n["unit_id"] for n in draft["named_units"])
    assert draft["named_units"][0]["name"] == "Tái Sơn"
    response = client.post(f"/api/v1/directives/{draft['id']}/publish", headers=auth, json={"units": "all"})
    assert response.json == {"tasks_created": 92}
    tasks = client.get(f"/api/v1/tasks?directive={draft['id']}&per_page=1000", headers=auth)
    assert tasks.headers["X-Total-Count"] == "92"
    assert len({t["unit_id"] for t in tasks.json}) == 23
    monthly = [t for t in tasks.json if t["label"] is None]
    assert {(t["period"], t["due_on"]) for t in monthly} == {("2022-05", "2022-05-25")}
    assert {t["group"] for t in tasks.json} == {"no_deadline", "open_on_time"}


def test_typed_directive_with_overrides_and_deadline_rules(client):
    seeded()
    clock.freeze(clock.parse_instant("2022-04-29T09:00:00"))  # a Friday before 30/4 and 1/5
    auth = bearer(client)
    body = {"number": "700/UBND-VP", "issued_on": "2022-04-29", "subject": "Rà soát hồ sơ",
            "body": "Kính gửi: Chủ tịch UBND các xã, thị trấn.\n\n1. Rà soát hồ sơ tồn đọng.\n"
                    "2. Báo cáo kết quả trong thời hạn 05 ngày làm việc.\n"}
    draft = client.post("/api/v1/directives", headers=auth, json=body).json
    assert (draft["number"], draft["issued_on"], draft["subject"]) == ("700/UBND-VP", "2022-04-29", "Rà soát hồ sơ")
    first, second = draft["requirements"]
    response = client.post(f"/api/v1/directives/{draft['id']}/publish", headers=auth, json={
        "units": [u["id"] for u in client.get("/api/v1/units", headers=auth).json if u["slug"] in ("tai-son", "ha-ky")],
        "deadlines": {str(first["id"]): {"kind": "date", "date": "2022-06-15"}},
    })
    assert response.json == {"tasks_created": 4}
    tasks = client.get(f"/api/v1/tasks?directive={draft['id']}", headers=auth).json
    due = {t["label"]: t["due_on"] for t in tasks}
    assert due["1"] == "2022-06-15"
    assert due["2"] == "2022-05-10"  # 5 working days, skipping 30/4, 1/5 and the days off of 2-3/5


def test_bad_input_is_refused_in_vietnamese_and_stores_nothing(client):
    seeded()
    auth = bearer(client)
    before = db.session.scalar(db.select(func.count()).select_from(Directive))
    no_requirements = client.post("/api/v1/directives", headers=auth,
                                  json={"body": "Ủy ban nhân dân xã thông báo lịch họp chợ."})
    assert no_requirements.status_code == 422 and "Không tìm thấy yêu cầu" in no_requirements.json["error"]
    bad_date = client.post("/api/v1/directives", headers=auth,
                           json={"issued_on": "14/4/2022", "body": "1. Giao các xã rà soát hồ sơ."})
    assert bad_date.status_code == 422 and "YYYY-MM-DD" in bad_date.json["error"]
    wrong_type = client.post("/api/v1/directives", headers=auth, content_type="multipart/form-data",
                             data={"file": (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100), "cong-van.pdf")})
    assert wrong_type.status_code == 422 and wrong_type.json["error"]
    old_word = client.post("/api/v1/directives", headers=auth, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600), "cv.doc")})
    assert old_word.status_code == 422 and ".docx" in old_word.json["error"]
    assert client.post("/api/v1/directives", headers=auth, data="x", content_type="application/json").status_code == 400
    db.session.rollback()
    assert db.session.scalar(db.select(func.count()).select_from(Directive)) == before


def test_publish_rules(client):
    seeded()
    auth = bearer(client)
    draft_id = db.session.scalar(db.select(Directive.id))
    bad_rule = client.post(f"/api/v1/directives/{draft_id}/publish", headers=auth,
                           json={"units": "all", "deadlines": {"999999": {"kind": "date", "date": "2022-06-15"}}})
    assert bad_rule.status_code == 422
    assert tasks_count() == 0
    commune = bearer(client, "ct.tai-son")
    assert client.post(f"/api/v1/directives/{draft_id}/publish", headers=commune, json={}).status_code == 404
    assert client.post("/api/v1/directives", headers=commune, json={"body": "1. Giao"}).status_code == 403
    assert client.post(f"/api/v1/directives/{draft_id}/publish", headers=auth, json={}).status_code == 200
    again = client.post(f"/api/v1/directives/{draft_id}/publish", headers=auth, json={})
    assert again.status_code == 409 and tasks_count() == 92


def test_commune_sees_a_published_directive_only_when_tasked(client):
    seeded()
    auth = bearer(client)
    draft_id = db.session.scalar(db.select(Directive.id))
    commune = bearer(client, "mc.tai-son")
    assert client.get(f"/api/v1/directives/{draft_id}", headers=commune).status_code == 404  # a draft
    client.post(f"/api/v1/directives/{draft_id}/publish", headers=auth, json={"units": "named"})
    assert client.get(f"/api/v1/directives/{draft_id}", headers=commune).status_code == 200
    other = bearer(client, "mc.dai-son")  # not among the named units
    assert client.get(f"/api/v1/directives/{draft_id}", headers=other).status_code == 404
    own = client.get("/api/v1/tasks", headers=commune).json
    assert len(own) == 4 and len({t["unit_id"] for t in own}) == 1
