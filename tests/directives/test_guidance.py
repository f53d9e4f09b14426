"""Guidance on a whole directive (issue 14): the chairman writes once; the overdue (or chosen) units get it in the
app, on their task pages and by mail to their chair and staff (the chair's with the Party secretary in copy)."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import date
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.core import clock
from app.core.errors import DomainError
from app.directives.models import DirectiveGuidance
from app.escalation.guidance import give_guidance, new_token
from app.extensions import db
from app.notices.models import Mail, Notice
from tests import factories
from tests.conftest import csrf_token, login

TWO_LINES = "Đề nghị các xã khẩn trương hoàn thành.\nBáo cáo kết quả trước ngày 25/05/2022."


@pytest.fixture
def world(tree):
    """On 20/05/2022: commune A has an overdue task of directive 12/UBND-VP, commune B one still on time."""
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    directive = factories.make_directive(tree.district, number="12/UBND-VP", subject="Chuyển đổi số",
                                         issued_on=date(2022, 5, 2))
    requirement = factories.make_requirement(directive, "Rà soát thủ tục hành chính")
    tree.task_a = factories.make_task(requirement, tree.commune_a, date(2022, 5, 10))
    tree.task_b = factories.make_task(requirement, tree.commune_b, date(2022, 6, 15))
    tree.directive = directive
    db.session.commit()
    return tree


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def sent_mails() -> dict[str, list[str]]:
    """The guidance mails of the outbox: address -> the addresses in copy."""
    db.session.rollback()
    rows = db.session.scalars(select(Mail).where(Mail.kind == "guidance")).all()
    return {mail.to_address: sorted(mail.cc) for mail in rows}


def outbox_messages() -> list[email.message.EmailMessage]:
    """The mails written to the outbox folder (no SMTP server in the tests)."""
    folder = Path(current_app.config["OUTBOX_DIR"])
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(folder.glob("*.eml"))]


# --- The service ---------------------------------------------------------------------------------------------


def test_guidance_to_the_overdue_units_reaches_them_and_no_other(world):
    guidance, created = give_guidance(world.directive, world.users["leader"], TWO_LINES, "overdue")
    db.session.commit()

    assert created and [u.id for u in guidance.units] == [world.commune_a.id]
    notices = db.session.scalars(select(Notice).where(Notice.kind == "guidance")).all()
    assert [(n.unit_id, n.task_id) for n in notices] == [(world.commune_a.id, world.task_a.id)]
    assert "12/UBND-VP" in notices[0].subject and "khẩn trương" in notices[0].subject
    # the chair and the staff of A, the chair's mail with A's Party secretary in copy; nobody of B
    assert sent_mails() == {"ct.xa-a@test.example": ["bt.xa-a@test.example"], "mc.xa-a@test.example": []}
    assert {m.status for m in db.session.scalars(select(Mail).where(Mail.kind == "guidance"))} == {"sent"}


def test_guidance_to_units_chosen_reaches_those_only(world):
    give_guidance(world.directive, world.users["office"], "Báo cáo ngay.", [world.commune_b.id])
    db.session.commit()
    assert [n.unit_id for n in db.session.scalars(select(Notice).where(Notice.kind == "guidance"))] == [
        world.commune_b.id]
    assert set(sent_mails()) == {"ct.xa-b@test.example", "mc.xa-b@test.example"}


def test_a_mail_keeps_the_line_breaks_of_the_guidance(world):
    give_guidance(world.directive, world.users["leader"], TWO_LINES.replace("\n", "\r\n"), "overdue")
    db.session.commit()

    assert db.session.scalar(select(DirectiveGuidance.body)) == TWO_LINES  # as typed, one kind of line break
    messages = outbox_messages()
    assert len(messages) == 2
    for message in messages:
        assert "\n" not in str(message["Subject"]) and "12/UBND-VP" in str(message["Subject"])
        text = message.get_body(("plain",)).get_content()
        assert TWO_LINES in text.replace("\r\n", "\n")
        assert "chutich có ý kiến chỉ đạo về văn bản 12/UBND-VP ngày 02/05/2022" in text
        assert "http://theodoi.test/tasks/" in text  # the unit's open task, with its link
        html = message.get_body(("html",)).get_content()
        assert "hoàn thành.<br>" in html and "Báo cáo kết quả trước ngày 25/05/2022." in html


def test_a_long_paragraph_mails_fine(world):
    paragraph = ("Đề nghị rà soát, hoàn thành ngay các nhiệm vụ còn quá hạn; " * 80).strip()  # one line, 4.700 chars
    give_guidance(world.directive, world.users["leader"], paragraph, "overdue")
    db.session.commit()
    assert {m.status for m in db.session.scalars(select(Mail).where(Mail.kind == "guidance"))} == {"sent"}
    assert all(paragraph in m.get_body(("plain",)).get_content() for m in outbox_messages())


def test_the_same_form_sent_twice_gives_the_guidance_once(world):
    token = new_token()
    first, created = give_guidance(world.directive, world.users["leader"], TWO_LINES, "overdue", token=token)
    db.session.commit()
    again, created_again = give_guidance(world.directive, world.users["leader"], TWO_LINES, "overdue", token=token)
    db.session.commit()

    assert (created, created_again, again.id) == (True, False, first.id)
    assert count(DirectiveGuidance) == 1 and count(Notice, Notice.kind == "guidance") == 1
    assert count(Mail, Mail.kind == "guidance") == 2 and len(outbox_messages()) == 2


@pytest.mark.parametrize("who", ["chair_a", "staff_a", "observer_a", "admin"])
def test_only_leaders_and_the_office_give_guidance(world, who):
    with pytest.raises(DomainError) as refused:
        give_guidance(world.directive, world.users[who], TWO_LINES, "overdue")
    assert refused.value.status == 403
    db.session.rollback()
    assert count(DirectiveGuidance) == 0 and count(Notice, Notice.kind == "guidance") == 0


@pytest.mark.parametrize("body, target, field", [
    ("   \n ", "overdue", "guidance"),
    ("x" * 5001, "overdue", "guidance"),
    (TWO_LINES, [], "guide_units"),
    (TWO_LINES, [10**6], "guide_units"),  # not a unit of the directive
])
def test_bad_guidance_is_refused_beside_its_field_and_sends_nothing(world, body, target, field):
    with pytest.raises(DomainError) as refused:
        give_guidance(world.directive, world.users["leader"], body, target)
    assert (refused.value.status, refused.value.field) == (422, field)
    db.session.rollback()
    assert count(DirectiveGuidance) == 0 and count(Mail) == 0


def test_overdue_units_when_none_is_overdue_are_refused(world):
    clock.freeze(clock.parse_instant("2022-05-05T09:00:00"))
    with pytest.raises(DomainError, match="không có đơn vị nào còn nhiệm vụ quá hạn") as refused:
        give_guidance(world.directive, world.users["leader"], TWO_LINES, "overdue")
    assert refused.value.field == "reach"


# --- The pages -----------------------------------------------------------------------------------------------


def as_user(username: str):
    """A browser of its own, logged in as the user."""
    client = current_app.test_client()
    login(client, username)
    return client


def _post(client, directive_id: int, **data):
    form = {"csrf_token": csrf_token(client, "/"), **data}
    return client.post(f"/directives/{directive_id}/guidance", data=form)


def test_chairman_sends_guidance_from_the_directive_page_and_the_commune_sees_it(client, world):
    login(client, "chutich")
    page = client.get(f"/directives/{world.directive.id}").get_data(as_text=True)
    assert "Ý kiến chỉ đạo" in page and "Các đơn vị còn nhiệm vụ quá hạn (1)" in page
    assert "Gửi ý kiến chỉ đạo đến 1 đơn vị" in page  # how many, before sending
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]+)"', page).group(1)

    response = _post(client, world.directive.id, guidance=TWO_LINES, reach="overdue", token=token)
    assert response.status_code == 302 and response.location.endswith("#guidance")
    page = client.get(response.location).get_data(as_text=True)
    assert "Đã gửi ý kiến chỉ đạo đến 1 đơn vị." in page and "Ý kiến chỉ đạo đã gửi (1)" in page
    assert "Xã A" in page.split("Ý kiến chỉ đạo đã gửi")[1]

    client = as_user("ct.xa-a")
    home = client.get("/").get_data(as_text=True)
    assert "Ý kiến chỉ đạo của chutich về văn bản 12/UBND-VP" in home
    task = client.get(f"/tasks/{world.task_a.id}").get_data(as_text=True)
    assert "Ý kiến chỉ đạo về văn bản này" in task and TWO_LINES in task and "20/05/2022 09:00" in task

    client = as_user("ct.xa-b")  # B was not overdue: nothing on its pages
    assert "Ý kiến chỉ đạo" not in client.get(f"/tasks/{world.task_b.id}").get_data(as_text=True)
    assert "Ý kiến chỉ đạo" not in client.get("/").get_data(as_text=True)


def test_the_form_sent_twice_sends_once_and_says_so(client, world):
    login(client, "chutich")
    data = {"guidance": TWO_LINES, "reach": "chosen", "guide_units": [str(world.commune_a.id),
                                                                       str(world.commune_b.id)],
            "token": new_token()}
    assert _post(client, world.directive.id, **data).status_code == 302
    again = _post(client, world.directive.id, **data)
    assert again.status_code == 302
    assert "đã được gửi trước đó" in client.get(again.location).get_data(as_text=True)
    assert count(DirectiveGuidance) == 1 and count(Notice, Notice.kind == "guidance") == 2
    assert count(Mail, Mail.kind == "guidance") == 4


@pytest.mark.parametrize("data, message", [
    ({"guidance": "", "reach": "overdue"}, "Vui lòng nhập nội dung ý kiến chỉ đạo."),
    ({"guidance": TWO_LINES, "reach": "chosen"}, "Vui lòng chọn ít nhất một đơn vị"),
])
def test_bad_input_shows_the_page_again_with_the_text_kept(client, world, data, message):
    login(client, "chutich")
    response = _post(client, world.directive.id, token=new_token(), **data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert TWO_LINES in page or not data["guidance"]
    assert count(DirectiveGuidance) == 0


def test_overdue_units_when_none_is_overdue_is_said_beside_the_choice(client, world):
    clock.freeze(clock.parse_instant("2022-05-05T09:00:00"))
    login(client, "chutich")
    page = client.get(f"/directives/{world.directive.id}").get_data(as_text=True)
    assert "Các đơn vị còn nhiệm vụ quá hạn (0)" in page
    assert re.search(r'<input checked[^>]*value="chosen"', page)  # nobody overdue: "chosen" is ticked
    response = _post(client, world.directive.id, guidance=TWO_LINES, reach="overdue", token=new_token())
    assert response.status_code == 422
    assert "Hiện không có đơn vị nào còn nhiệm vụ quá hạn" in response.get_data(as_text=True)


@pytest.mark.parametrize("who, status", [("ct.xa-a", 403), ("mc.xa-a", 403), ("bt.xa-a", 403)])
def test_commune_users_cannot_give_guidance(client, world, who, status):
    login(client, who)
    page = client.get(f"/directives/{world.directive.id}").get_data(as_text=True)
    assert "guidance-form" not in page
    response = _post(client, world.directive.id, guidance=TWO_LINES, reach="overdue", token=new_token())
    assert response.status_code == status
    assert count(DirectiveGuidance) == 0 and count(Mail) == 0


def test_a_commune_sees_on_the_directive_page_only_what_reached_it(client, world):
    give_guidance(world.directive, world.users["leader"], "Cả hai xã khẩn trương.",
                  [world.commune_a.id, world.commune_b.id])
    db.session.commit()
    login(client, "ct.xa-a")
    page = client.get(f"/directives/{world.directive.id}").get_data(as_text=True)
    section = page.split('id="guidance"')[1]
    assert "Cả hai xã khẩn trương." in section and "Xã A" in section and "Xã B" not in section


# --- The API -------------------------------------------------------------------------------------------------


def _bearer(client, username: str) -> dict:
    token = client.post("/api/v1/auth/token", json={"username": username, "password": factories.PASSWORD})
    return {"Authorization": f"Bearer {token.json['token']}"}


def test_the_api_gives_guidance_once_per_key_and_lists_it(client, world):
    office = _bearer(client, "vanphong")
    url = f"/api/v1/directives/{world.directive.id}/guidance"
    body = {"body": TWO_LINES, "units": "overdue", "key": "phan-mem-vp-0001"}
    first = client.post(url, json=body, headers=office)
    again = client.post(url, json=body, headers=office)
    assert (first.status_code, again.status_code) == (201, 200) and first.json == again.json
    assert first.json["body"] == TWO_LINES and first.json["unit_ids"] == [world.commune_a.id]
    assert first.json["to_overdue"] is True and first.json["author"] == "vanphong"
    assert count(Mail, Mail.kind == "guidance") == 2

    assert [g["id"] for g in client.get(url, headers=office).json] == [first.json["id"]]
    assert [g["unit_ids"] for g in client.get(url, headers=_bearer(client, "mc.xa-a")).json] == [[
        world.commune_a.id]]
    assert client.get(url, headers=_bearer(client, "mc.xa-b")).json == []  # B's task, but nothing reached B


@pytest.mark.parametrize("who, body, status", [
    ("ct.xa-a", {"body": "Khẩn trương"}, 403),
    ("vanphong", {"body": ""}, 422),
    ("vanphong", {"body": "Khẩn trương", "units": [10**6]}, 422),
    ("vanphong", {"body": "Khẩn trương", "key": "ngắn"}, 422),
    ("vanphong", {"body": "Khẩn trương", "units": "all"}, 422),
])
def test_the_api_refuses_in_vietnamese_and_sends_nothing(client, world, who, body, status):
    response = client.post(f"/api/v1/directives/{world.directive.id}/guidance", json=body,
                           headers=_bearer(client, who))
    assert response.status_code == status and response.json["error"]
    assert count(DirectiveGuidance) == 0 and count(Mail) == 0
