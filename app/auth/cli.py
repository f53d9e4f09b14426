"""``flask users create-admin``: the first administrator of a new installation."""

import sys

import click
from flask.cli import AppGroup

from app.auth import services
from app.core.errors import DomainError
from app.extensions import db

users_cli = AppGroup("users", help="Tài khoản người dùng.")


@users_cli.command("create-admin")
@click.argument("username")
@click.option("--unit", "unit_slug", help="Mã (slug) đơn vị của tài khoản; mặc định là đơn vị gốc.")
@click.option("--unit-name", help="Khi chưa có đơn vị nào: tạo đơn vị gốc (cấp tỉnh) tên này, mã là --unit.")
@click.option("--email", help="Địa chỉ thư của quản trị viên.")
@click.option("--password-stdin", is_flag=True, help="Đọc mật khẩu từ stdin (một dòng) thay vì hỏi.")
def create_admin(username: str, unit_slug: str | None, unit_name: str | None, email: str | None,
                 password_stdin: bool) -> None:
    """Create an administrator account, asking for its password (or reading it from stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")
    try:
        user = services.create_admin(username, password, unit_slug, unit_name, email)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"Đã tạo quản trị viên {user.username} ({user.unit.name}).")
