"""``flask escalation sweep [--at ISO-8601]``."""

import json

import click
from flask.cli import AppGroup

from app.core import clock
from app.escalation.services import sweep_and_queue
from app.extensions import db

escalation_cli = AppGroup("escalation", help="Nhắc việc và báo cáo quá hạn.")


@escalation_cli.command("sweep")
@click.option("--at", "at", default=None, help="Chạy như thể đồng hồ chỉ thời điểm này (ISO-8601).")
def sweep_command(at: str | None) -> None:
    """One escalation pass; prints the notices recorded and the mails queued as JSON."""
    try:
        moment = clock.parse_instant(at) if at else clock.now()
    except ValueError:
        raise click.BadParameter("--at phải là thời điểm ISO-8601, ví dụ 2022-05-26T08:00:00") from None
    clock.freeze(moment)  # mails rendered and sent in this run read the same clock
    try:
        result = sweep_and_queue(moment)
        db.session.commit()
    finally:
        clock.freeze(None)
    click.echo(json.dumps(result.as_json()))
