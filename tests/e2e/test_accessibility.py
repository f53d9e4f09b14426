"""WCAG 2.1 A/AA (Thông tư 26/2020/TT-BTTTT) in a real browser: axe-core on every page each role opens from the
navbar and one click deeper, at 1366 px and at 375 px; no serious or critical violation.

The demo is seeded once for the module, with the reference directive published and tasks in every state the
pages show (open, handed in, returned, done), the figures imported, a follow-up drafted and reminders sent. The
walk only reads, so the tables are emptied once, at the module's end, not after each test; each role signs in
once per width and its browser context serves all of that role's pages.
"""

from __future__ import annotations

import functools
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app.auth.models import User
from app.core import clock
from app.core.database import set_write_intent
from app.directives import services as directive_services
from app.directives.models import Directive, Requirement
from app.escalation.services import sweep_and_queue
from app.extensions import db
from app.indicators.imports import import_figures
from app.indicators.queries import units_for_import
from app.reports.followup import draft_follow_up
from app.seed.services import seed_demo
from app.tasks import fanout
from app.tasks import services as tasks
from app.tasks.models import Task
from app.units.models import Unit
from tests.conftest import _empty_tables
from tests.e2e.conftest import _csp_watch, _patient, sign_in

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
FIGURES = Path(__file__).resolve().parents[1] / "reports" / "dvc_2022-04_tu_ky.csv"
SLUG = "tai-son"
WIDTHS = {"1366": {"width": 1366, "height": 900}, "375": {"width": 375, "height": 740}}
#: What axe checks: WCAG 2.0 and 2.1, levels A and AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
#: What one click unfolds is checked too: every <details>, and the navbar's menu behind its button on a phone.
UNFOLD = """() => {
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  document.querySelectorAll(".navbar .collapse").forEach((c) => c.classList.add("show"));
}"""

#: Pages every signed-in user opens: the navbar's and the account menu's.
EVERYONE = {"home": "/", "directives": "/directives/", "directive": "/directives/{directive}",
            "password": "/account/password", "tokens": "/account/tokens"}
#: What a district-level user sees besides: the reports, the units, the board and the tasks on it.
OVERSIGHT = {"figures": "/reports/figures", "compliance": "/reports/compliance", "units": "/units",
             "scorecard": "/reports/units/{unit}", "board": "/reports/directives/{directive}",
             "task-submitted": "/tasks/{submitted}", "task-returned": "/tasks/{returned}",
             "task-done": "/tasks/{done}", "task-open": "/tasks/{open}"}
#: A commune's own tasks, one of each kind, in the states the demo leaves them.
COMMUNE = {"task-submitted": "/tasks/{submitted}", "task-returned": "/tasks/{returned}",
           "task-figures": "/tasks/{open}", "task-inventory": "/tasks/{inventory}",
           "scorecard": "/reports/units/{own_unit}"}
PAGES: dict[str, dict[str, str]] = {
    "anonymous": {"login": "/login", "not-found": "/khong-co-trang-nay"},
    "admin": {**EVERYONE, **OVERSIGHT, "users": "/admin/users", "user-edit": "/admin/users/{staff_user}",
              "calendar": "/admin/calendar", "mails": "/admin/mails", "merge": "/units/merge", "roots": "/admin/roots",
              "not-found": "/directives/999999"},
    "vanphong": {**EVERYONE, **OVERSIGHT, "review-queue": "/tasks/review", "escalation": "/escalation/policy",
                 "directive-escalation": "/escalation/directives/{directive}", "new-directive": "/directives/new",
                 "wording": "/directives/wording", "follow-up-draft": "/directives/{draft}/edit",
                 "draft": "/directives/{draft}"},
    "chutich": {**EVERYONE, **OVERSIGHT},
    f"ct.{SLUG}": {**EVERYONE, **COMMUNE},
    f"mc.{SLUG}": {**EVERYONE, **COMMUNE},
    f"bt.{SLUG}": {**EVERYONE, **COMMUNE},
}
#: Pages answered with another status than 200 on purpose.
STATUS = {"not-found": 404}
#: Pages photographed (the navbar unfolded) under /tmp/shots/accessibility/ for a person to look at.
SHOTS = {"home", "login", "not-found", "new-directive", "password", "follow-up-draft"}
SHOT_DIR = Path("/tmp/shots/accessibility")
CASES = [pytest.param(role, name, width, id=f"{role}-{name}-{width}")
         for role, pages in PAGES.items() for name in pages for width in WIDTHS]


def _user(username: str) -> User:
    """The demo account of that name."""
    return db.session.scalar(select(User).where(User.username == username))


def _task(unit_id: int, kind: str) -> Task:
    """The unit's task of that kind on the reference directive."""
    return db.session.scalar(select(Task).join(Requirement).where(
        Task.directive_id == 1, Task.unit_id == unit_id, Requirement.kind == kind).order_by(Task.id))


def _seed() -> dict[str, int]:
    """The demo on 25/05/2022: the reference directive published on 20/05, Tái Sơn's action handed in and its
    written report returned, another commune's action done, April's figures imported, a follow-up drafted and
    the reminders sent; the ids the pages take."""
    seed_demo()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    directive = db.session.get(Directive, 1)
    directive.requirements[1].kind = "written_report"  # every kind of task page is walked
    office = _user("vanphong")
    fanout.publish(directive, office, directive_services.target_units(directive, "all"))
    allowed, by_slug = units_for_import(office)
    import_figures(FIGURES.read_bytes(), FIGURES.name, allowed, by_slug)
    db.session.commit()

    clock.freeze(clock.parse_instant("2022-05-23T09:00:00"))
    staff = _user(f"mc.{SLUG}")
    own = staff.unit_id
    submitted, returned = _task(own, "action"), _task(own, "written_report")
    tasks.submit(submitted, staff, "Đã niêm yết thủ tục tại bộ phận một cửa")
    tasks.save_work(returned, staff, {"difficulties": "Thiếu máy quét", "proposals": "Cấp thêm máy quét"})
    tasks.submit(returned, staff)
    tasks.review(returned, office, "return", "Đề nghị đính kèm báo cáo có chữ ký")
    other = db.session.scalar(select(Unit).where(Unit.parent_id == staff.unit.parent_id, Unit.id != own)
                              .order_by(Unit.slug))
    done = _task(other.id, "action")
    tasks.submit(done, _user(f"mc.{other.slug}"), "Đã tuyên truyền trên loa truyền thanh")
    tasks.review(done, office, "accept", None)
    draft, _ = draft_follow_up(directive, office, "2022-04", "below_target")
    db.session.commit()

    clock.freeze(clock.parse_instant("2022-05-25T08:00:00"))
    sweep_and_queue()
    db.session.commit()
    return {"directive": directive.id, "unit": other.id, "own_unit": own, "submitted": submitted.id,
            "returned": returned.id, "done": done.id, "open": _task(own, "figures").id,
            "inventory": _task(own, "inventory").id, "staff_user": staff.id, "draft": draft.id}


@pytest.fixture(scope="module")
def world(app):
    """The seeded demo and a server for the whole module; rows, files and clock are reset at its end (or when
    seeding fails), as the suite's `_context` does after each test elsewhere."""
    try:
        with app.app_context():
            ids = _seed()
            db.session.remove()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield {"base": f"http://127.0.0.1:{server.server_port}", "ids": ids}
        server.shutdown()
        thread.join(10)
    finally:
        with app.app_context():
            db.session.remove()
            _empty_tables()
        clock.freeze(None)
        for key in ("STORAGE_DIR", "OUTBOX_DIR"):
            shutil.rmtree(app.config[key], ignore_errors=True)


@pytest.fixture(autouse=True)
def _context(app):
    """An app context per test, as everywhere, but the module's rows stay: the walk only reads them."""
    set_write_intent(False)
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture(scope="module")
def browsers(chromium, world):
    """One signed-in browser page per role and width, opened on first use."""
    opened: dict[tuple[str, str], tuple] = {}

    def get(role: str, width: str):
        if (role, width) not in opened:
            context = chromium.new_context(locale="vi-VN", viewport=WIDTHS[width],
                                           is_mobile=width == "375", has_touch=width == "375")
            page = context.new_page()
            _patient(page)
            refused = _csp_watch(page)
            if role != "anonymous":
                sign_in(page, world["base"], role)
            opened[role, width] = (page, refused)
        return opened[role, width]

    yield get
    for page, _ in opened.values():
        page.context.close()


@functools.cache
def _axe_source() -> str:
    """axe.min.js, read once."""
    return AXE.read_text(encoding="utf-8")


def _axe(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it stands.

    axe is evaluated from its source rather than added with page.add_script_tag(path=...): that inserts an
    inline <script>, which the app's Content-Security-Policy (scripts from 'self' or with the response's nonce)
    refuses, as it should ("Executing inline script violates … script-src"), and the refusal would fail the
    CSP check. Playwright's evaluation is not a page script, so the policy stays on and untouched (no
    bypass_csp context) while axe runs.
    """
    page.evaluate(_axe_source())
    return page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: "
                         "['violations']}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact, "
                         "help: v.help, nodes: v.nodes.map(n => ({impact: n.impact, target: n.target.join(' '), "
                         "summary: n.failureSummary}))})))", TAGS)


def _blocking(violations: list[dict]) -> list[str]:
    """Each serious or critical failure: rule, impact, selector and what axe says to fix."""
    lines = []
    for rule in violations:
        for node in rule["nodes"]:
            impact = node["impact"] or rule["impact"]
            if impact in BLOCKING:
                summary = " ".join((node["summary"] or "").split())
                lines.append(f"{rule['id']} ({impact}) at {node['target']}: {rule['help']}. {summary}")
    return lines


@pytest.mark.parametrize("role, name, width", CASES)
def test_page_has_no_serious_wcag_violation(world, browsers, role, name, width):
    """The page opens for the role and axe finds no serious or critical WCAG 2.1 A/AA failure on it."""
    page, refused = browsers(role, width)
    url = world["base"] + PAGES[role][name].format(**world["ids"])
    refused.clear()
    response = page.goto(url)
    assert response.status == STATUS.get(name, 200), f"{role} cannot open {url}: {response.status}"
    page.evaluate(UNFOLD)
    if name in SHOTS:
        SHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOT_DIR / f"{role}-{name}-{width}.png"))
    failures = _blocking(_axe(page))
    assert not failures, f"{len(failures)} serious/critical WCAG 2.1 A/AA violations on {page.url} " \
                         f"({role}, {width} px):\n" + "\n".join(failures)
    assert refused == [], "the Content-Security-Policy blocked something the page needs"
