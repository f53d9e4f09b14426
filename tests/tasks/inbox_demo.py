"""The demo with one task of every inbox section for Xã Tái Sơn, made through the services a browser's
requests call: published on 20/05/2022, handed in, returned and accepted, then seen on 01/06/2022."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.core import clock
from app.directives import services as directive_services
from app.extensions import db
from app.seed.services import seed_demo
from app.tasks import fanout
from app.tasks import services as task_services
from app.tasks.models import Task
from app.units.queries import by_slug

#: The day the inbox is looked at.
TODAY = "2022-06-01T09:00:00"
#: One requirement per section, with its due date (None: no deadline), in the order the inbox shows them.
REQUIREMENTS = [
    ("returned", "Rà soát danh sách hộ nghèo cuối năm", "2022-06-20"),
    ("overdue", "Báo cáo kết quả tiêm chủng đợt 2", "2022-05-25"),
    ("due_soon", "Treo băng rôn tuyên truyền Tháng hành động", "2022-06-03"),
    ("open", "Tổ chức hội nghị đối thoại với nhân dân", "2022-06-30"),
    ("open", "Kiện toàn tổ công nghệ số cộng đồng", None),
    ("submitted", "Cập nhật hồ sơ đất đai vào phần mềm", "2022-06-15"),
    ("done", "Dọn vệ sinh môi trường khu dân cư", "2022-06-10"),
]


def user(username: str) -> User:
    """A demo account."""
    return db.session.scalar(select(User).where(User.username == username))


def build_inbox() -> list[int]:
    """Publish the directive to Tái Sơn, act on its tasks, freeze the clock at TODAY; the task ids in the order
    the inbox must show them."""
    seed_demo()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    office, staff = user("vanphong"), user("mc.tai-son")
    rows = [{"label": str(n), "text": text, "deadline": {"kind": "date", "date": due} if due else None}
            for n, (_section, text, due) in enumerate(REQUIREMENTS, start=1)]
    directive = directive_services.create_draft(office.unit, office, {
        "number": "601/UBND-VP", "subject": "Các việc trọng tâm tháng 6", "requirements": rows})
    for requirement in directive.requirements:
        requirement.kind = "action"  # handed in with a note alone
    fanout.publish(directive, office, [by_slug("tai-son").id])
    db.session.commit()
    tasks = {t.requirement.text: t for t in db.session.scalars(select(Task).where(Task.directive_id == directive.id))}
    ordered = [tasks[text] for _section, text, _due in REQUIREMENTS]
    clock.freeze(clock.parse_instant("2022-05-21T09:00:00"))
    for section, task in zip((s for s, _t, _d in REQUIREMENTS), ordered):
        if section in ("returned", "submitted", "done"):
            task_services.submit(task, staff, "Đã thực hiện xong")
    clock.freeze(clock.parse_instant("2022-05-22T09:00:00"))
    task_services.review(ordered[0], office, "return", "Thiếu danh sách hộ cận nghèo")
    task_services.review(ordered[-1], office, "accept", None)
    db.session.commit()
    clock.freeze(clock.parse_instant(TODAY))
    return [task.id for task in ordered]
