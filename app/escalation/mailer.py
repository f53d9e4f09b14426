"""Sending one mail from the outbox: claim it, render it, deliver it, record the outcome.

Delivery is at least once with a narrow window: a worker killed after the SMTP
server accepted the message but before 'sent' was committed leaves the mail
claimed; after the lease it is sent again. Everything else is exactly once.
"""

from __future__ import annotations

import email.policy
import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from app.core import audit, clock
from app.notices.models import Mail
from app.escalation.render import render
from app.extensions import db

log = logging.getLogger(__name__)

def lease() -> timedelta:
    """How long a claimed mail belongs to its worker before another may take it (MAIL_LEASE_SECONDS)."""
    return timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])

#: Waits after each temporary failure; past the last, the mail is marked failed.
BACKOFF = [timedelta(minutes=m) for m in (1, 2, 5, 10, 30, 60, 120, 240)]


class TemporaryFailure(Exception):
    """The server said try later (4xx), or could not be reached."""


class PermanentFailure(Exception):
    """The server refused for good (5xx)."""


def send(mail_id: int) -> str:
    """Send one mail if it is due and nobody else has it; returns what happened."""
    now = clock.now()
    claimed = db.session.execute(
        update(Mail).where(Mail.id == mail_id, Mail.status == "pending", Mail.next_attempt_at <= now)
        .values(status="sending", claimed_at=now, attempts=Mail.attempts + 1)
        .execution_options(preserve_rowcount=True, synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:
        return "skipped"
    mail = db.session.get(Mail, mail_id)
    try:
        content = render(mail)
    except Exception as exc:  # a mail that cannot be written must not stay claimed for ever
        log.exception("rendering mail %s failed", mail_id)
        db.session.rollback()
        mail = db.session.get(Mail, mail_id)
        return _retry_later(mail, f"Lỗi soạn thư: {exc}")
    if content is None:  # nothing left to say: never an empty mail
        return _finish(mail, "sent", "Không còn nội dung để gửi.")
    mail.subject, mail.text, mail.html, mail.cc = content.subject, content.text, content.html, content.cc
    message, recipients = build_message(mail), [mail.to_address, *mail.cc]
    db.session.commit()  # no transaction (and on SQLite no write lock) stays open while the server talks
    try:
        deliver(message, recipients, mail_id)
    except PermanentFailure as exc:
        return _finish(db.session.get(Mail, mail_id), "failed", str(exc))
    except TemporaryFailure as exc:
        return _retry_later(db.session.get(Mail, mail_id), str(exc))
    return _finish(db.session.get(Mail, mail_id), "sent")


def _finish(mail: Mail, status: str, note: str | None = None) -> str:
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
    message["To"] = mail.to_address
    if mail.cc:
        message["Cc"] = ", ".join(mail.cc)
    message["Subject"] = mail.subject
    message["Message-ID"] = f"<mail-{mail.id}@theodoi.local>"
    message["X-Theodoi-Mail"] = str(mail.id)
    message.set_content(mail.text)
    message.add_alternative(f"<!doctype html><html lang='vi'><body>{mail.html}</body></html>", subtype="html")
    return message


def due_mail_ids(now=None, limit: int = 1000) -> list[int]:
    """Mails to send now: pending ones whose time came, and claimed ones whose worker vanished."""
    now = now or clock.now()
    db.session.execute(update(Mail).where(Mail.status == "sending", Mail.claimed_at < now - lease())
                       .values(status="pending", next_attempt_at=now).execution_options(synchronize_session=False))
    return list(db.session.scalars(select(Mail.id).where(Mail.status == "pending", Mail.next_attempt_at <= now)
                                   .order_by(Mail.id).limit(limit)))


def resend(mail: Mail) -> None:
    """An admin sends a failed (or sent) mail again."""
    mail.status, mail.next_attempt_at, mail.last_error = "pending", clock.now(), None
    audit.record("notice_resent", mail)
