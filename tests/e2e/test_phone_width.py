"""No page at 375 px is wider than the screen: every page a commune user can open, found from the URL map,
measured in Chromium on a phone-sized window with every folded section opened."""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import select

from app.auth.models import User
from app.core import clock
from app.directives import services as directive_services
from app.directives.models import Directive
from app.escalation.services import sweep_and_queue
from app.extensions import db
from app.seed.services import seed_demo
from app.tasks import fanout
from app.tasks.models import Task
from tests.conftest import login

PASSWORD = "demo-2022"
PHONE_WIDTH = 375
PORTAL = ("https://dichvucong.haiduong.gov.vn/dich-vu-cong/tiep-nhan-truc-tuyen/chi-tiet-thu-tuc"
          "?ma=1.001234.000.00.00.H23")
#: Open every folded part (details, the menu), then measure; elements wider than the screen are named.
WIDEST = """() => {
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  document.querySelectorAll(".collapse").forEach((c) => c.classList.add("show"));
  const width = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0 && !el.closest(".table-responsive, pre, .overflow-auto")) {
      const classes = typeof el.className === "string" ? el.className.trim().split(/\\s+/).join(".") : "";
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (classes ? "." + classes : "") +
               " (" + Math.round(box.right) + " px)");
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, widest: out.slice(0, 5)};
}"""


def _published(username: str) -> dict:
    """The demo with the reference directive published to every commune on 20/05/2022 (a task of each kind) and
    the reminders of 25/05 sent, so the inbox shows notices and mails; the ids a commune page may take."""
    seed_demo()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    directive = db.session.scalar(select(Directive))
    directive.requirements[1].kind = "written_report"  # the office asks for item 2 in writing: every kind is there
    directive.requirements[0].text = PORTAL + " " + directive.requirements[0].text  # a long word, as directives cite
    office = db.session.scalar(select(User).where(User.username == "vanphong"))
    fanout.publish(directive, office, directive_services.target_units(directive, "all"))
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-05-25T08:00:00"))
    sweep_and_queue()
    db.session.commit()
    user = db.session.scalar(select(User).where(User.username == username))
    tasks = db.session.scalars(select(Task).where(Task.unit_id == user.unit_id)).all()
    ids = {"directive_id": [directive.id], "task_id": sorted(t.id for t in tasks), "unit_id": [user.unit_id],
           "user_id": [user.id], "evidence_id": []}  # evidence is a download, not a page
    assert {t.requirement.kind for t in tasks} == {"action", "figures", "inventory", "written_report"}
    db.session.rollback()
    return ids


def _commune_pages(app, client, ids: dict) -> dict[str, str]:
    """Every HTML page of the URL map the commune user gets with 200, named by endpoint (and object)."""
    pages = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static/", "/healthz")):
            continue
        unknown = rule.arguments - set(ids)
        assert not unknown, f"{rule.endpoint}: no value for {sorted(unknown)} (add it to _published)"
        combos = [{}]
        for name in sorted(rule.arguments):
            combos = [{**combo, name: value} for combo in combos for value in ids[name]]
        for values in combos:
            with app.test_request_context():
                url = url_for(rule.endpoint, **values)
            response = client.get(url)
            if response.status_code == 200 and response.mimetype == "text/html":
                pages[f"{rule.endpoint} {url}"] = url
    return pages


@pytest.mark.parametrize("username", ["mc.tai-son", "ct.tai-son"])  # the desk staff; the chair also assigns
def test_every_commune_page_fits_a_phone(app, client, live_server, phone, username):
    ids = _published(username)
    login(client, username, PASSWORD)
    pages = _commune_pages(app, client, ids)
    assert {"home.index", "tasks.show", "directives.show", "auth.change_password"} <= {
        name.split()[0] for name in pages}, sorted(pages)
    assert sum(name.startswith("tasks.show") for name in pages) == len(ids["task_id"]) >= 4

    phone.goto(live_server + "/login")
    phone.fill("input[name=username]", username)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_selector("text=Đăng xuất", state="attached")
    too_wide = {}
    for name, url in sorted(pages.items()):
        phone.goto(live_server + url)
        measured = phone.evaluate(WIDEST)
        if measured["scrollWidth"] > PHONE_WIDTH:
            too_wide[name] = measured
    assert not too_wide, f"pages wider than {PHONE_WIDTH} px: {too_wide}"
