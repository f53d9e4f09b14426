"""The API's contract: tokens, paging, OpenAPI in step, health, JSON errors."""

from datetime import timedelta

from app.core import clock
from tests.factories import PASSWORD


def token(client, username="vanphong"):
    return client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).json["token"]


def test_wrong_credentials_get_401_in_vietnamese(client, tree):
    response = client.post("/api/v1/auth/token", json={"username": "vanphong", "password": "sai"})
    assert response.status_code == 401 and "không đúng" in response.json["error"]
    assert client.post("/api/v1/auth/token", data="x").status_code == 400


def test_token_expires(client, tree):
    bearer = {"Authorization": f"Bearer {token(client)}"}
    assert client.get("/api/v1/units", headers=bearer).status_code == 200
    clock.freeze(clock.now() + timedelta(hours=13))
    assert client.get("/api/v1/units", headers=bearer).status_code == 401


def test_tokens_are_stored_hashed(client, tree):
    from app.auth.models import ApiToken
    from app.extensions import db

    issued = token(client)
    stored = db.session.scalars(db.select(ApiToken.token_hash)).all()
    assert stored and issued not in stored


def test_lists_are_paged_with_the_total_in_a_header(client, tree):
    bearer = {"Authorization": f"Bearer {token(client)}"}
    response = client.get("/api/v1/units?per_page=2&page=2", headers=bearer)
    assert response.headers["X-Total-Count"] == "3"
    assert len(response.json) == 1
    assert client.get("/api/v1/units?per_page=5000", headers=bearer).status_code == 200


def test_openapi_lists_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule == "/healthz":
            path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
            assert path in spec["paths"], path
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert method.lower() in spec["paths"][path], f"{method} {path}"


def test_healthz(client):
    assert client.get("/healthz").json == {"db": "ok", "queue": "inline"}


def test_healthz_with_redis(client, redis_url):
    assert client.get("/healthz").json == {"db": "ok", "queue": "ok"}


def test_unknown_api_path_answers_json_in_vietnamese(client, tree):
    response = client.get("/api/v1/khong-co", headers={"Authorization": f"Bearer {token(client)}"})
    assert response.status_code == 404 and response.json["error"].startswith("Không tìm thấy")


def test_a_query_parameter_the_document_does_not_name_or_sends_empty_is_a_400(client, tree):
    bearer = {"Authorization": f"Bearer {token(client)}"}
    typo = client.get("/api/v1/tasks?directve=3", headers=bearer)
    assert typo.status_code == 400 and '"directve"' in typo.json["error"]
    empty = client.get("/api/v1/tasks?state=", headers=bearer)
    assert empty.status_code == 400 and "để trống" in empty.json["error"]
    assert client.get("/api/v1/tasks?directive=-1", headers=bearer).status_code == 400
    assert client.get("/api/v1/units?page=0", headers=bearer).status_code == 400
    assert client.get("/api/v1/tasks?period=2022-13-99x", headers=bearer).status_code == 400
    assert client.get("/api/v1/tasks?period=2022-Q2&state=open", headers=bearer).status_code == 200


def test_publish_and_follow_up_take_an_empty_body_as_the_defaults(client, tree):
    from app.extensions import db
    from tests import factories

    draft = factories.make_directive(tree.district, state="draft")
    factories.make_requirement(draft)
    db.session.commit()
    bearer = {"Authorization": f"Bearer {token(client)}"}
    published = client.post(f"/api/v1/directives/{draft.id}/publish", headers=bearer)
    assert published.status_code == 200 and published.json["tasks_created"] == 2
