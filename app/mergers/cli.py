"""``flask units merge`` and ``flask units move``."""

from datetime import date

import click
from flask.cli import AppGroup

from app.core.errors import DomainError
from app.extensions import db
from app.mergers.services import merge_units, move_unit

units_cli = AppGroup("units", help="Cây đơn vị: sáp nhập, chuyển đơn vị.")


def _day(_ctx, _param, value: str | None) -> date | None:
    """--on as YYYY-MM-DD, refused in Vietnamese otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"Ngày không hợp lệ: {value} (cần dạng YYYY-MM-DD).") from None


@units_cli.command("merge")
@click.option("--into", "into", required=True, help="Mã (slug) của đơn vị mới.")
@click.option("--name", required=True, help='Tên đơn vị mới, ví dụ "Xã Tân Kỳ".')
@click.option("--parent", default=None, help="Mã đơn vị cấp trên (mặc định: cấp trên của các đơn vị cũ).")
@click.option("--on", "on", default=None, callback=_day, help="Ngày sáp nhập YYYY-MM-DD (mặc định: hôm nay).")
@click.option("--chair", default=None, help="Tài khoản làm chủ tịch UBND đơn vị mới.")
@click.argument("olds", nargs=-1, required=True)
def merge(into, name, parent, on, chair, olds):
    """Merge communes into one new unit, in one transaction."""
    try:
        result = merge_units(into, name, list(olds), parent_slug=parent, on=on, chair=chair)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    for line in result.lines():
        click.echo(line)


@units_cli.command("move")
@click.argument("slug")
@click.option("--parent", required=True, help="Mã đơn vị cấp trên mới.")
def move(slug, parent):
    """Move a unit, with the units below it, to another parent."""
    try:
        unit, count = move_unit(slug, parent)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"Đã chuyển {unit.name} ({count} đơn vị) về {unit.parent.name}.")
