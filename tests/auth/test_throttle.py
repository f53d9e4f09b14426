"""Log-in throttling per (name, address) and per address, behind trusted proxies, counted in Redis (issue 12.4)."""

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from redis import Redis

from app import create_app
from app.core import clock
from app.core.models import AuditLog
from app.extensions import db
from tests.conftest import IsolatedClient, free_port, login
from tests.factories import PASSWORD

GUESSER, OWNER = "10.0.0.66", "10.0.0.7"
T0 = datetime(2025, 3, 3, 8, 0, tzinfo=timezone.utc)


def client_at(app, address: str | None = None, forwarded: str | None = None):
    """A browser at that address, or one behind the proxy whose X-Forwarded-For is given."""
    browser = app.test_client()
    if address:
        browser.environ_base["REMOTE_ADDR"] = address
    if forwarded:
        browser.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded
    return browser


def fail(browser, times: int = 5, username: str = "mc.xa-a") -> None:
    for _ in range(times):
        assert login(browser, username, "sai-mat-khau").status_code == 401


@contextmanager
def another_app(app, **overrides):
    """A second instance of the app on the same database, as another machine (or another setting) runs it."""
    keys = ("SQLALCHEMY_DATABASE_URI", "STORAGE_DIR", "OUTBOX_DIR", "REDIS_URL", "SMTP_HOST", "BASE_URL")
    other = create_app({"APP_ENV": "testing", **{key: app.config[key] for key in keys}, **overrides})
    other.test_client_class = IsolatedClient
    try:
        yield other
    finally:
        with other.app_context():
            db.engine.dispose()


def failure_addresses() -> list[str]:
    return list(db.session.scalars(db.select(AuditLog.address).where(AuditLog.action == "login_failed")))


def test_owner_at_another_address_logs_in_while_a_guessing_address_is_locked_out(app, tree):
    guesser = client_at(app, GUESSER)
    fail(guesser)
    refused = login(guesser, "mc.xa-a")  # even the right password waits, from there
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "quá nhiều lần" in page and "phút" in page and 'name="password"' in page  # beside the form
    assert login(client_at(app, OWNER), "mc.xa-a").status_code == 302  # a fresh address of the owner
    assert login(guesser, "mc.xa-b").status_code == 302  # the address itself is not locked


def test_the_refusal_says_how_long_and_ends_with_the_window(app, tree):
    clock.freeze(T0)
    guesser = client_at(app, GUESSER)
    fail(guesser)
    assert "thử lại sau 15 phút" in login(guesser, "mc.xa-a").get_data(as_text=True)
    clock.freeze(T0 + timedelta(minutes=10, seconds=30))
    assert "thử lại sau 5 phút" in login(guesser, "mc.xa-a").get_data(as_text=True)
    clock.freeze(T0 + timedelta(minutes=15, seconds=1))
    assert login(guesser, "mc.xa-a").status_code == 302


def test_the_api_refuses_with_a_vietnamese_json_error(app, tree):
    guesser = client_at(app, GUESSER)
    for _ in range(5):
        assert guesser.post("/api/v1/auth/token", json={"username": "mc.xa-a", "password": "sai"}).status_code == 401
    refused = guesser.post("/api/v1/auth/token", json={"username": "mc.xa-a", "password": PASSWORD})
    assert refused.status_code == 429
    assert "quá nhiều lần" in refused.json["error"] and "15 phút" in refused.json["error"]
    owner = client_at(app, OWNER).post("/api/v1/auth/token", json={"username": "mc.xa-a", "password": PASSWORD})
    assert owner.status_code == 200 and owner.json["token"]


def test_one_address_trying_many_names_is_stopped_for_every_name(app, tree, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILS_PER_ADDRESS", 3)
    guesser = client_at(app, GUESSER)
    for name in ("x1", "x2", "mc.xa-b"):
        fail(guesser, 1, name)
    refused = login(guesser, "mc.xa-a")
    assert refused.status_code == 429 and "địa chỉ mạng này" in refused.get_data(as_text=True)
    assert login(client_at(app, OWNER), "mc.xa-a").status_code == 302


def test_the_ceiling_of_an_account_spares_addresses_it_logged_in_from(app, tree, monkeypatch):
    """Guessing spread over many addresses meets a per-name ceiling; the owner's usual address does not."""
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILS_PER_ACCOUNT", 4)
    assert login(client_at(app, OWNER), "mc.xa-a").status_code == 302
    for address in ("10.0.1.1", "10.0.1.2"):
        fail(client_at(app, address), 2)
    refused = login(client_at(app, "10.0.1.3"), "mc.xa-a")
    assert refused.status_code == 429 and "Tài khoản này" in refused.get_data(as_text=True)
    assert login(client_at(app, OWNER), "mc.xa-a").status_code == 302


def test_behind_a_trusted_proxy_clients_are_throttled_apart(app, tree):
    with another_app(app, TRUSTED_PROXIES=1) as proxied:
        guesser = client_at(proxied, forwarded="203.0.113.66")
        fail(guesser)
        assert login(guesser, "mc.xa-a").status_code == 429
        assert login(client_at(proxied, forwarded="203.0.113.7"), "mc.xa-a").status_code == 302
        # What the client itself wrote before the proxy's hop is not believed.
        assert login(client_at(proxied, forwarded="198.51.100.1, 203.0.113.66"), "mc.xa-a").status_code == 429
    assert set(failure_addresses()) == {"203.0.113.66"}


def test_without_trusted_proxies_a_forged_forwarded_for_does_not_escape(app, tree):
    fail(client_at(app, forwarded="203.0.113.66"))
    assert login(client_at(app, forwarded="198.51.100.9"), "mc.xa-a").status_code == 429
    assert set(failure_addresses()) == {"127.0.0.1"}


def test_redis_counts_outlive_requests_and_the_audit_rows_and_are_shared_by_app_instances(app, tree, redis_url):
    fail(client_at(app, GUESSER))
    assert len(Redis.from_url(redis_url).keys("login-fails:*")) == 3
    db.session.execute(db.delete(AuditLog))  # from here only Redis knows
    db.session.commit()
    assert login(client_at(app, GUESSER), "mc.xa-a").status_code == 429
    with another_app(app, REDIS_URL=redis_url) as second:
        assert login(client_at(second, GUESSER), "mc.xa-a").status_code == 429
        assert login(client_at(second, OWNER), "mc.xa-a").status_code == 302


def test_redis_window_follows_the_application_clock(app, tree, redis_url):
    clock.freeze(T0)
    guesser = client_at(app, GUESSER)
    fail(guesser)
    clock.freeze(T0 + timedelta(minutes=14))
    assert "thử lại sau 1 phút" in login(guesser, "mc.xa-a").get_data(as_text=True)
    clock.freeze(T0 + timedelta(minutes=15, seconds=1))
    assert login(guesser, "mc.xa-a").status_code == 302


def test_with_redis_down_pages_answer_and_the_audit_log_keeps_throttling(app, tree, redis_url, monkeypatch):
    guesser = client_at(app, GUESSER)
    fail(guesser, 3)  # counted in Redis and in the audit log
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nobody listens there
    fail(guesser, 2)
    assert login(guesser, "mc.xa-a").status_code == 429
    api = guesser.post("/api/v1/auth/token", json={"username": "mc.xa-a", "password": PASSWORD})
    assert api.status_code == 429 and "phút" in api.json["error"]
    owner = client_at(app, OWNER)
    assert owner.get("/login").status_code == 200
    assert login(owner, "mc.xa-a").status_code == 302
    assert owner.get("/").status_code == 200
