"""Guidance (ý kiến chỉ đạo) on a whole directive: the chairman or the office writes once, and each unit it is
for (those overdue, or those chosen) gets an in-app notice and a mail to its chair and staff, the chair's with the
Party secretary in copy."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.core import audit, clock
from app.core.errors import DomainError, Forbidden
from app.core.jobs import enqueue_after_commit
from app.core.limits import is_id
from app.core.permissions import CHAIR_ROLES, allowed
from app.directives.forms import GuidanceForm
from app.directives.guidance import GUIDANCE_MAX, author_name, cited, guidance_of
from app.directives.models import Directive, DirectiveGuidance
from app.escalation.render import MailTask, Rendered, compose, mail_task
from app.extensions import db
from app.notices.models import Mail, Notice
from app.notices.services import mail_unit_notices
from app.tasks.models import Task
from app.tasks.queries import task_group
from app.units.models import Unit
from app.units.policy import visible_unit_ids

#: What a token may look like: the form's (`new_token`), or an API client's idempotency key.
TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")
UNFINISHED = ("open", "returned")


class GuidanceRefused(DomainError):
    """Guidance refused, with the form field its reason belongs beside."""

    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message, status)
        self.field = field


@dataclass(frozen=True)
class UnitChoice:
    """A unit of the directive as the form lists it: its name and how many of its tasks are overdue."""

    id: int
    unit_name: str
    overdue: int

    @property
    def name(self) -> str:
        """How the list of units shows it: the name, with the overdue tasks when there are some."""
        return f"{self.unit_name} — {self.overdue} nhiệm vụ quá hạn" if self.overdue else self.unit_name


def new_token() -> str:
    """A token for one filling of the form: sent twice, it gives the guidance once."""
    return uuid.uuid4().hex


def directive_units(directive: Directive, user) -> list[UnitChoice]:
    """The units given tasks of the directive that the user sees, each with its overdue tasks: the overdue
    ones first (those guidance is most often for), then by name."""
    overdue = func.sum(case((task_group() == "open_overdue", 1), else_=0))
    rows = db.session.execute(
        select(Unit.id, Unit.name, overdue).join(Task, Task.unit_id == Unit.id)
        .where(Task.directive_id == directive.id, Unit.id.in_(visible_unit_ids(user)))
        .group_by(Unit.id, Unit.name).order_by(overdue.desc(), Unit.name, Unit.id))
    return [UnitChoice(unit_id, name, int(count or 0)) for unit_id, name, count in rows]


def give_guidance(directive: Directive, user, body: str, target, token: str | None = None
                  ) -> tuple[DirectiveGuidance, bool]:
    """Give guidance to the units `target` names ("overdue", or a list of unit ids of the directive).

    Returns the guidance and whether it is new: the same form sent again (same token) gives back the first one
    and sends nothing. The caller commits; the mails leave after the commit.
    """
    if not allowed(user, "guide_directive", directive):
        raise Forbidden("Chỉ lãnh đạo và Văn phòng của đơn vị ban hành gửi được ý kiến chỉ đạo về văn bản.")
    if directive.state != "published":
        raise GuidanceRefused("Văn bản chưa ban hành hoặc đã kết thúc theo dõi: không gửi ý kiến chỉ đạo được.",
                              status=409)
    key = f"{directive.id}:{user.id}:{token if token and TOKEN.fullmatch(token) else new_token()}"
    earlier = _by_key(key)
    if earlier is not None:
        return earlier, False
    text = clean_body(body)
    unit_ids = target_units(directive, user, target)
    guidance, created = _new_guidance(directive, user, text, target == "overdue", key, unit_ids)
    if not created:
        return guidance, False
    _notify(guidance, directive, user, unit_ids)
    audit.record("guidance_given", directive, user=user, detail={"guidance_id": guidance.id, "units": len(unit_ids)})
    return guidance, True


def clean_body(body: str | None) -> str:
    """The text as typed, its line breaks as "\\n"; refused when empty or too long."""
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise GuidanceRefused("Vui lòng nhập nội dung ý kiến chỉ đạo.", "guidance")
    if len(text) > GUIDANCE_MAX:
        raise GuidanceRefused(f"Ý kiến chỉ đạo dài quá {GUIDANCE_MAX:,} ký tự.".replace(",", "."), "guidance")
    return text


def target_units(directive: Directive, user, target) -> list[int]:
    """The ids of the units the guidance goes to: those with an overdue task, or those chosen among the
    directive's units; refused, beside the field, when there is none."""
    units = directive_units(directive, user)
    if target == "overdue":
        ids = [u.id for u in units if u.overdue]
        if not ids:
            raise GuidanceRefused("Hiện không có đơn vị nào còn nhiệm vụ quá hạn: hãy chọn các đơn vị nhận ý kiến.",
                                  "reach")
        return ids
    if not isinstance(target, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in target):
        raise GuidanceRefused('Nơi nhận phải là "overdue" hoặc danh sách mã đơn vị.', "reach")
    if not target:
        raise GuidanceRefused("Vui lòng chọn ít nhất một đơn vị nhận ý kiến chỉ đạo.", "guide_units")
    known = {u.id for u in units}
    if not all(is_id(i) and i in known for i in target):
        raise GuidanceRefused("Đơn vị đã chọn không có nhiệm vụ của văn bản này.", "guide_units")
    return sorted(set(target))


def _by_key(key: str) -> DirectiveGuidance | None:
    return db.session.scalar(select(DirectiveGuidance).where(DirectiveGuidance.key == key))


def _new_guidance(directive: Directive, user, text: str, to_overdue: bool, key: str,
                  unit_ids: list[int]) -> tuple[DirectiveGuidance, bool]:
    """The guidance row with its units, and True; the row another request stored meanwhile under the same key,
    and False."""
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids))))
    try:
        with db.session.begin_nested():
            guidance = DirectiveGuidance(directive_id=directive.id, author_id=user.id, body=text,
                                         to_overdue=to_overdue, key=key, units=units)
            db.session.add(guidance)
    except IntegrityError:  # the same form, sent twice at once: the first one's row
        earlier = _by_key(key)
        if earlier is None:  # refused for another reason
            raise
        return earlier, False
    return guidance, True


def _notify(guidance: DirectiveGuidance, directive: Directive, user, unit_ids: list[int]) -> None:
    """One in-app notice per unit (keyed by guidance and unit), the mails to each unit's chair and staff (the
    chair's with the Party secretary in copy), sent once the transaction commits."""
    now, tasks = clock.now(), _task_of_each_unit(directive, unit_ids)
    subject = notice_subject(guidance, directive, user)
    db.session.execute(insert(Notice), [
        {"key": f"guidance:{guidance.id}:{unit_id}", "kind": "guidance", "channel": "in_app", "unit_id": unit_id,
         "directive_id": directive.id, "task_id": tasks.get(unit_id), "status": "sent", "attempts": 0,
         "created_at": now, "sent_at": now, "subject": subject, "body": guidance.body}
        for unit_id in unit_ids])
    of_guidance = (Notice.kind == "guidance", Notice.directive_id == directive.id,
                   Notice.key.startswith(f"guidance:{guidance.id}:"))
    mail_unit_notices(*of_guidance)
    notices = select(Notice.id).where(*of_guidance)
    chairs = select(User.id).where(User.role.in_(CHAIR_ROLES))
    db.session.execute(update(Mail).where(Mail.notice_id.in_(notices), Mail.recipient_id.in_(chairs))
                       .values(cc_roles=["secretary"]).execution_options(synchronize_session=False))
    for mail_id in db.session.scalars(select(Mail.id).where(Mail.notice_id.in_(notices), Mail.status == "pending")):
        enqueue_after_commit("workers.jobs.send_mail", mail_id, queue="emails")


def _task_of_each_unit(directive: Directive, unit_ids: list[int]) -> dict[int, int]:
    """For each unit, the task its notice opens: an overdue one first, then the next due, then any."""
    today = clock.today()
    rank = case((task_group(today) == "open_overdue", 0), (Task.state.in_(UNFINISHED), 1), else_=2)
    rows = db.session.execute(select(Task.unit_id, Task.id).where(Task.directive_id == directive.id,
                                                                  Task.unit_id.in_(unit_ids))
                              .order_by(Task.unit_id, rank, Task.due_on.is_(None), Task.due_on, Task.id))
    first: dict[int, int] = {}
    for unit_id, task_id in rows:
        first.setdefault(unit_id, task_id)
    return first


def notice_subject(guidance: DirectiveGuidance, directive: Directive, user) -> str:
    """The notice's one line: who, on which directive, the start of the text."""
    start = " ".join(guidance.body.split())
    start = start if len(start) <= 120 else start[:119].rstrip() + "…"
    return f"Ý kiến chỉ đạo của {author_name(user)} về văn bản {directive.number or '(chưa có số)'}: {start}"[:300]


def page_context(directive: Directive, user, form=None) -> dict:
    """What the directive page's guidance section shows: the form (as typed, with its errors, or fresh) for
    those who may guide, the units it can reach, and the guidance given so far."""
    context = {"guidance_list": guidance_of(directive, user), "guide_form": None}
    if directive.state != "published" or not allowed(user, "guide_directive", directive):
        return context
    units = directive_units(directive, user)
    overdue = sum(1 for u in units if u.overdue)
    if form is None:
        form = GuidanceForm(formdata=None, reach="overdue" if overdue else "chosen", token=new_token())
    form.reach.choices = [("overdue", f"Các đơn vị còn nhiệm vụ quá hạn ({overdue})"),
                          ("chosen", "Các đơn vị chọn")]
    chosen = [i for i in (form.guide_units.data or []) if i in {u.id for u in units}]
    reach = overdue if form.reach.data == "overdue" else len(chosen)
    return {**context, "guide_form": form, "guide_units": units, "guide_overdue": overdue,
            "guide_reach": reach}


# --- The mail ------------------------------------------------------------------------------------------------


def render_mail(mail: Mail) -> Rendered | None:
    """The guidance mail (templates/mail/guidance.*): greeting, who guides on which directive, the text with its
    line breaks kept, then the unit's unfinished tasks of the directive with their links."""
    notice = db.session.get(Notice, mail.notice_id) if mail.notice_id else None
    if notice is None:
        return None
    directive = db.session.get(Directive, notice.directive_id)
    guidance = _guidance_of_notice(notice)
    return compose(mail, "guidance", f"Ý kiến chỉ đạo về văn bản {directive.number or '(chưa có số)'}",
                   author=author_name(guidance.author if guidance else None), cited=cited(directive),
                   body=notice.body, tasks=_unfinished_tasks(directive, notice.unit_id))


def _unfinished_tasks(directive: Directive, unit_id: int) -> list[MailTask]:
    """The unit's unfinished tasks of the directive as the mail lists them, soonest due first."""
    tasks = db.session.scalars(
        select(Task).where(Task.directive_id == directive.id, Task.unit_id == unit_id, Task.state.in_(UNFINISHED))
        .options(joinedload(Task.unit), joinedload(Task.requirement), joinedload(Task.directive))
        .order_by(Task.due_on.is_(None), Task.due_on, Task.id))
    today = clock.today()
    return [mail_task(task, today) for task in tasks]


def _guidance_of_notice(notice: Notice) -> DirectiveGuidance | None:
    """The guidance a notice tells of (its key is ``guidance:<guidance>:<unit>``)."""
    match = re.fullmatch(r"guidance:([0-9]+):[0-9]+", notice.key)
    return db.session.get(DirectiveGuidance, int(match.group(1))) if match else None
