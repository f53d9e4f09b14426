"""Recurring requirements: each later period's task is created when its period opens."""

from sqlalchemy import func

from app.core import clock
from app.directives import services
from app.directives.models import Directive
from app.extensions import db
from app.tasks import fanout
from app.tasks.models import Task
from tests import factories
from workers.schedule import tick

MONTHLY = {"kind": "recurring", "freq": "monthly", "day": 25}


def publish_monthly(tree, on: str) -> Directive:
    clock.freeze(clock.parse_instant(on))
    directive = factories.make_directive(tree.district, state="draft")
    factories.make_requirement(directive, "Báo cáo số liệu hằng tháng", deadline=MONTHLY, kind="figures")
    db.session.refresh(directive)
    fanout.publish(directive, tree.users["office"], [tree.commune_a.id, tree.commune_b.id])
    db.session.commit()
    return directive


def periods(unit) -> list[tuple[str, str]]:
    db.session.rollback()
    rows = db.session.execute(db.select(Task.period, Task.due_on).where(Task.unit_id == unit.id).order_by(Task.period))
    return [(p, d.isoformat()) for p, d in rows]


def test_publishing_after_the_due_day_starts_with_next_month(tree):
    publish_monthly(tree, "2022-05-26T08:00:00")
    assert periods(tree.commune_a) == [("2022-06", "2022-06-25")]


def test_the_job_catches_up_every_period_missed(tree):
    publish_monthly(tree, "2022-05-20T08:00:00")
    clock.freeze(clock.parse_instant("2022-08-10T08:00:00"))  # the job was down since May
    assert "open-new-periods" in tick()
    assert periods(tree.commune_a) == [("2022-05", "2022-05-25"), ("2022-06", "2022-06-25"),
                                       ("2022-07", "2022-07-25"), ("2022-08", "2022-08-25")]
    assert fanout.open_new_periods() == 0  # idempotent


def test_new_period_starts_fresh_and_closed_directive_stops(tree):
    directive = publish_monthly(tree, "2022-05-20T08:00:00")
    task = db.session.scalar(db.select(Task).where(Task.unit_id == tree.commune_a.id))
    task.state, task.data = "done", {"total": 10}
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-05-26T08:00:00"))
    fanout.open_new_periods()
    db.session.commit()
    june = db.session.scalar(db.select(Task).where(Task.unit_id == tree.commune_a.id, Task.period == "2022-06"))
    assert (june.state, june.data) == ("open", {})
    services.close(db.session.get(Directive, directive.id), tree.users["office"])
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-07-01T08:00:00"))
    assert fanout.open_new_periods() == 0
    assert db.session.scalar(db.select(func.count()).select_from(Task)) == 4
