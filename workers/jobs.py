"""Jobs: thin functions that take ids, call a service and commit (through `job`)."""

from __future__ import annotations

from app.auth.services import purge_expired_tokens
from app.escalation.mailer import due_mail_ids, send
from app.escalation.services import queue_mails, sweep_and_queue
from app.evidence.resumable import purge_expired as purge_expired_uploads
from app.tasks.fanout import open_new_periods as open_periods
from workers.base import job


@job
def purge_tokens() -> int:
    """Delete expired API tokens."""
    return purge_expired_tokens()


@job
def open_new_periods() -> int:
    """Create each recurring requirement's task for the periods opened since the last run."""
    return open_periods()


@job
def send_mail(mail_id: int) -> str:
    """Send one mail of the outbox (idempotent: a mail already sent or taken is skipped)."""
    return send(mail_id)


@job
def escalation_sweep() -> dict:
    """The periodic escalation pass: record what is due, queue its mails."""
    return sweep_and_queue().as_json()


@job
def flush_outbox() -> int:
    """Queue the mails whose retry time came, and those whose worker vanished mid-send."""
    ids = due_mail_ids()
    queue_mails(ids)
    return len(ids)


@job
def purge_uploads() -> int:
    """Delete resumable uploads never completed whose time ran out, with their partial files."""
    return purge_expired_uploads()
