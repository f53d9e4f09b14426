"""Mails whose words came from people: a return reason typed in a textarea (CRLF) and an address with a line
break. A header is one line; a mail that cannot be written is never stuck 'sending': its error is recorded, it
backs off like a refusal, ends failed on the admin's outbox page, and the admin can send it again.

Real SMTP server (aiosmtpd), no Redis: each mail goes out right after the commit that queues it. Only the
clock is faked.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app.auth.models import User
from app.core import clock
from app.escalation.mailer import BACKOFF
from app.extensions import db
from tests.conftest import csrf_token, login
from tests.escalation.conftest import flush, mails
from tests.tasks.conftest import task, work  # noqa: F401  (the fixture)

REASON = "Thiếu số liệu\r\nđề nghị bổ sung"
SUBJECT = "[Theo dõi chỉ đạo] Nhiệm vụ bị trả lại, cần thực hiện lại: Thiếu số liệu đề nghị bổ sung"
#: How the admin's CSV import used to store an address typed over two lines (a header injection, too).
BROKEN = "ct.xa-a@test.example\r\nBcc: ke-gian@evil.example"


def hand_in_and_return(app, work, reason: str = REASON) -> int:
    """The commune hands in its action task through the API; the office returns it on the task page."""
    task_id = work.tasks[("action", "xa-a")]
    staff = app.test_client()
    token = staff.post("/api/v1/auth/token", json={"username": "mc.xa-a", "password": "mat-khau-thu-123"}).json
    answer = staff.post(f"/api/v1/tasks/{task_id}/submit", json={"note": "Đã xong"},
                        headers={"Authorization": f"Bearer {token['token']}"})
    assert answer.status_code == 200, answer.json
    office = app.test_client()
    assert login(office, "vanphong").status_code == 302
    returned = office.post(f"/tasks/{task_id}/review", data={
        "decision": "return", "comment": reason, "version": task(task_id).version,
        "csrf_token": csrf_token(office, f"/tasks/{task_id}")})
    assert returned.status_code in (302, 303), returned.get_data(as_text=True)
    assert task(task_id).state == "returned"
    return task_id


def test_a_return_reason_over_two_lines_reaches_the_unit_with_a_one_line_subject(app, work, inline_smtp):
    hand_in_and_return(app, work)
    got = {m.to: m for m in inline_smtp.delivered()}
    assert sorted(got) == ["ct.xa-a@test.example", "mc.xa-a@test.example"]
    for message in got.values():
        assert message.subject == SUBJECT
        assert "Thiếu số liệu" in message.text and "đề nghị bổ sung" in message.text  # the reason in full
    returned = mails(kind="returned")
    assert [(m.status, m.attempts, m.last_error) for m in returned] == [("sent", 1, None)] * 2
    assert all("\n" not in m.subject and "\r" not in m.subject for m in returned)


def test_a_mail_that_cannot_be_written_backs_off_to_failed_and_the_admin_resends_it(app, work, inline_smtp):
    db.session.execute(update(User).where(User.username == "ct.xa-a").values(email=BROKEN))
    db.session.commit()
    hand_in_and_return(app, work, "Thiếu số liệu, đề nghị bổ sung")
    returned_at = clock.now()

    # The staff member is told at once; the chair's mail waits with the reason written down, not 'sending'.
    assert [m.to for m in inline_smtp.delivered()] == ["mc.xa-a@test.example"]
    [stuck] = mails(kind="returned", to_address=BROKEN)
    assert (stuck.status, stuck.attempts) == ("pending", 1)
    assert "địa chỉ thư không hợp lệ" in stuck.last_error
    assert clock.as_utc(stuck.next_attempt_at) == returned_at + BACKOFF[0]

    # Every flush after a wait of the back-off tries once more; before the wait ends, nothing is tried.
    assert flush(returned_at + BACKOFF[0] - timedelta(seconds=1)) == 0
    moment = returned_at
    for attempt, wait in enumerate(BACKOFF, start=2):
        moment += wait
        assert flush(moment) == 1
        again = db.session.get(type(stuck), stuck.id)
        assert again.attempts == attempt and "địa chỉ thư không hợp lệ" in again.last_error
    assert (again.status, again.attempts) == ("failed", len(BACKOFF) + 1)
    assert flush(moment + timedelta(days=1)) == 0  # failed is failed: no more tries
    assert [m.to for m in inline_smtp.delivered()] == ["mc.xa-a@test.example"]
    assert not any("evil.example" in " ".join(m.envelope_to) for m in inline_smtp.delivered())

    # The admin's outbox lists it under "Lỗi" with the reason, and can send it again.
    admin = app.test_client()
    login(admin, "admin")
    page = admin.get("/admin/mails").get_data(as_text=True)
    assert page.count('class="mail-row"') == 1 and "địa chỉ thư không hợp lệ" in page
    assert ">Lỗi <span class=\"badge text-bg-light\">1</span>" in page and "Gửi lại" in page
    # No page edits an address yet: the admin corrects it in the database, then resends from the outbox.
    db.session.execute(update(User).where(User.username == "ct.xa-a").values(email="ct.xa-a@test.example"))
    db.session.commit()
    resent = admin.post(f"/admin/mails/{stuck.id}/resend", data={"csrf_token": csrf_token(admin, "/admin/mails")})
    assert resent.status_code == 302
    delivered = {m.to: m for m in inline_smtp.delivered()}
    assert delivered["ct.xa-a@test.example"].subject == SUBJECT.replace("liệu đề", "liệu, đề")
    [done] = mails(id=stuck.id)
    assert (done.status, done.to_address, done.last_error) == ("sent", "ct.xa-a@test.example", None)
