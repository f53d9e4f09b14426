"""The office edits the escalation ladder; the admin sees and resends mails; users read theirs in-app."""

from app.core import clock
from app.escalation.models import EscalationPolicy
from app.escalation.services import sweep
from app.extensions import db
from app.notices.models import Mail
from tests.conftest import csrf_token, login


def ladder_form(rows):
    data = {}
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"steps-{index}-{name}"] = value
    return data


def test_office_overrides_a_directives_ladder_and_the_sweep_follows_it(client, work):
    login(client, "vanphong")
    directive_id = db.session.scalar(db.select(EscalationPolicy.id))  # none yet
    assert directive_id is None
    from app.tasks.models import Task

    directive_id = db.session.scalar(db.select(Task.directive_id))
    page = client.get(f"/escalation/directives/{directive_id}").get_data(as_text=True)
    assert "dùng quy trình mặc định" in page
    response = client.post(f"/escalation/directives/{directive_id}", data={
        "csrf_token": csrf_token(client, "/"),
        **ladder_form([{"step_key": "before5", "offset": "-5", "to": ["chair"], "email": "y"}])})
    assert response.status_code == 302
    db.session.rollback()
    policy = db.session.scalar(db.select(EscalationPolicy))
    assert policy.directive_id == directive_id and policy.steps[0]["offset"] == -5
    result = sweep(clock.parse_instant("2022-06-10T08:00:00"))  # due 15/06: 5 days before
    db.session.commit()
    assert (result.reminders, result.emails_queued) == (6, 2)  # 3 tasks x 2 communes; one mail per chair
    bad = client.post(f"/escalation/directives/{directive_id}", data={
        "csrf_token": csrf_token(client, "/"), **ladder_form([{"step_key": "x", "offset": "1"}])})
    assert bad.status_code == 422 and "ít nhất một bước" in bad.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(db.select(EscalationPolicy)).steps[0]["offset"] == -5  # nothing changed


def test_admin_sees_failed_mails_and_resends_one(app, client, work):
    mail = Mail(key="t:1", kind="step", to_address="ct.xa-a@test.example", unit_id=work.commune_a.id,
                recipient_id=work.users["chair_a"].id, status="failed", attempts=9, last_error="550 No such user")
    db.session.add(mail)
    db.session.commit()
    login(client, "admin")
    page = client.get("/admin/mails").get_data(as_text=True)
    assert "550 No such user" in page and "ct.xa-a@test.example" in page
    client.post(f"/admin/mails/{mail.id}/resend", data={"csrf_token": csrf_token(client, "/admin/mails")})
    db.session.rollback()
    assert db.session.get(Mail, mail.id).status in ("pending", "sent")


def test_users_read_their_reminders_in_the_app(app, client, work):
    clock.freeze(clock.parse_instant("2022-06-12T08:00:00"))
    from app.escalation.services import sweep_and_queue

    sweep_and_queue()
    db.session.commit()  # no REDIS_URL: the mails are written to the outbox folder right after
    login(client, "ct.xa-a")
    page = client.get("/").get_data(as_text=True)
    assert "Thư nhắc việc gửi cho bạn" in page and "sắp đến hạn" in page
    other = app.test_client()
    login(other, "vanphong")
    assert "Thư nhắc việc gửi cho bạn" not in other.get("/?view=tasks").get_data(as_text=True)  # the office's list
