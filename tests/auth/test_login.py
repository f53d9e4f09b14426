"""Log-in, log-out, sessions, CSRF, throttling and password storage (RELIABILITY 10-13)."""


import pytest
from sqlalchemy import func

from app.auth.models import User
from app.core.models import AuditLog
from app.extensions import db
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD


def audit_actions():
    return list(db.session.scalars(db.select(AuditLog.action).order_by(AuditLog.id)))


def test_login_shows_the_units_empty_inbox_and_logout_ends_it(client, tree):
    response = login(client, "mc.xa-a")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Xã A" in page and "Chưa có nhiệm vụ" in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/").status_code == 302
    assert audit_actions() == ["login", "logout"]


def test_wrong_password_and_unknown_user_get_the_same_vietnamese_answer(client, tree):
    wrong = login(client, "mc.xa-a", "sai-mat-khau")
    unknown = login(client, "khong-co-ai", "sai-mat-khau")
    assert wrong.status_code == unknown.status_code == 401
    message = "Tên đăng nhập hoặc mật khẩu không đúng."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert audit_actions() == ["login_failed", "login_failed"]


def test_logout_is_a_post_only(client, tree):
    login(client, "mc.xa-a")
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_form_without_csrf_token_is_refused_and_changes_nothing(client, tree):
    response = client.post("/login", data={"username": "mc.xa-a", "password": PASSWORD})
    assert response.status_code == 400
    assert "biểu mẫu không hợp lệ" in response.get_data(as_text=True)
    login(client, "mc.xa-a")
    before = db.session.scalar(db.select(User.password_hash).where(User.username == "mc.xa-a"))
    response = client.post("/account/password",
                           data={"current": PASSWORD, "new": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(db.select(User.password_hash).where(User.username == "mc.xa-a")) == before


def _session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else ""


def test_copied_cookie_is_refused_after_logout(app, client, tree):
    login(client, "mc.xa-a")
    stolen = _session_cookie(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.location


def test_copied_cookie_is_refused_after_password_change(app, client, tree):
    login(client, "mc.xa-a")
    stolen = _session_cookie(client)
    token = csrf_token(client, "/account/password")
    response = client.post("/account/password", data={"current": PASSWORD, "new": "mat-khau-moi-1",
                                                      "confirm": "mat-khau-moi-1", "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # the changer stays logged in
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/").status_code == 302


def test_login_starts_a_new_session(client, tree):
    """Session fixation: what an attacker planted before log-in is not carried over."""
    client.get("/login")
    planted = _session_cookie(client)
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    login(client, "mc.xa-a")
    assert _session_cookie(client) != planted
    with client.session_transaction() as session:
        assert "planted" not in session


def test_disabled_user_is_refused_on_the_next_request(client, tree):
    login(client, "mc.xa-a")
    assert client.get("/").status_code == 200
    tree.users["staff_a"].active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_moved_user_sees_the_new_unit_only_after_logging_in_again(client, tree):
    login(client, "mc.xa-a")
    user = tree.users["staff_a"]
    from app.admin.services import move_user

    move_user(user, tree.commune_b, "unit_staff")
    db.session.commit()
    assert client.get("/").status_code == 302  # the old session ended


def test_passwords_are_stored_as_scrypt_hashes(tree):
    hashes = db.session.scalars(db.select(User.password_hash)).all()
    assert hashes and all(h.startswith("scrypt:") for h in hashes)
    assert all(PASSWORD not in h for h in hashes)


def test_repeated_failures_are_refused_with_429_per_account(client, tree):
    for _ in range(5):
        assert login(client, "mc.xa-a", "sai").status_code == 401
    refused = login(client, "mc.xa-a", PASSWORD)  # even the right password waits
    assert refused.status_code == 429
    assert "quá nhiều lần" in refused.get_data(as_text=True)
    assert login(client, "mc.xa-b").status_code == 302  # another account is not blocked


def test_unknown_names_are_throttled_like_real_ones(client, tree):
    for _ in range(5):
        login(client, "khong-co-ai", "sai")
    assert login(client, "khong-co-ai", "sai").status_code == 429


def test_repeated_failures_from_one_address_are_refused(app, client, tree):
    app.config["LOGIN_MAX_FAILS_PER_ADDRESS"] = 3
    try:
        for name in ("x1", "x2", "x3"):
            login(client, name, "sai")
        assert login(client, "mc.xa-a").status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILS_PER_ADDRESS"] = 20


def test_session_cookie_flags(client, tree):
    response = login(client, "mc.xa-a")
    header = response.headers.get("Set-Cookie")
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_production_cookie_is_secure():
    from app import create_app

    app = create_app({"APP_ENV": "production", "SECRET_KEY": "x" * 32})
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("target", ["//evil.example/", "/%09/evil.example", "/%0d%0a/evil.example", "/\\evil.example",
                                    "/%5Cevil.example", "https://evil.example/", "/%20/evil.example",
                                    "%2F%2Fevil.example"])
def test_next_parameter_cannot_leave_the_site(client, tree, target):
    """A browser drops tabs and line breaks and reads a backslash as a slash: "/\t/evil.example" is //evil.example."""
    token = csrf_token(client)
    response = client.post(f"/login?next={target}", data={"username": "mc.xa-a", "password": PASSWORD,
                                                          "csrf_token": token})
    assert response.location == "/"


def test_next_parameter_keeps_a_path_of_the_site(client, tree):
    token = csrf_token(client)
    response = client.post("/login?next=/tasks%3Fgroup%3Doverdue", data={"username": "mc.xa-a", "password": PASSWORD,
                                                                         "csrf_token": token})
    assert response.location == "/tasks?group=overdue"


def test_failed_logins_are_counted_in_audit_without_the_password(client, tree):
    login(client, "mc.xa-a", "bi-mat-sai")
    row = db.session.scalar(db.select(AuditLog).where(AuditLog.action == "login_failed"))
    assert row.detail == {"username": "mc.xa-a"} and row.address == "127.0.0.1"
    assert db.session.scalar(db.select(func.count()).select_from(AuditLog)) == 1


def test_only_the_token_api_is_exempt_from_csrf(app):
    """Every form route checks CSRF; the API is exempt because it accepts bearer tokens only."""
    from app.extensions import csrf

    assert {bp.name for bp in csrf._exempt_blueprints} == {"api"} and not csrf._exempt_views
