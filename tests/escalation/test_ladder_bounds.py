"""Ladder offsets are bounded, one bad ladder never stops the others' reminders, and a step's offset costs the
sweep nothing: the working days around today are found once, whatever the offsets.

Sweeps run through ``flask escalation sweep --at`` and mail a real SMTP server; only the clock is faked.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import escape

import pytest
from sqlalchemy import select

from app.core.calendar import WorkingCalendar
from app.core.errors import DomainError
from app.core.models import AuditLog
from app.escalation.ladder import (
    MAX_OFFSET,
    MIN_OFFSET,
    OFFSET_MESSAGE,
    due_ranges,
    validate_ladder,
    working_days_around,
)
from app.escalation.models import EscalationPolicy
from app.escalation.policies import LADDER_FAILED
from app.extensions import db
from app.units.models import Unit
from tests import factories
from tests.conftest import csrf_token, login
from tests.escalation.conftest import mails, small_district, sweep

DUE = date(2022, 6, 15)
REMINDER = "[Theo dõi chỉ đạo] Nhắc việc: 1 nhiệm vụ sắp đến hạn"


def ladder_form(rows: list[dict]) -> dict:
    """The ladder page's fields for these rows, as a browser posts them."""
    return {f"steps-{index}-{name}": value for index, row in enumerate(rows) for name, value in row.items()}


def post_ladder(client, rows: list[dict]):
    return client.post("/escalation/policy", data={"csrf_token": csrf_token(client, "/escalation/policy"),
                                                   **ladder_form(rows)})


def other_issuer() -> list[str]:
    """A second district with one commune and a directive due 15/06/2022 under the built-in ladder;
    the addresses its reminder goes to."""
    district = factories.make_unit("huyen-hai", "UBND huyện Hai", "district")
    commune = factories.make_unit("xa-m", "Xã M", "commune", district)
    factories.make_user("vanphong.hai", "district_office", district)
    for username, role in (("ct.xa-m", "unit_chair"), ("mc.xa-m", "unit_staff"), ("bt.xa-m", "observer")):
        factories.make_user(username, role, commune)
    directive = factories.make_directive(district, number="7/UBND-VP", subject="Về việc rà soát thủ tục")
    requirement = factories.make_requirement(directive, "Rà soát thủ tục hành chính", kind="action",
                                             deadline={"kind": "date", "date": DUE.isoformat()})
    factories.make_task(requirement, commune, DUE)
    db.session.commit()
    return ["ct.xa-m@test.example", "mc.xa-m@test.example"]


# -- the page ----------------------------------------------------------------------------------------

def test_an_offset_out_of_bounds_is_refused_beside_its_field_and_everything_typed_is_kept(client, tree):
    login(client, "vanphong")
    typed = [{"step_key": "som", "offset": "99999999", "to": ["chair"], "email": "y"},
             {"step_key": "muon", "offset": "2", "to": ["chair"], "cc": ["secretary"], "working_days": "y",
              "email": "y"}]
    refused = post_ladder(client, typed)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    offset_input = re.search(r'<input[^>]*name="steps-0-offset"[^>]*>\s*<div class="invalid-feedback">([^<]*)</div>',
                             page)
    assert offset_input and offset_input.group(1) == escape(OFFSET_MESSAGE, quote=False)
    assert 'value="99999999"' in offset_input.group(0) and "is-invalid" in offset_input.group(0)
    assert re.search(r'name="steps-1-step_key"[^>]*value="muon"', page)
    assert re.search(r'<input[^>]*checked[^>]*name="steps-1-working_days"|name="steps-1-working_days"[^>]*checked',
                     page)
    assert "-90" in OFFSET_MESSAGE and "365" in OFFSET_MESSAGE  # the page says the bounds an office may use
    assert db.session.scalar(select(EscalationPolicy)) is None  # nothing stored

    too_early = post_ladder(client, [{"offset": str(MIN_OFFSET - 1), "to": ["chair"], "email": "y"}])
    assert too_early.status_code == 422 and escape(OFFSET_MESSAGE, quote=False) in too_early.get_data(as_text=True)
    # The bounds themselves are allowed.
    saved = post_ladder(client, [{"offset": str(MIN_OFFSET), "to": ["chair"], "email": "y"},
                                 {"offset": str(MAX_OFFSET), "working_days": "y", "to": ["leaders"], "email": "y"}])
    assert saved.status_code == 302
    db.session.rollback()
    assert [s["offset"] for s in db.session.scalar(select(EscalationPolicy)).steps] == [MIN_OFFSET, MAX_OFFSET]


@pytest.mark.parametrize("offset", [99999999, MIN_OFFSET - 1, MAX_OFFSET + 1, float("inf")])
def test_every_way_in_checks_the_bounds(offset):
    """validate_ladder is the one rule: the form, save_policy and the sweep all go through it."""
    with pytest.raises(DomainError) as refused:
        validate_ladder([{"key": "x", "offset": offset, "to": ["chair"]}])
    assert refused.value.message.startswith("Bước 1: ")


# -- the sweep -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad_step", [
    {"key": "after1", "offset": 99999999, "working_days": False},  # was an OverflowError that stopped every sweep
    {"key": "before300", "offset": -300, "working_days": True},    # took the sweep 5 s
], ids=["offset-99999999", "300-working-days-before"])
def test_a_bad_ladder_of_one_office_does_not_stop_another_offices_reminders(app, runner, client, inline_smtp,
                                                                            bad_step):
    setup = small_district(due_dates=(DUE,))
    theirs = other_issuer()
    district = db.session.scalar(select(Unit).where(Unit.slug == "huyen"))
    # Written straight into the database, as before the bounds existed: the form would refuse it now.
    db.session.add(EscalationPolicy(issuer_unit_id=district.id, directive_id=None,
                                    steps=[{**bad_step, "to": ["chair"], "cc": [], "channels": ["email"]}]))
    db.session.commit()

    assert sweep(runner, "2022-06-12T08:00:00") == {"reminders": 1, "escalations": 0, "emails_queued": 2}
    got = inline_smtp.delivered()
    assert sorted(m.to for m in got) == sorted(theirs) and {m.subject for m in got} == {REMINDER}
    assert not any(m.to_address.endswith(("xa-a@test.example", "xa-b@test.example")) for m in mails())

    # The skipped ladder is recorded (once a day, however often the sweep runs) and its office is told.
    sweep(runner, "2022-06-12T08:15:00")
    [failure] = db.session.scalars(select(AuditLog).where(AuditLog.action == LADDER_FAILED)).all()
    assert failure.detail["issuer_unit_id"] == district.id and failure.detail["error"].startswith("Bước 1: ")
    login(client, "vanphong")
    page = client.get("/escalation/policy").get_data(as_text=True)
    assert 'id="ladder-problem"' in page and escape(OFFSET_MESSAGE, quote=False) in page

    # The office corrects its ladder: the warning goes and its communes get their reminders.
    assert post_ladder(client, [{"offset": "-3", "to": ["chair"], "email": "y"}]).status_code == 302
    assert 'id="ladder-problem"' not in client.get("/escalation/policy").get_data(as_text=True)
    inline_smtp.clear()
    assert sweep(runner, "2022-06-12T08:30:00") == {"reminders": 2, "escalations": 0, "emails_queued": 2}
    assert sorted(m.to for m in inline_smtp.delivered()) == sorted(c.chair for c in setup.communes)


def reached(calendar: WorkingCalendar, offset: int, due: date, today: date) -> bool:
    """Whether a step of `offset` working days is reached by `today` for a task due on `due` (counted by hand)."""
    day, left, step = due, abs(offset), timedelta(days=1 if offset > 0 else -1)
    while left:
        day += step
        left -= calendar.is_working_day(day)
    return day <= today


@pytest.mark.parametrize("offset", [MIN_OFFSET, -5, -1, 1, 300, MAX_OFFSET])
def test_a_working_day_step_reaches_exactly_its_due_dates_and_costs_no_calendar_work(offset):
    today = date(2023, 1, 16)  # Tết 2023 (20–26/01) lies just ahead, weekends and New Year's Day behind
    days = working_days_around(today)
    examined = days.examined
    ladder = [{"key": "a", "offset": offset, "working_days": True, "to": ["chair"]},
              {"key": "b", "offset": 0, "working_days": True, "to": ["chair"]}]
    ranges = due_ranges(ladder, today, days)
    assert days.examined == examined  # the steps only read the index: no walk as long as the offset
    last = ranges["a"][1]  # the latest due date step "a" reaches today
    if offset > 0:
        assert ranges["a"][0] is None  # the last step: every older due date has reached it
    else:
        assert ranges["b"] == (None, today)
    calendar = WorkingCalendar(today - timedelta(days=800), today + timedelta(days=300), overrides={})
    assert reached(calendar, offset, last, today)
    assert not reached(calendar, offset, last + timedelta(days=1), today)


def test_a_reminder_ninety_working_days_ahead_reaches_the_task_due_then_and_not_the_next(app, runner, client,
                                                                                         inline_smtp):
    today = date(2022, 6, 12)
    [_, high] = due_ranges([{"key": "k", "offset": MIN_OFFSET, "working_days": True}], today,
                             working_days_around(today))["k"]
    setup = small_district(due_dates=(high, high + timedelta(days=1)))
    login(client, "vanphong")
    assert post_ladder(client, [{"offset": str(MIN_OFFSET), "working_days": "y", "to": ["chair"],
                                 "email": "y"}]).status_code == 302
    assert sweep(runner, "2022-06-12T08:00:00") == {"reminders": 2, "escalations": 0, "emails_queued": 2}
    for message in inline_smtp.delivered():
        commune = next(c for c in setup.communes if c.chair == message.to)
        assert message.subject == REMINDER
        assert f"/tasks/{commune.tasks[0]}" in message.text and f"/tasks/{commune.tasks[1]}" not in message.text
        assert f"hạn {high:%d/%m/%Y}" in message.text
