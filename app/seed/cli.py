"""``flask seed demo [--province]``."""

import click
from flask.cli import AppGroup

from app.extensions import db
from app.seed.province import seed_demo_province
from app.seed.services import seed_demo

seed_cli = AppGroup("seed", help="Nạp dữ liệu mẫu.")


@seed_cli.command("demo")
@click.option("--province", is_flag=True,
              help="Thay cho huyện Tứ Kỳ năm 2022: thành phố Hải Phòng từ 01/7/2025, chỉ đạo trực tiếp 114 xã, "
                   "phường, đặc khu.")
def demo(province: bool):
    """Load the Tứ Kỳ demo data, or with --province the Hải Phòng one (idempotent)."""
    summary = seed_demo_province() if province else seed_demo()
    db.session.commit()
    for line in summary.lines():
        click.echo(line)
