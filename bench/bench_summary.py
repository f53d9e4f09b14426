"""The board's summary on a database of 1,000,000 tasks (a province, 12 districts, 3,321 communes): one directive
of 3,321 units x 5 requirements and the whole tree, as the province's office, as a district's office in the
middle of the tree and as a commune's clerk, each against the raw GROUP BY with the same filter on units, through
the driver, in the same run; and the board page of that directive. On the run's database (bench/common.py)."""

from __future__ import annotations

import logging
import re
import statistics
import time
from collections import Counter

from app.auth.models import User
from app.auth.services import hash_password
from app.core import clock
from app.core.database import set_write_intent
from app.core.permissions import oversees_directive
from app.directives.models import Directive
from app.extensions import db
from app.reports.queries import summary
from bench.common import (
    FIRST_COMMUNE,
    FIRST_DISTRICT,
    build_million,
    driver,
    driver_sql,
    driver_value,
    make_app,
    report,
)

TASKS = 1_000_000
NOW = clock.parse_instant("2026-06-15T08:00:00")
ROUNDS = 7
DIRECTIVE_ID = 1
#: Who looks, by the name their lines carry: the root's office, an office in the middle, a commune.
VIEWERS = {"province_office": "vanphong", "district_office": f"vp.{FIRST_DISTRICT}", "commune": f"mc.{FIRST_COMMUNE}"}
RAW = """SELECT unit_id, CASE
  WHEN state = 'done' AND (due_on IS NULL OR submitted_on IS NULL OR submitted_on <= due_on) THEN 'done_on_time'
  WHEN state = 'done' THEN 'done_late' WHEN due_on IS NULL THEN 'no_deadline'
  WHEN state = 'submitted' AND submitted_on IS NOT NULL THEN
    CASE WHEN submitted_on <= due_on THEN 'open_on_time' ELSE 'open_overdue' END
  WHEN :today <= due_on THEN 'open_on_time' ELSE 'open_overdue' END AS grp, count(*)
FROM tasks {where} GROUP BY 1, 2"""


def median_seconds(ours, baseline) -> tuple[float, float]:
    """The median time of each call over ROUNDS, taken in turn so that a busy moment weighs on both alike."""
    times = {ours: [], baseline: []}
    for _ in range(ROUNDS):
        for call, taken in times.items():
            start = time.perf_counter()
            call()
            taken.append(time.perf_counter() - start)
    return statistics.median(times[ours]), statistics.median(times[baseline])


def raw_where(user: User, directive: Directive | None) -> tuple[str, dict]:
    """The WHERE a person would write for what the viewer may count: their commune, or the units below their
    office, which an office that issued the directive (or one above it) needs not say."""
    conditions, params = [], {}
    if directive is not None:
        conditions.append("directive_id = :directive")
        params["directive"] = directive.id
    if user.is_commune_user:
        conditions.append("unit_id = :unit")
        params["unit"] = user.unit_id
    elif directive is None or not oversees_directive(user, directive):
        conditions.append("unit_id IN (SELECT id FROM units WHERE path LIKE :below)")
        params["below"] = f"{user.unit.path}%"
    return ("WHERE " + " AND ".join(conditions) if conditions else ""), params


def raw_totals(app, user: User, directive: Directive | None, today) -> Counter:
    """The raw GROUP BY through the driver, as a read (no write lock); its tasks per group."""
    where, params = raw_where(user, directive)
    with driver(app, write=False) as (raw, cursor):
        cursor.execute(driver_sql(RAW.format(where=where)), {"today": driver_value(today), **params})
        rows = cursor.fetchall()
        raw.rollback()
    totals = Counter()
    for _unit, group, count in rows:
        totals[group] += count
    return totals


def measure_viewer(app, viewer: str, user: User, directive: Directive, today) -> None:
    """Two lines: the viewer's summary of one directive and of everything, each against its raw GROUP BY."""
    for scope, target in (("one_directive", directive), ("whole_tree", None)):
        measure_summary(app, f"summary_{scope}_{viewer}", user, target, today)


def measure_summary(app, name: str, user: User, target: Directive | None, today) -> None:
    """One line: `summary` as the user sees it against the raw GROUP BY, once checked to count the same."""
    def ours():
        figures = summary(user, target)
        db.session.close()  # ends the read; the user and directive stay loaded, as within a request
        return figures

    figures = ours()
    expected = raw_totals(app, user, target, today)
    assert {group: n for group, n in figures["totals"].items() if n} == dict(expected), name
    seconds, baseline = median_seconds(ours, lambda: raw_totals(app, user, target, today))
    report(name, TASKS, seconds, baseline, viewer=user.username, units_seen=len(figures["units"]),
           tasks_counted=sum(expected.values()))


def measure(app) -> None:
    today = clock.local_date(NOW)
    with app.app_context():
        clock.freeze(NOW)
        set_write_intent(False)  # reads only: no write lock held between the runs
        directive = db.session.get(Directive, DIRECTIVE_ID)
        _ = directive.issuer.path  # loaded, as the access check before any summary loads it
        for viewer, username in VIEWERS.items():
            user = db.session.scalar(db.select(User).where(User.username == username))
            _ = user.unit.path  # loaded, as the request's log-in loads it
            measure_viewer(app, viewer, user, directive, today)
        set_write_intent(True)
        office = db.session.scalar(db.select(User).where(User.username == VIEWERS["province_office"]))
        office.password_hash = hash_password("bench-password")
        db.session.commit()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "vanphong", "password": "bench-password", "csrf_token": token})
    board, bare = median_seconds(lambda: client.get(f"/reports/directives/{DIRECTIVE_ID}"),
                                 lambda: client.get("/healthz"))
    assert client.get(f"/reports/directives/{DIRECTIVE_ID}").get_data(as_text=True).count("board-cell") == 500
    report("summary_board_page", TASKS, board, bare, units_in_directive=3321, units_per_page=100)
    clock.freeze(None)


def main() -> None:
    logging.disable(logging.INFO)
    app, _ = make_app()
    build_million(app, clock.local_date(NOW), TASKS)
    measure(app)


if __name__ == "__main__":
    main()
