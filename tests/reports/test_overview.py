"""The leaders' overview (issue 14): the figures on the demo district, worst first, each a link to its list."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from app.auth.models import User
from app.core import clock
from app.directives import services as directives
from app.directives.models import Directive, Requirement
from app.extensions import db
from app.indicators.imports import import_figures
from app.indicators.queries import units_for_import
from app.indicators.services import record_figures
from app.reports.overview import overview, report_month
from app.reports.queries import summary
from app.seed.services import seed_demo
from app.tasks import fanout
from app.tasks import services as tasks
from app.tasks.models import Task
from app.units.queries import by_slug
from tests import factories
from tests.conftest import login

FIGURES = Path(__file__).resolve().parent / "dvc_2022-04_tu_ky.csv"
PASSWORD = "demo-2022"
#: The nine communes below the 10 % target in April (tests/reports/test_reports.py holds the same).
LAGGING = {"Tái Sơn", "Quang Phục", "Phượng Kỳ", "Tiên Động", "Hà Kỳ", "Quang Khải", "Tân Kỳ", "Văn Tố", "Đại Hợp"}


def at(moment: str) -> None:
    clock.freeze(clock.parse_instant(moment))


def user(username: str) -> User:
    return db.session.scalar(db.select(User).where(User.username == username))


def task(slug: str, label: str | None, directive_id: int = 1) -> Task:
    """A commune's task on a requirement of the directive (label None: the monthly figures report)."""
    wanted = Requirement.label.is_(None) if label is None else Requirement.label == label
    return db.session.scalar(db.select(Task).join(Requirement).where(
        Task.directive_id == directive_id, Task.unit_id == by_slug(slug).id, wanted))


def hand_in(row: Task, username: str, data: dict | None = None, note: str | None = "Đã triển khai") -> None:
    tasks.hand_in(row, user(username), data, [], note, row.version, submit_now=True, max_bytes=10**6)
    db.session.commit()


def accept(row: Task) -> None:
    tasks.review(row, user("vanphong"), "accept", None, row.version)
    db.session.commit()


def april_rates() -> dict[str, float]:
    """Each commune's online rate in April, read from the file the office imports."""
    rates = {}
    for line in FIGURES.read_text().splitlines()[1:]:
        slug, _period, total, level3, level4, _settled = line.split(",")
        rates[by_slug(slug).name] = (int(level3) + int(level4)) / int(total)
    return rates


@pytest.fixture
def district():
    """The demo district on 26/05/2022, some work done, some late, figures for March and April.

    The reference directive, published 20/05 with its three numbered requirements due 24/05 and May's figures
    report due 25/05: Tái Sơn did its two actions on time and handed in May's figures on the 24th; Quang Phục did
    its first action on the 26th (late). A later dispatch gave Hà Kỳ two more tasks, overdue since 10/05, and
    left Hà Kỳ and Tân Kỳ an April report unsent. Another district's eight overdue tasks are not Tứ Kỳ's to see.
    """
    seed_demo()
    at("2022-05-20T09:00:00")
    reference = db.session.get(Directive, 1)
    rules = {str(r.id): {"kind": "date", "date": "2022-05-24"} for r in reference.requirements if r.label}
    fanout.publish(reference, None, directives.target_units(reference, "all"), rules)
    db.session.commit()
    for label in ("1", "2"):
        hand_in(task("tai-son", label), "mc.tai-son")
        accept(task("tai-son", label))
    at("2022-05-24T15:00:00")
    hand_in(task("tai-son", None), "mc.tai-son", {"figures": {
        "period": "2022-05", "total": 220, "online_level3": 6, "online_level4": 0, "settled_online": 5}}, None)
    at("2022-05-25T08:00:00")
    tu_ky = by_slug("tu-ky")
    later = factories.make_directive(tu_ky, number="88/UBND-VP", subject="Về việc rà soát hồ sơ tồn đọng",
                                     issued_on=date(2022, 5, 25), published_at=clock.now())
    for label in ("1", "2"):
        factories.make_task(factories.make_requirement(later, label=label), by_slug("ha-ky"), due_on=date(2022, 5, 10))
    factories.make_directive(tu_ky, state="draft", number="99/UBND-VP", subject="Dự thảo chưa ban hành")
    figures_report = db.session.get(Requirement, task("ha-ky", None).requirement_id)
    for slug in ("ha-ky", "tan-ky"):
        factories.make_task(figures_report, by_slug(slug), due_on=date(2022, 4, 25), period="2022-04")
    other = factories.make_unit("huyen-khac", "UBND huyện Khác", "district")
    elsewhere = factories.make_directive(other, number="7/UBND", subject="Việc của huyện khác")
    for label in "12345678":
        factories.make_task(factories.make_requirement(elsewhere, label=label),
                            factories.make_unit("xa-khac", "Xã Khác", "commune", other), due_on=date(2022, 5, 1))
    allowed, by_slugs = units_for_import(user("vanphong"))
    import_figures(FIGURES.read_bytes(), "dvc.csv", allowed, by_slugs)
    for slug, total, online in (("tai-son", 200, 10), ("ha-ky", 100, 4)):
        record_figures(by_slug(slug).id, "2022-03", {"total": total, "online_level3": online, "online_level4": 0,
                                                     "settled_online": 0}, "import")
    db.session.commit()
    at("2022-05-26T09:00:00")
    hand_in(task("quang-phuc", "1"), "mc.quang-phuc")
    accept(task("quang-phuc", "1"))
    return {"reference": reference.id, "later": later.id}


def test_each_published_directive_is_counted_by_group_as_its_board_counts_it(district):
    data = overview(user("chutich"))
    rows = data["directives"]["rows"]
    assert [r["directive"].number for r in rows] == ["88/UBND-VP", None]  # newest first; no draft, no other district
    assert data["directives"]["total"] == 2
    reference = rows[1]["groups"]
    # 92 tasks and two April reports: Tái Sơn's two actions on time, Quang Phục's one late; Tái Sơn's figures
    # handed in by the 25th; everything else past its day (24/05, 25/05, 25/04) and not handed in.
    assert reference == {"done_on_time": 2, "done_late": 1, "open_on_time": 1, "open_overdue": 90, "no_deadline": 0}
    assert rows[0]["groups"]["open_overdue"] == 2 and rows[0]["tasks"] == 2
    for row in rows:
        assert row["groups"] == summary(user("chutich"), row["directive"])["totals"]


def test_overdue_communes_are_ranked_worst_first_across_directives(district):
    ranked = overview(user("chutich"))["overdue"]
    names = [u["name"] for u in ranked]
    counts = [u["overdue"] for u in ranked]
    # Hà Kỳ: 4 on the reference directive, 2 on the later one and its April report; Tái Sơn only its inventory.
    assert (names[0], counts[0]) == ("Xã Hà Kỳ", 7)
    assert names[-2:] == ["Xã Quang Phục", "Xã Tái Sơn"] and counts[-2:] == [3, 1]
    assert counts == sorted(counts, reverse=True) and len(ranked) == 23
    assert "Xã Khác" not in names  # another district's units are not Tứ Kỳ's leader's to see
    assert {u["name"] for u in overview(user("admin"))["overdue"][:1]} == {"Xã Khác"}  # the admin sees all


def test_missed_monthly_reports_are_the_latest_due_month_most_missed_first(district):
    reports = overview(user("chutich"))["reports"]
    assert reports["period"] == "2022-05" and reports["label"] == "05/2022"
    assert reports["counts"] == {"on_time": 1, "late": 0, "missing": 22, "open": 0}
    names = [u["name"] for u in reports["units"]]
    assert names[:2] == ["Xã Hà Kỳ", "Xã Tân Kỳ"]  # they also missed April
    assert [u["months"] for u in reports["units"][:3]] == [2, 2, 1]
    assert "Xã Tái Sơn" not in names and len(names) == 22


def test_before_the_due_day_the_month_before_is_shown():
    periods = ["2022-04", "2022-05"]
    table = {1: {"2022-04": "missing", "2022-05": "open"}, 2: {"2022-04": "on_time", "2022-05": "open"}}
    assert report_month(periods, table, date(2022, 5, 20)) == "2022-04"
    assert report_month(periods, {1: {"2022-05": "open"}}, date(2022, 5, 20)) == "2022-05"
    assert report_month(periods, {1: {"2022-05": "late"}}, date(2022, 5, 26)) == "2022-05"
    assert report_month([], {}, date(2022, 5, 26)) is None


def test_online_ranking_is_the_latest_month_lowest_first_with_its_change(district):
    online = overview(user("chutich"))["online"]
    assert online["period"] == "2022-04" and online["units"] == 23 and online["target"] == 0.10
    rates = april_rates()
    below = [u["name"] for u in online["below"]]
    assert {n.replace("Xã ", "") for n in below} == LAGGING and online["below_target"] == 9
    assert [u["rate"] for u in online["below"]] == sorted(rates[n] for n in below)  # lowest first
    # The three with no online dossier at all (0 %) come first, and say so.
    assert {u["name"] for u in online["below"][:3]} == {"Xã Phượng Kỳ", "Xã Quang Khải", "Xã Tân Kỳ"}
    assert [u["no_online"] for u in online["below"]] == [True] * 3 + [False] * 6
    tai_son = next(u for u in online["below"] if u["name"] == "Xã Tái Sơn")
    assert tai_son["change"] == pytest.approx(2 / 213 - 10 / 200)
    assert next(u for u in online["below"] if u["name"] == "Xã Tân Kỳ")["change"] is None  # no March figures
    assert [t["period"] for t in online["trend"]] == ["2022-03", "2022-04"]
    assert online["trend"][0]["rate"] == pytest.approx(14 / 300) and online["trend"][0]["units"] == 2


def test_leaders_open_on_the_overview_and_each_figure_links_to_its_list(app, district):
    client = app.test_client()
    login(client, "chutich", PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert "<h1 class=\"h4 mb-0\">Tổng quan</h1>" in page and 'href="/?view=tasks"' in page
    reference = district["reference"]
    for key, count in (("done_on_time", 2), ("done_late", 1), ("open_on_time", 1), ("open_overdue", 90)):
        link = re.search(rf'href="/reports/directives/{reference}\?group={key}">[^<]*<span class="count">(\d+)<', page)
        assert link and int(link.group(1)) == count, key
    assert f"/reports/directives/{reference}?group=no_deadline" not in page  # a zero is no link
    ha_ky = by_slug("ha-ky").id
    assert re.search(rf'href="/reports/units/{ha_ky}" data-testid="overdue-unit">.*?Xã Hà Kỳ.*?7 quá hạn', page,
                     re.S)
    scorecard = client.get(f"/reports/units/{ha_ky}").get_data(as_text=True)
    assert re.search(r"Đang quá hạn: <strong[^>]*>7</strong>", scorecard)  # the figure behind the link
    assert 'href="/reports/compliance"' in page and 'href="/reports/figures?period=2022-04"' in page
    assert "0,9\u00a0%" in page  # Tái Sơn's April rate, written the Vietnamese way
    board = client.get(f"/reports/directives/{reference}?group=done_late").get_data(as_text=True)
    assert "Xã Quang Phục" in board and "Xã Tái Sơn" not in board  # the count opens the board filtered


def test_the_task_list_stays_one_link_away_and_communes_keep_their_inbox(app, district):
    office = app.test_client()
    login(office, "vanphong", PASSWORD)
    assert "Tổng quan" in office.get("/").get_data(as_text=True)
    tasks_page = office.get("/?view=tasks").get_data(as_text=True)
    assert "Tổng quan</h1>" not in tasks_page and 'name="directive"' in tasks_page and "/tasks/" in tasks_page
    filtered = office.get(f"/?directive={district['later']}").get_data(as_text=True)
    assert 'name="directive"' in filtered and "Tổng quan</h1>" not in filtered
    commune = app.test_client()
    login(commune, "ct.tai-son", PASSWORD)
    inbox = commune.get("/").get_data(as_text=True)
    assert "Tổng quan</h1>" not in inbox and "Xã Tái Sơn" in inbox and 'name="directive"' in inbox
    admin = app.test_client()
    login(admin, "admin", PASSWORD)
    assert "Tổng quan</h1>" in admin.get("/").get_data(as_text=True)


def test_an_empty_district_says_so_instead_of_showing_zeros(app):
    seed_demo()
    db.session.commit()
    client = app.test_client()
    login(client, "chutich", PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert "Chưa có văn bản nào đã ban hành." in page and "Không có nhiệm vụ nào quá hạn." in page
    assert "Chưa có nhiệm vụ báo cáo định kỳ." in page and "Chưa có số liệu." in page

