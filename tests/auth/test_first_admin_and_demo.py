"""The first administrator of a production install, and demo accounts that never work there (issue 12.1, 12.2)."""

import pytest
from sqlalchemy import func

from app.auth.models import User
from app.extensions import db
from app.units.models import Unit
from tests.conftest import login
from tests.factories import PASSWORD, make_user


def users_named(username: str) -> list[User]:
    db.session.rollback()
    return list(db.session.scalars(db.select(User).where(User.username == username)))


def test_create_admin_asks_the_password_twice_and_the_admin_logs_in(client, runner, tree):
    result = runner.invoke(args=["users", "create-admin", "quantri", "--email", "qt@tinh.example"],
                           input="mat-khau-dai-1\nmat-khau-dai-1\n")
    assert result.exit_code == 0, result.output
    assert "Đã tạo quản trị viên quantri (UBND huyện Thử)" in result.output
    [admin] = users_named("quantri")
    assert admin.role == "admin" and admin.unit.slug == "huyen" and not admin.demo
    assert login(client, "quantri", "mat-khau-dai-1").status_code == 302


def test_create_admin_reads_the_password_from_stdin_and_refuses_a_short_one(runner, tree):
    short = runner.invoke(args=["users", "create-admin", "ngan", "--password-stdin"], input="1234\n")
    assert short.exit_code == 1 and "Mật khẩu phải có ít nhất 8 ký tự." in short.output
    assert users_named("ngan") == []
    ok = runner.invoke(args=["users", "create-admin", "qt2", "--password-stdin"], input="mot-mat-khau-dai\n")
    assert ok.exit_code == 0, ok.output
    assert len(users_named("qt2")) == 1


def test_create_admin_refuses_a_taken_name_and_an_unknown_unit(runner, tree):
    taken = runner.invoke(args=["users", "create-admin", "VanPhong", "--password-stdin"], input="mot-mat-khau-dai\n")
    assert taken.exit_code == 1 and "đã có" in taken.output
    unknown = runner.invoke(args=["users", "create-admin", "qt3", "--unit", "khong-co", "--password-stdin"],
                            input="mot-mat-khau-dai\n")
    assert unknown.exit_code == 1 and "Không có đơn vị này" in unknown.output and users_named("qt3") == []


def test_on_an_empty_install_create_admin_makes_the_root_unit(runner):
    result = runner.invoke(args=["users", "create-admin", "quantri", "--unit", "tinh-hd", "--unit-name",
                                 "UBND tỉnh Hải Dương", "--password-stdin"], input="mot-mat-khau-dai\n")
    assert result.exit_code == 0, result.output
    db.session.rollback()
    root = db.session.scalar(db.select(Unit).where(Unit.slug == "tinh-hd"))
    assert root.parent_id is None and root.kind == "province" and users_named("quantri")[0].unit_id == root.id


@pytest.fixture
def production(app, monkeypatch):
    """The app answering as in production (only what the log-in checks read)."""
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    monkeypatch.setitem(app.config, "DEMO_PASSWORD", PASSWORD)


def test_in_production_a_demo_account_gets_neither_a_session_nor_a_token(client, tree, production):
    make_user("mc.demo", "unit_staff", tree.commune_a, demo=True)
    db.session.commit()
    page = login(client, "mc.demo")
    assert page.status_code == 403 and "Tài khoản mẫu" in page.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not logged in
    token = client.post("/api/v1/auth/token", json={"username": "mc.demo", "password": PASSWORD})
    assert token.status_code == 403 and "Tài khoản mẫu" in token.json["error"] and "token" not in token.json


def test_in_production_the_demo_password_is_refused_on_any_account(client, tree, production):
    """A development database copied into production: its accounts are not marked, their password is the demo one."""
    token = client.post("/api/v1/auth/token", json={"username": "mc.xa-a", "password": PASSWORD})
    assert token.status_code == 403


def test_in_production_create_admin_refuses_the_demo_password(app, runner, tree, production):
    result = runner.invoke(args=["users", "create-admin", "quantri", "--password-stdin"], input=f"{PASSWORD}\n")
    assert result.exit_code == 1 and "mật khẩu của dữ liệu mẫu" in result.output and users_named("quantri") == []


def test_outside_production_demo_accounts_log_in(client, tree):
    make_user("mc.demo", "unit_staff", tree.commune_a, demo=True)
    db.session.commit()
    assert login(client, "mc.demo").status_code == 302


def test_the_demo_seed_marks_its_accounts(runner):
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    db.session.rollback()
    demo = db.session.scalar(db.select(func.count()).select_from(User).where(User.demo.is_(True)))
    assert demo == db.session.scalar(db.select(func.count()).select_from(User)) > 0
