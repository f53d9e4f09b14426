"""Sending one mail from the outbox: claim it, render it, deliver it, record the outcome.

Delivery is at least once with a narrow window: a worker killed after the SMTP
server accepted the message but before 'sent' was committed leaves the mail
claimed; after the lease it is sent again. Everything else is exactly once.
"""

from __future__ import annotations

import email.policy
import logging
import re
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from app.auth.models import User
from app.core import audit, clock
from app.escalation.guidance import render_mail as render_guidance
from app.escalation.render import one_line, render
from app.extensions import db
from app.notices.models import Mail

log = logging.getLogger(__name__)


def lease() -> timedelta:
    """How long a claimed mail belongs to its worker before another may take it (MAIL_LEASE_SECONDS)."""
    return timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])


#: Waits after each temporary failure; past the last, the mail is marked failed.
BACKOFF = [timedelta(minutes=m) for m in (1, 2, 5, 10, 30, 60, 120, 240)]
#: What a header address may look like: no whitespace nor control character anywhere (a line break would
#: start a header of its own).
ADDRESS = re.compile(r"^[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+$")
#: Written on a mail whose worker vanished while sending it too many times.
ABANDONED = "Tiến trình gửi thư bị dừng giữa chừng quá nhiều lần."


class TemporaryFailure(Exception):
    """The server said try later (4xx), or could not be reached."""


class PermanentFailure(Exception):
    """The server refused for good (5xx)."""


def send(mail_id: int) -> str:
    """Send one mail if it is due and nobody else has it; returns what happened.

    Whatever goes wrong once the mail is claimed (rendering, building, handing
    it over) is written in `last_error` and retried on the back-off until it is
    failed, where admins see it: a claimed mail never stays 'sending'.
    """
    if not _claim(mail_id):
        return "skipped"
    try:
        prepared = _prepare(db.session.get(Mail, mail_id))
    except Exception as exc:
        log.exception("writing mail %s failed", mail_id)
        return _retry_after_error(mail_id, f"Lỗi soạn thư: {exc}")
    if prepared is None:  # nothing left to say: never an empty mail
        return _finish(db.session.get(Mail, mail_id), "sent", "Không còn nội dung để gửi.")
    try:
        deliver(*prepared, mail_id)
    except PermanentFailure as exc:
        return _finish(db.session.get(Mail, mail_id), "failed", str(exc))
    except TemporaryFailure as exc:
        return _retry_later(db.session.get(Mail, mail_id), str(exc))
    except Exception as exc:  # the outbox folder unwritable, a bug: still recorded, still retried
        log.exception("handing mail %s over failed", mail_id)
        return _retry_after_error(mail_id, f"Lỗi gửi thư: {exc}")
    return _finish(db.session.get(Mail, mail_id), "sent")


def _claim(mail_id: int) -> bool:
    """Take the mail if it is pending and due, counting the attempt; committed at once so no one else takes it."""
    now = clock.now()
    claimed = db.session.execute(
        update(Mail).where(Mail.id == mail_id, Mail.status == "pending", Mail.next_attempt_at <= now)
        .values(status="sending", claimed_at=now, attempts=Mail.attempts + 1)
        .execution_options(preserve_rowcount=True, synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(claimed)


def _prepare(mail: Mail) -> tuple[EmailMessage, list[str]] | None:
    """Render the mail, store what it says and build the message; None when there is nothing left to say."""
    # A leader's guidance is words, not a list of tasks: written by its own module.
    content = render_guidance(mail) if mail.kind == "guidance" else render(mail)
    if content is None:
        return None
    mail.subject, mail.text, mail.html, mail.cc = content.subject, content.text, content.html, content.cc
    message, recipients = build_message(mail), [mail.to_address, *mail.cc]
    # Read everything first: touching the mail after the commit would open a transaction (on SQLite, the write
    # lock) that stays open while the server talks.
    db.session.commit()
    return message, recipients


def _retry_after_error(mail_id: int, error: str) -> str:
    """After an unexpected error: forget what was half done, then back off like any temporary failure."""
    db.session.rollback()
    return _retry_later(db.session.get(Mail, mail_id), error[:2000])


def _finish(mail: Mail, status: str, note: str | None = None) -> str:
    """Record how the mail ended (sent or failed, with a note for admins) and commit."""
    mail.status, mail.last_error = status, note
    if status == "sent":
        mail.sent_at = clock.now()
        audit.record("notice_sent", mail, detail={"kind": mail.kind})
    db.session.commit()
    return status


def _retry_later(mail: Mail, error: str) -> str:
    """Back off; after the last wait the mail is failed and shown to admins."""
    if mail.attempts > len(BACKOFF):
        return _finish(mail, "failed", error)
    mail.status, mail.last_error = "pending", error
    mail.next_attempt_at = clock.now() + BACKOFF[mail.attempts - 1]
    db.session.commit()
    return "retry"


def deliver(message: EmailMessage, recipients: list[str], mail_id: int) -> None:
    """Hand the message to SMTP, or write it to the outbox folder when no SMTP server is set (no database here)."""
    config = current_app.config
    if not config.get("SMTP_HOST"):
        folder = Path(config["OUTBOX_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        temp = folder / f".{mail_id:08d}.eml.part"
        temp.write_bytes(message.as_bytes())
        temp.replace(folder / f"{mail_id:08d}.eml")  # the same name every time: written twice is still one file
        return
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls()
                smtp.ehlo()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
            smtp.send_message(message, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise (PermanentFailure if all(c >= 500 for c in codes) else TemporaryFailure)(str(exc)) from exc
    except smtplib.SMTPResponseException as exc:
        raise (PermanentFailure if exc.smtp_code >= 500 else TemporaryFailure)(
            f"{exc.smtp_code} {exc.smtp_error!r}") from exc
    except (OSError, smtplib.SMTPException) as exc:  # refused, timed out, disconnected
        raise TemporaryFailure(str(exc) or type(exc).__name__) from exc


#: Long lines are allowed so a Vietnamese subject is not folded into encoded words that lose their spaces.
MAIL_POLICY = email.policy.SMTP.clone(max_line_length=998)


def build_message(mail: Mail) -> EmailMessage:
    """The MIME message: plain text and HTML, a stable Message-ID so receivers can drop a duplicate."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = formataddr(("Theo dõi chỉ đạo", current_app.config["MAIL_FROM"]))
    message["To"] = header_address(mail.to_address)
    if mail.cc:
        message["Cc"] = ", ".join(header_address(address) for address in mail.cc)
    message["Subject"] = one_line(mail.subject)
    message["Message-ID"] = f"<mail-{mail.id}@theodoi.local>"
    message["X-Theodoi-Mail"] = str(mail.id)
    message.set_content(mail.text)
    message.add_alternative(f"<!doctype html><html lang='vi'><body>{mail.html}</body></html>", subtype="html")
    return message


def header_address(address: str | None) -> str:
    """An address fit for a header; one with a space or a line break inside is refused, never patched."""
    if not address or not ADDRESS.match(address):
        raise ValueError(f"địa chỉ thư không hợp lệ (trống, có dấu cách hoặc xuống dòng): {address!r}")
    return address


def due_mail_ids(now=None, limit: int = 1000) -> list[int]:
    """Mails to send now: pending ones whose time came, and claimed ones whose worker vanished."""
    now = now or clock.now()
    _reclaim_abandoned(now)
    return list(db.session.scalars(select(Mail.id).where(Mail.status == "pending", Mail.next_attempt_at <= now)
                                   .order_by(Mail.id).limit(limit)))


def _reclaim_abandoned(now) -> None:
    """Mails whose worker vanished mid-send go back to pending; past the tries the back-off allows, to failed."""
    stale = (Mail.status == "sending", Mail.claimed_at < now - lease())
    db.session.execute(update(Mail).where(*stale, Mail.attempts > len(BACKOFF))
                       .values(status="failed", last_error=ABANDONED).execution_options(synchronize_session=False))
    db.session.execute(update(Mail).where(*stale).values(status="pending", next_attempt_at=now)
                       .execution_options(synchronize_session=False))


def resend(mail: Mail) -> None:
    """An admin sends a failed (or sent) mail again, with a fresh count of tries, to the person's address now."""
    recipient = db.session.get(User, mail.recipient_id) if mail.recipient_id else None
    if recipient is not None and recipient.email:
        mail.to_address = recipient.email  # the address may have been corrected since the mail failed
    audit.record("notice_resent", mail, detail={"attempts": mail.attempts, "last_error": mail.last_error})
    # A fresh count: the back-off starts again rather than failing the mail at its first refusal.
    mail.status, mail.next_attempt_at, mail.last_error, mail.attempts = "pending", clock.now(), None, 0
