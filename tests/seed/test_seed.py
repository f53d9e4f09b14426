"""`flask seed demo` and configuration rules of CONTRACT.md."""

import pytest
from sqlalchemy import func

from app import ConfigurationError, create_app
from app.auth.models import User
from app.directives.models import Directive
from app.extensions import db
from app.units.models import Unit
from tests.conftest import login


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(db.select(func.count()).select_from(model))


def test_seed_demo_is_idempotent(runner):
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    assert "Đơn vị: 24 mới" in first.output
    second = runner.invoke(args=["seed", "demo"])
    assert "Đơn vị: 0 mới, 24 tất cả" in second.output
    assert count(Unit) == 24
    assert count(User) == 3 + 23 * 3
    assert count(Directive) == 1
    chair = db.session.scalar(db.select(User).where(User.username == "ct.tai-son"))
    assert chair.email == "ct.tai-son@tuky.example" and chair.role == "unit_chair"
    assert chair.unit.name == "Xã Tái Sơn"
    directive = db.session.scalar(db.select(Directive))
    assert directive.state == "draft" and "479/UBND-VP" in directive.body


def test_demo_account_logs_in_with_the_demo_password(runner, client):
    runner.invoke(args=["seed", "demo"])
    assert login(client, "mc.tai-son", "demo-2022").status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Xã Tái Sơn" in page and "Chưa có nhiệm vụ" in page


def test_production_seed_creates_no_demo_accounts(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    result = runner.invoke(args=["seed", "demo"])
    assert "không tạo tài khoản mẫu" in result.output
    assert count(User) == 0 and count(Unit) == 24


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"APP_ENV": "production", "SECRET_KEY": None})


def test_postgres_urls_use_psycopg3(monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("DATABASE_URL", "postgresql://u@localhost/db")
    assert importlib.reload(config).Config.SQLALCHEMY_DATABASE_URI.startswith("postgresql+psycopg://")
    monkeypatch.delenv("DATABASE_URL")
    importlib.reload(config)


def test_database_connection_settings(app):
    """SQLite runs in WAL mode with a busy timeout; PostgreSQL goes through psycopg 3."""
    if db.engine.dialect.name == "postgresql":
        assert db.engine.dialect.driver == "psycopg"
        return
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
