"""``flask seed demo``."""

import click
from flask.cli import AppGroup

from app.extensions import db
from app.seed.services import seed_demo

seed_cli = AppGroup("seed", help="Nạp dữ liệu mẫu.")


@seed_cli.command("demo")
def demo():
    """Load the Tứ Kỳ demo data (idempotent)."""
    summary = seed_demo()
    db.session.commit()
    for line in summary.lines():
        click.echo(line)
