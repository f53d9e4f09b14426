"""SMTP refusing or away: retried with back-off and counted; refused for good: failed, shown to admins
(RELIABILITY 18). In-process, no Redis: each mail is sent right after the commit that queues it."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import update

from app.core import clock
from app.escalation.mailer import ABANDONED, BACKOFF
from app.extensions import db
from app.notices.models import Mail
from tests.conftest import free_port, login
from tests.escalation.conftest import flush, mails, shift, small_district, sweep

DUE = date(2022, 6, 15)
REMINDER_AT = "2022-06-12T08:00:00"  # three days before: staff and chair of xa-a and xa-b
SUBJECT = "[Theo dõi chỉ đạo] Nhắc việc: 1 nhiệm vụ sắp đến hạn"


def expected(setup) -> Counter:
    return Counter([c.chair for c in setup.communes] + [c.staff for c in setup.communes])


def outbox_state() -> list[tuple]:
    return [(m.to_address, m.status, m.attempts) for m in mails()]


def test_451_for_a_while_backs_off_then_delivers_each_mail_once(app, runner, smtp, inline_smtp):
    setup = small_district(due_dates=(DUE,))
    inline_smtp.behave("451")
    assert sweep(runner, REMINDER_AT) == {"reminders": 2, "escalations": 0, "emails_queued": 4}
    assert inline_smtp.delivered() == []
    assert Counter(m.to for _, m in inline_smtp.refused) == expected(setup)  # each tried once
    first = mails()
    assert {(m.status, m.attempts) for m in first} == {("pending", 1)}
    assert all(clock.as_utc(m.next_attempt_at) == shift(REMINDER_AT, minutes=1) for m in first)
    assert all(m.last_error.startswith("451") for m in first)

    # Before the back-off ends, a flush does not knock on the server's door.
    assert flush(shift(REMINDER_AT, seconds=30)) == 0
    assert len(inline_smtp.refused) == 4
    # After it, a second try, still refused: two attempts, the next wait is longer (2 minutes).
    assert flush(shift(REMINDER_AT, minutes=1, seconds=30)) == 4
    assert len(inline_smtp.refused) == 8
    second = mails()
    assert {(m.status, m.attempts) for m in second} == {("pending", 2)}
    assert all(clock.as_utc(m.next_attempt_at) == shift(REMINDER_AT, minutes=3, seconds=30) for m in second)

    inline_smtp.behave("accept")  # the server recovers
    assert flush(shift(REMINDER_AT, minutes=3)) == 0  # still inside the back-off: nothing sent yet
    assert inline_smtp.delivered() == []
    assert flush(shift(REMINDER_AT, minutes=4)) == 4
    assert Counter(m.to for m in inline_smtp.delivered()) == expected(setup)
    assert {m.subject for m in inline_smtp.delivered()} == {SUBJECT}
    assert {(m.status, m.attempts) for m in mails()} == {("sent", 3)}

    # Later flushes and sweeps send nothing again.
    assert flush(shift(REMINDER_AT, hours=1)) == 0
    assert sweep(runner, "2022-06-12T10:00:00") == {"reminders": 0, "escalations": 0, "emails_queued": 0}
    assert len(inline_smtp.delivered()) == 4


def test_connection_refused_is_retried_then_delivered_once(app, runner, smtp, inline_smtp, monkeypatch):
    setup = small_district(due_dates=(DUE,))
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())  # nobody listens there
    assert sweep(runner, REMINDER_AT)["emails_queued"] == 4
    waiting = mails()
    assert {(m.status, m.attempts) for m in waiting} == {("pending", 1)}
    assert all("refused" in m.last_error.lower() for m in waiting), [m.last_error for m in waiting]
    assert all(clock.as_utc(m.next_attempt_at) == shift(REMINDER_AT, minutes=1) for m in waiting)

    monkeypatch.setitem(app.config, "SMTP_PORT", smtp.port)  # the server is back
    # The next sweep (a quarter of an hour later) picks the waiting mails up with its own.
    assert sweep(runner, "2022-06-12T08:15:00") == {"reminders": 0, "escalations": 0, "emails_queued": 0}
    assert Counter(m.to for m in inline_smtp.delivered()) == expected(setup)
    assert {(m.status, m.attempts) for m in mails()} == {("sent", 2)}
    assert flush(shift(REMINDER_AT, hours=2)) == 0
    assert len(inline_smtp.delivered()) == 4


def test_550_fails_the_mail_for_good_and_shows_it_to_admins(app, runner, client, smtp, inline_smtp):
    setup = small_district(due_dates=(DUE,))
    inline_smtp.behave("550")
    assert sweep(runner, REMINDER_AT)["emails_queued"] == 4
    failed = mails()
    assert {(m.status, m.attempts) for m in failed} == {("failed", 1)}
    assert all(m.last_error.startswith("550") for m in failed)

    inline_smtp.behave("accept")
    for later in (dict(minutes=5), dict(hours=3), dict(days=1)):
        assert flush(shift(REMINDER_AT, **later)) == 0
    assert sweep(runner, "2022-06-12T12:00:00")["emails_queued"] == 0
    assert inline_smtp.delivered() == [] and len(inline_smtp.refused) == 4  # never tried again
    assert {(m.status, m.attempts) for m in mails()} == {("failed", 1)}

    # The admin's outbox page lists them under "Lỗi" with the server's answer.
    assert login(client, "admin").status_code == 302
    page = client.get("/admin/mails").get_data(as_text=True)
    assert page.count('class="mail-row"') == 4
    for address in expected(setup):
        assert address in page
    assert page.count("550") >= 4 and "Mailbox unavailable" in page
    assert ">Lỗi <span class=\"badge text-bg-light\">4</span>" in page
    # Not for a commune user.
    other = app.test_client()
    login(other, "ct.xa-a")
    assert other.get("/admin/mails").status_code in (403, 404)


def test_after_the_last_back_off_a_temporary_failure_becomes_failed(app, runner, smtp, inline_smtp):
    small_district(due_dates=(DUE,))
    inline_smtp.behave("451")
    sweep(runner, REMINDER_AT)
    tries = 1
    for hours in range(1, 40):  # the waits add up to about 7 hours; try every hour for longer than that
        flush(shift(REMINDER_AT, hours=hours))
        tries = max(m.attempts for m in mails())
        if {m.status for m in mails()} == {"failed"}:
            break
    assert {(m.status, m.attempts) for m in mails()} == {("failed", 9)}  # 1 + the 8 waits of BACKOFF
    assert len(inline_smtp.refused) == 4 * 9 and tries == 9
    inline_smtp.behave("accept")
    assert flush(shift(REMINDER_AT, days=3)) == 0
    assert inline_smtp.delivered() == []


def test_a_mail_whose_sender_keeps_vanishing_ends_failed_instead_of_sending_for_ever(app, runner, client,
                                                                                    inline_smtp):
    """A mail left 'sending' (its worker died mid-send) is taken back after the lease; once it has had as many
    tries as the back-off allows, it is failed and shown to admins instead of being tried for ever."""
    small_district(due_dates=(DUE,))
    inline_smtp.behave("451")
    sweep(runner, REMINDER_AT)
    worn, fresh = [m.id for m in mails()][:1], [m.id for m in mails()][1:]
    # What the outbox holds after workers were killed mid-send: claimed, never finished.
    db.session.execute(update(Mail).values(status="sending", claimed_at=shift(REMINDER_AT, minutes=1)))
    db.session.execute(update(Mail).where(Mail.id.in_(worn)).values(attempts=len(BACKOFF) + 1))
    db.session.commit()

    inline_smtp.behave("accept")
    assert flush(shift(REMINDER_AT, minutes=30)) == 3
    assert sorted(m.to for m in inline_smtp.delivered()) == sorted(m.to_address for m in mails() if m.id in fresh)
    [given_up] = mails(id=worn[0])
    assert (given_up.status, given_up.last_error) == ("failed", ABANDONED)
    assert login(client, "admin").status_code == 302
    page = client.get("/admin/mails").get_data(as_text=True)
    assert page.count('class="mail-row"') == 1 and ABANDONED in page
