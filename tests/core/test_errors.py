"""Unexpected errors reach users in Vietnamese, with an incident id, never a trace."""

from contextlib import contextmanager

from sqlalchemy import text

from app.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD


@contextmanager
def table_missing(name: str):
    """A real fault: the table the page reads is gone for a moment."""
    with db.engine.begin() as conn:
        conn.execute(text(f"ALTER TABLE {name} RENAME TO {name}_gone"))
    try:
        yield
    finally:
        with db.engine.begin() as conn:
            conn.execute(text(f"ALTER TABLE {name}_gone RENAME TO {name}"))


def test_unexpected_error_shows_a_vietnamese_page_with_an_incident_id(app, client, tree, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    login(client, "mc.xa-a")
    db.session.rollback()
    with table_missing("tasks"):
        response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Đã có lỗi xảy ra" in page and "Mã sự cố" in page
    assert "Traceback" not in page and "sqlalchemy" not in page.lower()


def test_unexpected_api_error_answers_json(app, client, tree, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    token = client.post("/api/v1/auth/token", json={"username": "vanphong", "password": PASSWORD}).json["token"]
    db.session.rollback()
    with table_missing("directives"):
        response = client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200  # units do not need directives: the fault stays local
    with table_missing("units"):
        response = client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500
    assert response.json["error"].startswith("Đã có lỗi xảy ra") and response.json["incident"]


def test_missing_page_is_vietnamese(client, tree):
    login(client, "mc.xa-a")
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404 and "Không tìm thấy" in response.get_data(as_text=True)
