"""The escalation sweep: which tasks reached which step today, recorded once, with their mails.

Everything is computed from the database (so a lost job never loses a notice)
and written with INSERT … SELECT … ON CONFLICT DO NOTHING: a second sweep, or
two at once, record nothing twice. Mails are rows of the outbox, rendered and
sent by a job after the commit.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import JSON, String, and_, cast, exists, literal, select, true

from app.auth.models import User
from app.core import audit, clock
from app.core.errors import DomainError
from app.core.jobs import enqueue_after_commit
from app.core.models import AuditLog
from app.core.sql import insert_ignoring_duplicates, run_counting
from app.core.types import UTCDateTime
from app.directives.models import Directive
from app.escalation.ladder import (
    AUDIENCE_ROLES,
    DEFAULT_LADDER,
    ISSUER_AUDIENCES,
    WorkingDays,
    due_ranges,
    uses_working_days,
    validate_ladder,
    working_days_around,
)
from app.escalation.mailer import due_mail_ids
from app.escalation.models import EscalationPolicy, TaskNotice
from app.escalation.policies import LADDER_FAILED
from app.extensions import db
from app.notices.models import Mail
from app.tasks.models import Task

log = logging.getLogger(__name__)

UNFINISHED = ("open", "returned")


@dataclass
class SweepResult:
    """What one sweep recorded (CONTRACT.md: reminders, escalations, emails queued)."""

    batch: str
    reminders: int = 0
    escalations: int = 0
    emails_queued: int = 0

    def as_json(self) -> dict:
        """The line `flask escalation sweep` prints."""
        return {"reminders": self.reminders, "escalations": self.escalations, "emails_queued": self.emails_queued}


def sweep(at: datetime | None = None) -> SweepResult:
    """One escalation pass as if the clock read `at`; the caller commits, then queues the mails."""
    now = at or clock.now()
    today = clock.local_date(now)
    result = SweepResult(batch=uuid.uuid4().hex)
    days = _WorkingDaysOnce(today)
    for governed in ladders():
        _sweep_ladder(governed, today, now, days, result)
    result.emails_queued += _office_digests(today, result.batch, now)
    return result


def _sweep_ladder(governed: Governed, today: date, now: datetime, days: _WorkingDaysOnce, result: SweepResult) -> None:
    """Record one ladder's steps in a savepoint; a ladder that fails is logged and recorded, and the others go on."""
    done = SweepResult(batch=result.batch)
    try:
        with db.session.begin_nested():
            ladder = validate_ladder(governed.steps)  # stored data may predate the bounds, or bypass the form
            ranges = due_ranges(ladder, today, days.get() if uses_working_days(ladder) else None)
            for step in ladder:
                _sweep_step(step, ranges.get(step["key"]), governed.directives, today, now, done)
    except Exception as exc:  # one office's bad ladder must not stop every other office's reminders
        log.exception("escalation sweep: the ladder of policy %s failed", getattr(governed.policy, "id", None))
        _record_failure(governed, exc, today)
        return
    result.reminders += done.reminders
    result.escalations += done.escalations
    result.emails_queued += done.emails_queued


def _sweep_step(step: dict, window: tuple | None, directives, today: date, now: datetime, done: SweepResult) -> None:
    """Record one step for the tasks whose due date falls in its window, and write its mails."""
    if window is None:
        return
    recorded = _record_notices(step, window, directives, done.batch, now)
    if step["offset"] <= 0:
        done.reminders += recorded
    else:
        done.escalations += recorded
    if recorded:
        done.emails_queued += _step_mails(step, done.batch, today, now)


class _WorkingDaysOnce:
    """The sweep's working-day index, built the first time a ladder counts working days, then shared."""

    def __init__(self, today: date):
        self.today = today
        self._days: WorkingDays | None = None

    def get(self) -> WorkingDays:
        """The index (built now if no ladder needed it yet)."""
        if self._days is None:
            self._days = working_days_around(self.today)
        return self._days


def _due_at_once(now: datetime) -> datetime:
    """When a sweep's mails may go: at once. A sweep `--at` a later instant still writes mails the next
    worker sends, because workers compare with the real clock (CONTRACT: due at once, whatever `--at` says)."""
    return min(now, clock.wall_now())


def _record_failure(governed: Governed, exc: Exception, today: date) -> None:
    """An audit row saying which ladder the sweep skipped and why; one a day, not one every sweep."""
    policy = governed.policy
    seen = select(AuditLog.id).where(AuditLog.action == LADDER_FAILED,
                                     AuditLog.object_id == getattr(policy, "id", None),
                                     AuditLog.detail["day"].as_string() == today.isoformat())
    if db.session.scalar(seen.limit(1)) is not None:
        return
    reason = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
    audit.record(LADDER_FAILED, policy, user=None,
                 detail={"day": today.isoformat(), "error": reason[:500],
                         "issuer_unit_id": getattr(policy, "issuer_unit_id", None),
                         "directive_id": getattr(policy, "directive_id", None)})


@dataclass
class Governed:
    """A ladder in force, the policy row it comes from (None for the built-in one), and the directives it governs."""

    policy: EscalationPolicy | None
    steps: list
    directives: object


def ladders() -> list[Governed]:
    """Each ladder in force and the published directives it governs (overrides, unit defaults, the default)."""
    policies = list(db.session.scalars(select(EscalationPolicy)))
    overrides = [p for p in policies if p.directive_id]
    defaults = [p for p in policies if not p.directive_id]
    published = select(Directive.id).where(Directive.state == "published")
    overridden = [p.directive_id for p in overrides] or [-1]
    out = [Governed(p, p.steps, published.where(Directive.id == p.directive_id)) for p in overrides]
    for policy in defaults:
        governed = published.where(Directive.issuer_unit_id == policy.issuer_unit_id, Directive.id.not_in(overridden))
        out.append(Governed(policy, policy.steps, governed))
    out.append(Governed(None, DEFAULT_LADDER, published.where(
        Directive.id.not_in(overridden),
        Directive.issuer_unit_id.not_in([p.issuer_unit_id for p in defaults] or [-1]))))
    return out


def _record_notices(step: dict, window: tuple, directives, batch: str, now: datetime) -> int:
    """Record the step for every unfinished task whose due date falls in the window."""
    low, high = window
    tasks = Task.__table__
    source = select(
        tasks.c.id, literal(step["key"]), tasks.c.due_on, tasks.c.unit_id, literal(batch), literal(now, UTCDateTime())
    ).where(tasks.c.state.in_(UNFINISHED), tasks.c.due_on <= high, tasks.c.due_on > low if low else true(),
            tasks.c.directive_id.in_(directives))
    statement = insert_ignoring_duplicates(TaskNotice.__table__).from_select(
        ["task_id", "step", "due_on", "unit_id", "batch", "created_at"], source
    ).on_conflict_do_nothing(index_elements=["task_id", "step", "due_on"])
    return run_counting(statement)


def mail_values(kind: str, key, step: str | None, batch: str, day: date, now: datetime, status: str,
                 cc_roles: list) -> dict:
    """The constant part of the mails an INSERT … SELECT writes."""
    table = Mail.__table__
    return {"key": key, "kind": literal(kind), "step": literal(step, String()), "batch": literal(batch),
            "day": literal(day, table.c.day.type), "cc_roles": literal(cc_roles, JSON()), "cc": literal([], JSON()),
            "subject": literal(""), "text": literal(""), "html": literal(""), "status": literal(status),
            "attempts": literal(0), "next_attempt_at": literal(_due_at_once(now), UTCDateTime()),
            "created_at": literal(now, UTCDateTime())}


def _status(step: dict) -> str:
    return "pending" if "email" in step.get("channels", ["email"]) else "in_app"


def _step_mails(step: dict, batch: str, day: date, now: datetime) -> int:
    """One mail per person and unit for the unit's audiences; one digest a day for the issuer's."""
    count = 0
    unit_roles = [r for a in step["to"] if a not in ISSUER_AUDIENCES for r in AUDIENCE_ROLES[a]]
    notices = TaskNotice.__table__
    users = User.__table__
    if unit_roles:
        key = (literal(f"step:{batch}:{step['key']}:") + cast(users.c.id, String) + literal(":")
               + cast(notices.c.unit_id, String))
        values = mail_values("step", key, step["key"], batch, day, now, _status(step), step.get("cc", []))
        source = (
            select(*values.values(), users.c.id, users.c.email, notices.c.unit_id)
            .select_from(notices.join(users, and_(users.c.unit_id == notices.c.unit_id)))
            .where(notices.c.batch == batch, notices.c.step == step["key"], users.c.role.in_(unit_roles),
                   users.c.active.is_(True), users.c.email.is_not(None))
            .group_by(notices.c.unit_id, users.c.id, users.c.email)
        )
        count += run_counting(insert_ignoring_duplicates(Mail.__table__)
                              .from_select([*values, "recipient_id", "to_address", "unit_id"], source)
                              .on_conflict_do_nothing(index_elements=["key"]))
    issuer_roles = [r for a in step["to"] if a in ISSUER_AUDIENCES for r in AUDIENCE_ROLES[a]]
    if issuer_roles:
        issuers = (select(Directive.issuer_unit_id).join(Task, Task.directive_id == Directive.id)
                   .join(TaskNotice, TaskNotice.task_id == Task.id)
                   .where(TaskNotice.batch == batch, TaskNotice.step == step["key"]))
        count += _digest_mails("digest", step["key"], issuer_roles, issuers, batch, day, now, _status(step))
    return count


def _digest_mails(kind: str, step: str | None, roles: list, issuers, batch: str, day: date, now: datetime,
                  status: str = "pending") -> int:
    """One digest a day to each person of the issuing units in those roles (keyed per person, step, day)."""
    users = User.__table__
    key = literal(f"{kind}:") + cast(users.c.id, String) + literal(f":{step or 'all'}:{day.isoformat()}")
    values = mail_values(kind, key, step, batch, day, now, status, [])
    source = select(*values.values(), users.c.id, users.c.email, users.c.unit_id).where(
        users.c.role.in_(roles), users.c.active.is_(True), users.c.email.is_not(None), users.c.unit_id.in_(issuers))
    return run_counting(insert_ignoring_duplicates(Mail.__table__)
                        .from_select([*values, "recipient_id", "to_address", "unit_id"], source)
                        .on_conflict_do_nothing(index_elements=["key"]))


def _office_digests(day: date, batch: str, now: datetime) -> int:
    """The issuing office's daily digest of what is overdue; nobody gets an empty one."""
    overdue = exists().where(Task.directive_id == Directive.id, Task.state.in_(UNFINISHED), Task.due_on < day)
    issuers = select(Directive.issuer_unit_id).where(Directive.state == "published", overdue)
    return _digest_mails("office", None, list(AUDIENCE_ROLES["office"]), issuers, batch, day, now)


def mails_of_batch(batch: str) -> list[int]:
    """The ids of the mails a sweep wrote and that are to be sent."""
    return list(db.session.scalars(select(Mail.id).where(Mail.batch == batch, Mail.status == "pending")))


def queue_mails(mail_ids: list[int]) -> None:
    """Send each mail by a job of its own, once the transaction that wrote them commits."""
    for mail_id in mail_ids:
        enqueue_after_commit("workers.jobs.send_mail", mail_id, queue="emails")


def sweep_and_queue(at: datetime | None = None) -> SweepResult:
    """A sweep whose mails go out after the commit; also picks up mails left pending earlier."""
    result = sweep(at)
    # Mails waiting from before are due by the real clock too: a sweep `--at` a later instant must not take a
    # mail a worker is sending now for abandoned.
    queue_mails(sorted(set(mails_of_batch(result.batch)) | set(due_mail_ids(_due_at_once(at or clock.now())))))
    return result
