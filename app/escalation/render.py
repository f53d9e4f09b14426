"""What each mail says, rendered when it is sent: Python chooses the tasks, the title, the recipient and the
copies; the words and the layout, as plain text and HTML, are the templates under templates/mail/."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.core import clock
from app.directives.models import Directive
from app.escalation.ladder import AUDIENCE_ROLES
from app.escalation.models import TaskNotice
from app.escalation.policies import ladder_for
from app.extensions import db
from app.notices.models import Mail, Notice
from app.tasks.models import Task
from app.units.models import Unit


@dataclass
class Rendered:
    """A mail's subject, bodies and copies."""

    subject: str
    text: str
    html: str
    cc: list[str]


@dataclass(frozen=True)
class MailTask:
    """One task as a mail lists it (templates/mail/macros.*): its directive, requirement, due date, lateness, link."""

    number: str | None
    label: str | None
    summary: str
    due_on: date | None
    late_days: int
    link: str


def render(mail: Mail) -> Rendered | None:
    """The mail's content, or None when there is nothing left to say (never an empty mail)."""
    tasks, title = _content(mail)
    if not tasks:
        return None
    today = clock.today()
    units = [(name, [mail_task(task, today) for task in unit_tasks]) for name, unit_tasks in _by_unit(tasks).items()]
    return compose(mail, "tasks", title, units=units)


def compose(mail: Mail, template: str, title: str, **context) -> Rendered:
    """The mail written from templates/mail/<template>.txt and .html to its recipient, with its copies; the subject
    is the title on one line."""
    recipient = db.session.get(User, mail.recipient_id) if mail.recipient_id else None
    context.update(recipient=recipient, title=title)
    return Rendered(subject=one_line(f"[Theo dõi chỉ đạo] {title}")[:300],
                    text=render_template(f"mail/{template}.txt", **context),
                    html=render_template(f"mail/{template}.html", **context), cc=_cc(mail))


def one_line(text: str) -> str:
    """Text fit for a mail header: every run of whitespace, line breaks included, as one space."""
    return " ".join(text.split())


def _content(mail: Mail) -> tuple[list[Task], str]:
    """The tasks a mail is about, and its title line."""
    if mail.kind == "step":
        ids = select(TaskNotice.task_id).where(TaskNotice.batch == mail.batch, TaskNotice.step == mail.step,
                                               TaskNotice.unit_id == mail.unit_id)
        tasks = _tasks(Task.id.in_(ids))
        return tasks, _step_title(_step_offset(mail, tasks), len(tasks))
    if mail.kind in ("digest", "office"):
        tasks = _tasks(Task.state.in_(("open", "returned")), Task.due_on < mail.day,
                       Task.directive_id.in_(select(Directive.id).where(Directive.state == "published",
                                                                        Directive.issuer_unit_id == mail.unit_id)))
        units = len({t.unit_id for t in tasks})
        return tasks, (f"Tổng hợp nhiệm vụ quá hạn đến ngày {mail.day:%d/%m/%Y}: "
                       f"{len(tasks)} nhiệm vụ của {units} đơn vị")
    notice = db.session.get(Notice, mail.notice_id) if mail.notice_id else None
    if notice is None:
        return [], ""
    if mail.kind == "returned":
        return _tasks(Task.id == notice.task_id), f"Nhiệm vụ bị trả lại, cần thực hiện lại: {notice.body}"
    tasks = _tasks(Task.directive_id == notice.directive_id, Task.unit_id == notice.unit_id)
    return tasks, f"Đơn vị được giao {len(tasks)} nhiệm vụ mới"


def _step_title(offset: int, count: int) -> str:
    """The title of a ladder step's mail, from when the step comes: before, on or after the due date."""
    if offset < 0:
        return f"Nhắc việc: {count} nhiệm vụ sắp đến hạn"
    if offset == 0:
        return f"Hôm nay là hạn cuối của {count} nhiệm vụ"
    return f"Quá hạn: {count} nhiệm vụ chưa hoàn thành"


def _step_offset(mail: Mail, tasks: list[Task]) -> int:
    """The offset of the mail's step in the ladders of its tasks' directives (an office names steps as it likes).

    Tasks of several directives may share a mail under one step name; if any of
    them is past its due date by its ladder, the mail says so. A step no longer
    in its ladder (changed since the sweep) is judged by the due dates.
    """
    offsets = []
    for directive in {task.directive for task in tasks}:
        step = next((s for s in ladder_for(directive.issuer_unit_id, directive.id) if s.get("key") == mail.step), None)
        if step is not None and isinstance(step.get("offset"), int):
            offsets.append(step["offset"])
    if offsets:
        return max(offsets)
    due = [task.due_on for task in tasks if task.due_on and mail.day]
    if any(day < mail.day for day in due):
        return 1
    return 0 if due and all(day == mail.day for day in due) else -1


def _tasks(*conditions) -> list[Task]:
    return list(db.session.scalars(
        select(Task).where(*conditions)
        .options(joinedload(Task.unit), joinedload(Task.requirement), joinedload(Task.directive))
        .order_by(Task.unit_id, Task.due_on, Task.id)))


def _by_unit(tasks: list[Task]) -> dict[str, list[Task]]:
    grouped: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        grouped[task.unit.name].append(task)
    return grouped


def mail_task(task: Task, today: date) -> MailTask:
    """What a mail says of a task: the first line of its requirement (at most 160 characters), days overdue, link."""
    late = (today - task.due_on).days if task.due_on else 0
    return MailTask(number=task.directive.number, label=task.requirement.label,
                    summary=task.requirement.text.split("\n")[0][:160], due_on=task.due_on, late_days=max(late, 0),
                    link=f"{current_app.config['BASE_URL'].rstrip('/')}/tasks/{task.id}")


def _cc(mail: Mail) -> list[str]:
    """The addresses in copy: the unit's people in the roles the step names."""
    roles = [r for audience in mail.cc_roles or [] for r in AUDIENCE_ROLES.get(audience, ())]
    if not roles or mail.unit_id is None:
        return []
    return list(db.session.scalars(select(User.email).where(User.unit_id == mail.unit_id, User.role.in_(roles),
                                                            User.active.is_(True), User.email.is_not(None))))


def unit_name(unit_id: int | None) -> str:
    """A unit's name for the admin page."""
    unit = db.session.get(Unit, unit_id) if unit_id else None
    return unit.name if unit else ""
