"""Mergers on the pages (issue 18): the board shows the new unit and, opened, its parts with their own cells; the
task page says where each carried record came from; the unit list and the scorecards mark what was merged into
what."""

import io
from datetime import date
from pathlib import Path

import lxml.html
from openpyxl import load_workbook
from sqlalchemy import delete, select, update

from app.extensions import db
from app.tasks.models import Task
from app.units.models import Unit
from app.units.queries import by_slug
from tests.conftest import login
from tests.mergers.test_merge import MERGE, OLD, first_task, merged, published_and_worked

BOARD = "/reports/directives/1"
COMMUNES = 23  # the demo district's communes, each a row of the reference directive's board
SHOTS = Path("/tmp/shots/mergers")


def page(client, url: str):
    """The page as a tree, and its text with spaces made single."""
    html = client.get(url).get_data(as_text=True)
    return lxml.html.fromstring(html), " ".join(html.split())


def text(element) -> str:
    return " ".join(element.text_content().split())


def rows(tree) -> list[dict]:
    """The board's rows as read: the name link, the row it is a part of (None for a unit's own row), whether its
    parts are shown opened, its cells' texts and its counts per group."""
    found = []
    for tr in tree.xpath("//table[contains(@class, 'board')]/tbody/tr"):
        tds = tr.xpath("./td")
        columns = len(tree.xpath("//thead//th[@data-requirement]"))
        details = tds[0].xpath(".//details")
        found.append({"name": text(tds[0].xpath(".//a")[0]), "unit": int(tr.get("data-unit")),
                      "part_of": int(tr.get("data-part-of")) if tr.get("data-part-of") else None,
                      "label": text(tds[0]), "opened": bool(details and details[0].get("open") is not None),
                      "cells": [[text(a) for a in td.xpath(".//a[contains(@class, 'board-cell')]")]
                                for td in tds[1:1 + columns]],
                      "links": [a.get("href") for td in tds[1:1 + columns] for a in td.xpath(".//a")],
                      "counts": [int(text(td).replace(".", "")) for td in tds[1 + columns:]]})
    return found


def merged_after_done(client, runner, slugs: list[str]) -> dict:
    """As `merged`, but every task of the communes `slugs` was accepted (done on 26/05, on time) before the
    merger: done tasks stay with them."""
    published_and_worked(client, runner)
    ids = [by_slug(slug).id for slug in slugs]
    db.session.execute(update(Task).where(Task.unit_id.in_(ids))
                       .values(state="done", submitted_on=date(2022, 5, 26)))
    db.session.commit()
    result = runner.invoke(args=MERGE)
    assert result.exit_code == 0, result.output
    db.session.rollback()
    return {"unit": by_slug("son-hop"), "done": {slug: [t.id for t in db.session.scalars(
        select(Task).where(Task.unit_id == by_slug(slug).id).order_by(Task.requirement_id))] for slug in slugs}}


def test_the_board_shows_the_new_unit_as_one_row_and_its_parts_under_it(client, runner):
    state = merged(client, runner)
    login(client, "vanphong", "demo-2022")
    tree, _ = page(client, BOARD)
    board = rows(tree)
    own = [row for row in board if row["part_of"] is None]
    assert len(own) == COMMUNES - len(OLD) + 1
    assert "Xã Tái Sơn" not in [row["name"] for row in own]
    son_hop = next(row for row in own if row["name"] == "Xã Sơn Hợp")
    assert "Hình thành từ 3 đơn vị" in son_hop["label"] and not son_hop["opened"]
    assert [len(cell) for cell in son_hop["cells"]] == [1, 1, 1, 1]  # one merged task per requirement
    assert sum(son_hop["counts"]) == 4  # its own tasks
    parts = [row for row in board if row["part_of"] == state["unit"].id]
    assert sorted(row["name"] for row in parts) == sorted(by_slug(slug).name for slug in OLD)
    assert all("đã sáp nhập từ 01/06/2022" in row["label"] for row in parts)
    assert all(row["cells"] == [[], [], [], []] and sum(row["counts"]) == 0 for row in parts)  # nothing left open
    # The parts' rows come right under the new unit's, in its own body: opening its <details> shows them.
    body = tree.xpath(f"//tbody[tr[@data-unit='{state['unit'].id}']]")[0]
    assert body.get("class") == "board-merged" and len(body.xpath("./tr[@data-part-of]")) == 3


def test_only_the_communes_given_the_directive_are_listed_under_the_new_unit(client, runner):
    published_and_worked(client, runner)
    # The directive went to Tái Sơn, not to Quang Phục or Đại Hợp, which merge with it.
    db.session.execute(delete(Task).where(Task.unit_id.in_([by_slug("quang-phuc").id, by_slug("dai-hop").id])))
    db.session.commit()
    assert runner.invoke(args=MERGE).exit_code == 0
    db.session.rollback()
    unit = by_slug("son-hop")
    login(client, "vanphong", "demo-2022")
    board = rows(page(client, BOARD)[0])
    son_hop = next(row for row in board if row["unit"] == unit.id)
    assert "Hình thành từ 1 đơn vị" in son_hop["label"]
    assert [row["name"] for row in board if row["part_of"] == unit.id] == ["Xã Tái Sơn"]


def test_a_part_keeps_its_done_tasks_and_the_new_unit_shows_even_with_none_of_its_own(client, runner):
    state = merged_after_done(client, runner, OLD)
    unit = state["unit"]
    assert not db.session.scalar(select(Task.id).where(Task.unit_id == unit.id))
    login(client, "vanphong", "demo-2022")
    for query in ("", "?group=done_on_time"):
        board = rows(page(client, BOARD + query)[0])
        assert [row["name"] for row in board if row["unit"] == unit.id] == ["Xã Sơn Hợp"], query
        parts = {row["name"]: row for row in board if row["part_of"] == unit.id}
        assert len(parts) == 3, query
    son_hop = next(row for row in board if row["unit"] == unit.id)
    assert son_hop["cells"] == [[], [], [], []] and sum(son_hop["counts"]) == 0
    tai_son = parts["Xã Tái Sơn"]
    assert [href.rsplit("/", 1)[1] for href in tai_son["links"]] == [str(i) for i in state["done"]["tai-son"]]
    assert tai_son["counts"][0] == 4  # done on time: its own four, under its own name
    assert by_slug("tai-son").merged_into_id == unit.id


def test_the_name_filter_finds_the_new_unit_through_a_part_and_opens_it(client, runner):
    state = merged(client, runner)
    login(client, "vanphong", "demo-2022")
    board = rows(page(client, BOARD + "?unit=tai son")[0])
    assert [(row["name"], row["part_of"]) for row in board if row["part_of"] is None] == [("Xã Sơn Hợp", None)]
    assert board[0]["opened"] and len(board) == 4
    by_name = rows(page(client, BOARD + "?unit=Sơn Hợp")[0])
    assert by_name[0]["name"] == "Xã Sơn Hợp" and not by_name[0]["opened"]
    assert state["unit"].id == by_name[0]["unit"]


def test_the_excel_board_puts_the_parts_under_the_new_unit(client, runner):
    merged_after_done(client, runner, ["dai-hop"])
    login(client, "vanphong", "demo-2022")
    book = load_workbook(io.BytesIO(client.get(BOARD + "/board.xlsx").data))
    grid, counts = book.worksheets
    names = [grid.cell(row=r, column=1).value for r in range(6, 6 + COMMUNES)]
    at = names.index("Xã Sơn Hợp")
    parts = names[at + 1:at + 4]
    assert sorted(parts) == sorted(f"{by_slug(s).name} (đã sáp nhập từ 01/06/2022)" for s in OLD)
    assert "Xã Tái Sơn" not in names and all(grid.cell(row=6 + at + i, column=1).font.i for i in (1, 2, 3))
    dai_hop = at + 1 + parts.index("Xã Đại Hợp (đã sáp nhập từ 01/06/2022)")
    assert grid.cell(row=6 + dai_hop, column=2).value == "27/05/2022"  # its done task, in its own row
    table = {row[0]: row[1:] for row in counts.iter_rows(min_row=2, values_only=True)}
    assert table["Xã Đại Hợp (đã sáp nhập từ 01/06/2022)"][-1] == 4 and table["Xã Sơn Hợp"][-1] == 4


def test_the_task_page_says_which_unit_each_carried_record_came_from(client, runner):
    merged(client, runner)
    login(client, "vanphong", "demo-2022")
    tree, html = page(client, f"/tasks/{first_task('son-hop').id}")
    labels = [text(label) for label in tree.xpath("//*[contains(@class, 'from-unit')]")]
    assert "từ Xã Tái Sơn" in labels and "từ Xã Quang Phục" in labels
    evidence = tree.xpath("//ul[@id='evidence-list']/li")[0]
    assert "bao-cao-tai-son.pdf" in text(evidence) and "từ Xã Tái Sơn" in text(evidence)
    _, other = page(client, f"/tasks/{first_task('ha-ky').id}")
    assert "from-unit" not in other  # a task no merger touched says nothing of the kind


def test_the_unit_list_marks_merged_units_after_the_standing_ones(client, runner):
    merged(client, runner)
    login(client, "vanphong", "demo-2022")
    tree, _ = page(client, "/units?page=1")
    listed = tree.xpath("//tbody/tr")
    marked = [tr for tr in listed if tr.get("class") == "unit-merged"]
    assert len(marked) == 3 and listed[-3:] == marked  # history after today's units
    for tr in marked:
        assert "Đã sáp nhập vào Xã Sơn Hợp từ 01/06/2022" in text(tr)
        assert all("text-body-secondary" in td.get("class") for td in tr.xpath("./td"))
    son_hop = next(tr for tr in listed if "Xã Sơn Hợp" in text(tr.xpath("./td")[0]) and tr not in marked)
    assert "Đã sáp nhập" not in text(son_hop)
    found = page(client, "/units?q=tai son")[0].xpath("//tbody/tr")
    assert len(found) == 1 and "Đã sáp nhập vào Xã Sơn Hợp từ 01/06/2022" in text(found[0])


def test_the_scorecards_say_what_was_merged_into_what(client, runner):
    state = merged(client, runner)
    login(client, "vanphong", "demo-2022")
    tree, _ = page(client, f"/reports/units/{by_slug('tai-son').id}")
    label = tree.xpath("//*[@id='merged-label']")[0]
    assert "Đã sáp nhập vào Xã Sơn Hợp từ 01/06/2022" in text(label)
    assert label.xpath(".//a/@href") == [f"/reports/units/{state['unit'].id}"]
    tree, _ = page(client, f"/reports/units/{state['unit'].id}")
    assert text(tree.xpath("//*[@id='formed-from']")[0]) == \
        "Hình thành từ: Xã Đại Hợp, Xã Quang Phục, Xã Tái Sơn (01/06/2022)"
    assert not tree.xpath("//*[@id='merged-label']")
    standing = page(client, f"/reports/units/{by_slug('ha-ky').id}")[0]
    assert not standing.xpath("//*[@id='merged-label'] | //*[@id='formed-from']")
    assert db.session.get(Unit, state["unit"].id).merged_into_id is None
