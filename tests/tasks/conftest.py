"""A published directive of the test district: a figures, an action and a written-report requirement."""

from datetime import date

import pytest

from app.core import clock
from app.extensions import db
from app.tasks.models import Task
from tests import factories


@pytest.fixture
def work(tree):
    """Tasks of commune A and B for three requirements, due 15/06/2022; today is 10/06/2022."""
    clock.freeze(clock.parse_instant("2022-06-10T09:00:00"))
    directive = factories.make_directive(tree.district, number="9/UBND-VP")
    kinds = {"figures": "Báo cáo số liệu tháng", "action": "Tổ chức tuyên truyền", "written_report": "Báo cáo khó khăn"}
    tasks = {}
    for label, (kind, text) in enumerate(kinds.items(), start=1):
        requirement = factories.make_requirement(directive, text, label=str(label), kind=kind)
        for unit in (tree.commune_a, tree.commune_b):
            tasks[(kind, unit.slug)] = factories.make_task(requirement, unit, date(2022, 6, 15),
                                                           period="2022-05" if kind == "figures" else "")
    db.session.flush()
    tree.tasks = {key: task.id for key, task in tasks.items()}
    db.session.commit()  # and no read transaction left open: tests read fresh snapshots
    return tree


def task(task_id: int) -> Task:
    """A fresh copy of a task as the database has it now."""
    db.session.rollback()
    return db.session.get(Task, task_id)
