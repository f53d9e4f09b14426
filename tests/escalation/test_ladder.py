"""The escalation ladder as people receive it, through a real SMTP server (RELIABILITY 16).

The Tứ Kỳ demo district (23 communes, ct./mc./bt. accounts) gets a directive
with two requirements due 15/06/2022. Sweeps run through ``flask escalation
sweep --at``; without Redis each mail is sent right after the sweep's commit.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.core import clock
from app.extensions import db
from app.seed.services import seed_demo
from app.tasks.fanout import publish
from app.tasks.models import Task
from app.units.models import Unit
from app.units.queries import by_slug
from tests import factories
from tests.conftest import csrf_token, login
from tests.escalation.conftest import Commune, Setup, flush, mails, small_district, sweep

NUMBER = "125/UBND-VP"
DUE = date(2022, 6, 15)
SUBJECT = "[Theo dõi chỉ đạo] "
ZERO = {"reminders": 0, "escalations": 0, "emails_queued": 0}
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉĩọỏốồổỗộớờởỡợụủũứừửữựỳỷỹỵ]", re.I)


def publish_tu_ky(mailbox, published_at: str = "2022-06-01T08:00:00") -> Setup:
    """Seed Tứ Kỳ, publish a directive to all its communes, and let the 'assigned' mails go out."""
    clock.freeze(clock.parse_instant(published_at))
    seed_demo()
    db.session.commit()
    district = by_slug("tu-ky")
    office = db.session.scalar(select(User).where(User.username == "vanphong"))
    directive = factories.make_directive(district, state="draft", number=NUMBER,
                                         subject="Về việc đẩy mạnh dịch vụ công trực tuyến mức độ 3, 4")
    for label, text in (("1", "Rà soát, cập nhật danh mục thủ tục hành chính"),
                        ("2", "Tuyên truyền người dân nộp hồ sơ trực tuyến")):
        factories.make_requirement(directive, text, label=label, kind="action",
                                   deadline={"kind": "date", "date": DUE.isoformat()})
    db.session.refresh(directive)
    units = list(db.session.scalars(select(Unit).where(Unit.parent_id == district.id).order_by(Unit.slug)))
    assert len(units) == 23
    publish(directive, office, [u.id for u in units])
    db.session.commit()
    communes = []
    for unit in units:
        tasks = list(db.session.scalars(select(Task.id).where(Task.directive_id == directive.id,
                                                              Task.unit_id == unit.id).order_by(Task.id)))
        assert len(tasks) == 2 and all(db.session.get(Task, t).due_on == DUE for t in tasks)
        communes.append(Commune(unit.id, unit.slug, unit.name, f"ct.{unit.slug}@tuky.example",
                                f"mc.{unit.slug}@tuky.example", f"bt.{unit.slug}@tuky.example", tasks))
    setup = Setup(directive.id, NUMBER, communes, "vanphong@tuky.example", "chutich@tuky.example")
    # The 'assigned' mails wait for the outbox flush (the worker's every-minute job): one to each chair and staff.
    flush("2022-06-01T08:01:00")
    assigned = Counter(m.to for m in mailbox.delivered())
    assert assigned == Counter([c.chair for c in communes] + [c.staff for c in communes])
    assert all("Đơn vị được giao 2 nhiệm vụ mới" in m.subject for m in mailbox.delivered())
    mailbox.clear()
    clock.freeze(None)
    return setup


def links(body: str) -> list[int]:
    """The task ids the mail links to, through BASE_URL."""
    return [int(i) for i in re.findall(r"http://theodoi\.test/tasks/(\d+)\b", body)]


def by_recipient(mailbox) -> dict[str, list]:
    out: dict[str, list] = {}
    for message in mailbox.delivered():
        out.setdefault(message.to, []).append(message)
    return out


def assert_task_lines(message, setup: Setup, commune: Commune, late_days: int) -> None:
    """The mail names the directive, the due date, how late, and links each of the unit's tasks."""
    for body in (message.text, message.html):
        assert NUMBER in body
        assert "15/06/2022" in body
        assert sorted(links(body)) == commune.tasks  # exactly the unit's tasks, each once
        if late_days:
            assert f"quá hạn {late_days} ngày" in body
        else:
            assert "quá hạn" not in body
    assert VIETNAMESE.search(message.subject) and message.text.startswith("Kính gửi ")


def assert_digest(message, setup: Setup, day: str, communes: list[Commune], late_days: int) -> None:
    """A digest lists the overdue tasks grouped under each unit, once per unit."""
    total = sum(len(c.tasks) for c in communes)
    assert message.subject == (f"{SUBJECT}Tổng hợp nhiệm vụ quá hạn đến ngày {day}: "
                               f"{total} nhiệm vụ của {len(communes)} đơn vị")
    for commune in communes:
        assert message.text.count(f"\n{commune.name} (2 nhiệm vụ):") == 1, commune.name
        assert message.html.count(f"<h3>{commune.name} (2 nhiệm vụ)</h3>") == 1, commune.name
    sections = re.split(r"\r?\n(?=\S.* \(\d+ nhiệm vụ\):)", message.text)[1:]
    assert {section.splitlines()[0]: sorted(links(section)) for section in sections} == {
        f"{c.name} (2 nhiệm vụ):": c.tasks for c in communes}  # each unit's tasks under its own heading
    assert sorted(links(message.text)) == sorted(t for c in communes for t in c.tasks)
    assert sorted(links(message.html)) == sorted(t for c in communes for t in c.tasks)
    assert message.text.count(f"Văn bản {NUMBER}") == total
    assert message.text.count(f"(hạn 15/06/2022, quá hạn {late_days} ngày)") == total
    assert not message.cc and message.envelope_to == [message.to]


def test_each_step_reaches_the_people_the_ladder_names_once(runner, client, inline_smtp):
    setup = publish_tu_ky(inline_smtp)
    everyone = setup.communes
    done = setup.commune("dai-son")  # hands both tasks in on 13/06: no more reminders for it
    late = [c for c in everyone if c is not done]

    # 11/06, four days before: nothing yet.
    assert sweep(runner, "2022-06-11T08:00:00") == ZERO
    assert inline_smtp.delivered() == []

    # 12/06, three days before: the staff and the chair of every commune, one mail each listing both tasks.
    assert sweep(runner, "2022-06-12T08:00:00") == {"reminders": 46, "escalations": 0, "emails_queued": 46}
    got = by_recipient(inline_smtp)
    assert sorted(got) == sorted([c.chair for c in everyone] + [c.staff for c in everyone])
    for commune in everyone:
        for address in (commune.chair, commune.staff):
            [message] = got[address]
            assert message.subject == f"{SUBJECT}Nhắc việc: 2 nhiệm vụ sắp đến hạn"
            assert message.cc == [] and message.envelope_to == [address]
            assert_task_lines(message, setup, commune, late_days=0)
    assert sweep(runner, "2022-06-12T08:00:00") == ZERO  # the same instant again: nothing new
    assert sweep(runner, "2022-06-12T17:30:00") == ZERO  # later the same day: nothing new either
    assert len(inline_smtp.delivered()) == 46
    inline_smtp.clear()

    # 13/06: Đại Sơn hands its two tasks in through the API.
    clock.freeze(clock.parse_instant("2022-06-13T09:00:00"))
    token = client.post("/api/v1/auth/token", json={"username": "mc.dai-son", "password": "demo-2022"}).json["token"]
    for task_id in done.tasks:
        response = client.post(f"/api/v1/tasks/{task_id}/submit", headers={"Authorization": f"Bearer {token}"},
                               json={"note": "Đã hoàn thành"})
        assert response.status_code == 200, response.json
    clock.freeze(None)
    assert sweep(runner, "2022-06-13T08:30:00") == ZERO
    assert inline_smtp.delivered() == []

    # 15/06, the due day: the chair of each commune still late, nobody else.
    assert sweep(runner, "2022-06-15T08:00:00") == {"reminders": 44, "escalations": 0, "emails_queued": 22}
    got = by_recipient(inline_smtp)
    assert sorted(got) == sorted(c.chair for c in late)
    for commune in late:
        [message] = got[commune.chair]
        assert message.subject == f"{SUBJECT}Hôm nay là hạn cuối của 2 nhiệm vụ"
        assert message.cc == [] and message.envelope_to == [commune.chair]
        assert_task_lines(message, setup, commune, late_days=0)
    assert sweep(runner, "2022-06-15T08:00:00") == ZERO
    assert len(inline_smtp.delivered()) == 22
    inline_smtp.clear()

    # 16/06, a day late: the chair with the Party secretary in Cc; the office's daily digest.
    assert sweep(runner, "2022-06-16T08:00:00") == {"reminders": 0, "escalations": 44, "emails_queued": 23}
    got = by_recipient(inline_smtp)
    assert sorted(got) == sorted([c.chair for c in late] + [setup.office])
    for commune in late:
        [message] = got[commune.chair]
        assert message.subject == f"{SUBJECT}Quá hạn: 2 nhiệm vụ chưa hoàn thành"
        assert message.cc == [commune.secretary]
        assert sorted(message.envelope_to) == sorted([commune.chair, commune.secretary])
        assert_task_lines(message, setup, commune, late_days=1)
    [office] = got[setup.office]
    assert_digest(office, setup, "16/06/2022", late, late_days=1)
    assert sweep(runner, "2022-06-16T08:00:00") == ZERO
    assert len(inline_smtp.delivered()) == 23
    inline_smtp.clear()

    # 18/06, three days late: the district leaders' digest, and the office's digest of the day.
    assert sweep(runner, "2022-06-18T08:00:00") == {"reminders": 0, "escalations": 44, "emails_queued": 2}
    got = by_recipient(inline_smtp)
    assert sorted(got) == sorted([setup.leader, setup.office])
    [leader] = got[setup.leader]
    [office] = got[setup.office]
    assert_digest(leader, setup, "18/06/2022", late, late_days=3)
    assert_digest(office, setup, "18/06/2022", late, late_days=3)
    assert sweep(runner, "2022-06-18T08:00:00") == ZERO
    assert len(inline_smtp.delivered()) == 2

    # What the outbox says matches what arrived: every mail sent, once.
    outbox = mails()
    assert {m.status for m in outbox} == {"sent"}
    assert Counter(m.kind for m in outbox) == {"assigned": 46, "step": 46 + 22 + 22, "office": 2, "digest": 1}
    assert not any(m.to_address.startswith("bt.") for m in outbox)  # secretaries are only ever in copy


def test_a_sweep_missed_for_days_sends_only_the_latest_step(runner, inline_smtp):
    setup = publish_tu_ky(inline_smtp)
    # Nothing ran between publication and 20/06 (five days late): only the last step, not the ones skipped.
    assert sweep(runner, "2022-06-20T08:00:00") == {"reminders": 0, "escalations": 46, "emails_queued": 2}
    got = by_recipient(inline_smtp)
    assert sorted(got) == sorted([setup.leader, setup.office])
    assert_digest(got[setup.leader][0], setup, "20/06/2022", setup.communes, late_days=5)
    assert_digest(got[setup.office][0], setup, "20/06/2022", setup.communes, late_days=5)
    inline_smtp.clear()
    # The next day: the steps skipped are not sent late either; the office gets its digest of the day.
    assert sweep(runner, "2022-06-21T08:00:00") == {"reminders": 0, "escalations": 0, "emails_queued": 1}
    [office] = inline_smtp.delivered()
    assert office.to == setup.office
    assert_digest(office, setup, "21/06/2022", setup.communes, late_days=6)
    assert {m.step for m in mails(kind="step")} == set()


@pytest.mark.parametrize("at", ["2022-06-12T00:30:00+07:00", "2022-06-11T17:30:00+00:00"])
def test_the_day_is_the_vietnamese_day(runner, inline_smtp, at):
    """00:30 on 12/06 in Hà Nội is still 11/06 in UTC: the reminder is due (three days before)."""
    publish_tu_ky(inline_smtp)
    assert sweep(runner, at) == {"reminders": 46, "escalations": 0, "emails_queued": 46}
    assert len(inline_smtp.delivered()) == 46


def test_a_step_the_office_adds_is_titled_by_when_it_comes_not_by_its_name(runner, client, inline_smtp):
    """Steps typed on the ladder page get names like "buoc1": a step 5 days before is a reminder, 2 days after
    is overdue, whatever it is called."""
    setup = small_district(due_dates=(DUE, DUE))
    login(client, "vanphong")
    rows = {"steps-0-offset": "-5", "steps-0-to": ["chair"], "steps-0-email": "y",
            "steps-1-offset": "2", "steps-1-to": ["chair"], "steps-1-email": "y"}
    saved = client.post("/escalation/policy", data={"csrf_token": csrf_token(client, "/escalation/policy"), **rows})
    assert saved.status_code == 302
    chairs = sorted(c.chair for c in setup.communes)

    assert sweep(runner, "2022-06-10T08:00:00") == {"reminders": 4, "escalations": 0, "emails_queued": 2}
    assert sorted(m.to for m in inline_smtp.delivered()) == chairs
    assert {m.subject for m in inline_smtp.delivered()} == {f"{SUBJECT}Nhắc việc: 2 nhiệm vụ sắp đến hạn"}
    assert {m.step for m in mails(kind="step")} == {"buoc1"}
    inline_smtp.clear()

    assert sweep(runner, "2022-06-17T08:00:00") == {"reminders": 0, "escalations": 4, "emails_queued": 3}
    chair_mails = [m for m in inline_smtp.delivered() if m.to in chairs]
    assert sorted(m.to for m in chair_mails) == chairs
    assert {m.subject for m in chair_mails} == {f"{SUBJECT}Quá hạn: 2 nhiệm vụ chưa hoàn thành"}
