"""Issue 14: the board as a person reads it (dates in order, whole counts, headers told apart, handed-in and
returned tasks in their own colours) and its Excel copy, cell for cell the same as the page."""

import io
import json
import re
from datetime import date
from pathlib import Path

import lxml.html
from openpyxl import load_workbook

from app.auth.models import User
from app.core import clock
from app.directives import services
from app.directives.models import Directive, Requirement
from app.extensions import db
from app.reports.queries import column_labels, overdue_over_time
from app.seed.services import seed_demo
from app.tasks import fanout
from app.tasks.groups import GROUPS
from app.tasks.models import Task
from app.units.models import Unit
from tests.conftest import login

CSS = Path(__file__).resolve().parents[2] / "app" / "static" / "app.css"
#: A second unnumbered requirement beside the reference directive's own, so two columns have no label.
EXTRA = ("Tổng hợp khó khăn, vướng mắc của người dân khi nộp hồ sơ trực tuyến và đề xuất giải pháp khắc phục "
         "gửi về Văn phòng HĐND và UBND huyện.")


def board_directive() -> int:
    """The reference directive with a second unnumbered requirement, published on 20/05/2022 (due 24/05); in
    Tái Sơn one task handed in, one returned, one done; seen on 02/06/2022, past a month's end."""
    seed_demo()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    directive = db.session.get(Directive, 1)
    directive.requirements.append(Requirement(position=len(directive.requirements), label=None, text=EXTRA))
    services.register(directive, "512/UBND-VP", date(2022, 5, 20))
    directive.subject = directive.subject or "Đẩy mạnh thực hiện dịch vụ công trực tuyến"
    db.session.flush()
    rules = {str(r.id): {"kind": "date", "date": "2022-05-24"} for r in directive.requirements if r.label}
    fanout.publish(directive, None, services.target_units(directive, "all"), rules)
    tai_son = db.session.scalar(db.select(Unit).where(Unit.name == "Xã Tái Sơn"))
    tasks = list(db.session.scalars(db.select(Task).where(Task.unit_id == tai_son.id, Task.due_on.is_not(None))
                                    .order_by(Task.requirement_id)))
    tasks[0].state, tasks[0].submitted_on = "submitted", date(2022, 5, 23)
    tasks[1].state = "returned"
    tasks[2].state, tasks[2].submitted_on = "done", date(2022, 5, 26)
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-06-02T09:00:00"))
    return directive.id


def css_colours() -> dict[str, str]:
    """app.css's badge backgrounds by class suffix: {"open_overdue": "DC3545", "state-submitted": "0F7B8A", …}."""
    return {name: colour.upper() for name, colour in
            re.findall(r"\.badge-([\w-]+)\s*\{\s*background:\s*#([0-9a-fA-F]{6})", CSS.read_text())}


def board_page(client, directive_id: int):
    """The board as the office sees it: headers, rows of (unit, [cell texts]), badge classes, the page."""
    html = client.get(f"/reports/directives/{directive_id}").get_data(as_text=True)
    tree = lxml.html.fromstring(html)
    headers = [th.text_content().strip() for th in tree.xpath("//thead//th[@data-requirement]")]
    rows = []
    for tr in tree.xpath("//table[contains(@class, 'board')]/tbody/tr"):
        tds = tr.xpath("./td")
        cells = ["\n".join(a.text_content().strip() for a in td.xpath(".//a[contains(@class, 'board-cell')]"))
                 for td in tds[1:1 + len(headers)]]
        marks = [[re.search(r"badge-([\w-]+)", a.get("class")).group(1)
                  for a in td.xpath(".//a[contains(@class, 'board-cell')]")] for td in tds[1:1 + len(headers)]]
        rows.append((tds[0].text_content().strip(), cells, marks))
    return tree, html, headers, rows


def test_the_excel_grid_is_the_board_cell_for_cell_in_its_colours(client):
    directive_id = board_directive()
    directive = db.session.get(Directive, directive_id)
    login(client, "vanphong", "demo-2022")
    tree, _, headers, rows = board_page(client, directive_id)
    response = client.get(f"/reports/directives/{directive_id}/board.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    grid, counts = book.worksheets
    assert grid.title == "Bảng theo dõi" and counts.title == "Tổng hợp"

    title = [grid.cell(row=r, column=1).value or "" for r in (1, 2, 3)]
    assert directive.number in title[0] and f"{directive.issued_on:%d/%m/%Y}" in title[0]
    assert title[1] == f"V/v {directive.subject}" and title[2] == "Tính đến ngày 02/06/2022"
    assert [c.value for c in grid[5]] == ["Đơn vị", *headers] and grid.freeze_panes == "B6"
    assert grid.cell(row=5, column=len(headers) + 1).comment.text == EXTRA  # the full text, as the page's title

    assert len(rows) == 23  # every commune, in the board's order
    css = css_colours()
    seen = set()
    for offset, (unit, cells, marks) in enumerate(rows):
        line = [c.value for c in grid[6 + offset]][:1 + len(headers)]
        assert line == [unit, *[text or None for text in cells]]
        for column, mark in enumerate(marks, start=2):
            if len(mark) == 1:  # one task: the cell wears its badge's colour, as app.css draws it
                assert grid.cell(row=6 + offset, column=column).fill.fgColor.rgb[-6:] == css[mark[0]]
                seen.add(mark[0])
    assert {"state-submitted", "state-returned", "done_late", "open_overdue"} <= seen
    tai_son = next(cells for unit, cells, _ in rows if unit == "Xã Tái Sơn")
    assert tai_son[:2] == ["Chờ duyệt", "Thực hiện lại"] and tai_son[2] == "24/05/2022"

    table = list(counts.iter_rows(values_only=True))
    assert table[0] == ("Đơn vị", *GROUPS.values(), "Tổng số")
    assert [r[0] for r in table[1:-1]] == [unit for unit, _, _ in rows]
    totals = {key: int(tree.xpath(f"//*[@id='totals']//*[@data-group='{key}']")[0].text) for key in GROUPS}
    assert table[-1] == ("Tổng cộng", *totals.values(), sum(totals.values()))
    assert all(isinstance(v, int) for r in table[1:] for v in r[1:])


def test_a_commune_gets_its_own_row_only(client):
    directive_id = board_directive()
    login(client, "mc.tai-son", "demo-2022")
    grid = load_workbook(io.BytesIO(client.get(f"/reports/directives/{directive_id}/board.xlsx").data)).worksheets[0]
    assert grid.cell(row=6, column=1).value == "Xã Tái Sơn" and grid.cell(row=7, column=1).value is None


def test_the_overdue_chart_runs_in_date_order_across_a_month_end_with_whole_counts(client):
    directive_id = board_directive()
    office = db.session.scalar(db.select(User).where(User.username == "vanphong"))
    series = overdue_over_time(office, directive_id, days=6)
    assert [label for label, _ in series] == ["28/05", "29/05", "30/05", "31/05", "01/06", "02/06"]
    assert all(type(count) is int for _, count in series)

    login(client, "vanphong", "demo-2022")
    _, html, _, _ = board_page(client, directive_id)
    script = html[html.index('getElementById("overdue-chart")'):]
    labels = json.loads(re.search(r"labels: (\[[^\]]*\])", script).group(1))
    data = json.loads(re.search(r"data: (\[[^\]]*\])", script).group(1))
    days = [date(2022, int(label[3:]), int(label[:2])) for label in labels]
    assert len(labels) == 60 and days == sorted(days) and labels[-2:] == ["01/06", "02/06"]
    assert all(type(count) is int for count in data) and "precision: 0" in script


def test_unnumbered_requirements_are_headed_by_their_first_words(client):
    directive_id = board_directive()
    login(client, "vanphong", "demo-2022")
    tree, _, headers, _ = board_page(client, directive_id)
    assert headers[:3] == ["1", "2", "3"] and len(set(headers)) == len(headers) and "•" not in headers
    assert headers[4] == "Tổng hợp khó khăn, vướng mắc…"
    assert tree.xpath("//thead//th[@data-requirement]")[4].get("title") == EXTRA


def test_headers_that_would_be_alike_are_told_apart():
    def req(i, label, text):
        return Requirement(id=i, label=label, text=text)

    columns = column_labels([
        req(1, "1", "Rà soát máy scan."), req(2, None, "Báo cáo kết quả tháng 5 về UBND huyện"),
        req(3, "-", "Báo cáo kết quả tháng 5 về Phòng Nội vụ"), req(4, "a", "Kiểm tra hồ sơ tồn đọng"),
        req(5, "a", "Kiểm tra thiết bị"), req(6, "", "Họp giao ban"), req(7, None, "Họp giao ban"), req(8, " ", "")])
    assert [c["short"] for c in columns] == [
        "1", "Báo cáo kết quả tháng 5 về UBND…", "Báo cáo kết quả tháng 5 về Phòng…", "a. Kiểm tra hồ sơ tồn đọng",
        "a. Kiểm tra thiết bị", "Họp giao ban", "Họp giao ban (2)", "(không tiêu đề)"]
    assert columns[1]["full"] == "Báo cáo kết quả tháng 5 về UBND huyện"
