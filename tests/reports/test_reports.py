"""The board's figures, the online-service figures against the target, Excel and Word (issue 6)."""

import io
from datetime import date
from pathlib import Path

from docx import Document
from docx.shared import Mm
from openpyxl import Workbook, load_workbook

from app.core import clock
from app.directives import services
from app.directives.models import Directive
from app.extensions import db
from app.indicators.models import MonthlyFigures
from app.seed.services import seed_demo
from app.tasks import fanout
from app.tasks.groups import GROUPS
from app.tasks.models import Task
from tests.conftest import csrf_token, login

FIGURES = Path(__file__).resolve().parents[2] / "tests" / "reports" / "dvc_2022-04_tu_ky.csv"
LAGGING = {"Tái Sơn", "Quang Phục", "Phượng Kỳ", "Tiên Động", "Hà Kỳ", "Quang Khải", "Tân Kỳ", "Văn Tố", "Đại Hợp"}


def bearer(client, username="vanphong"):
    token = client.post("/api/v1/auth/token", json={"username": username, "password": "demo-2022"}).json["token"]
    return {"Authorization": f"Bearer {token}"}


def published():
    """The demo with the reference directive published on 20/05/2022; one commune done, one overdue."""
    seed_demo()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    directive = db.session.get(Directive, 1)
    rules = {str(r.id): {"kind": "date", "date": "2022-05-24"} for r in directive.requirements if r.label}
    fanout.publish(directive, None, services.target_units(directive, "all"), rules)
    db.session.commit()
    return directive.id


def import_figures(client, data: bytes, name: str):
    return client.post("/api/v1/indicators/import", headers=bearer(client), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name)})


def test_summary_counts_groups_per_unit_and_the_excel_says_the_same(client):
    directive_id = published()
    task = db.session.scalar(db.select(Task).where(Task.directive_id == directive_id, Task.due_on.is_not(None),
                                                   Task.period == ""))
    task.state, task.submitted_on = "done", clock.today()
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-05-26T09:00:00"))
    response = client.get(f"/api/v1/reports/summary?directive={directive_id}", headers=bearer(client))
    totals = response.json["totals"]
    # 69 tasks due 24/05 (one done on time), 23 monthly reports due 25/05: today is 26/05
    assert totals == {"done_on_time": 1, "done_late": 0, "open_on_time": 0, "open_overdue": 91, "no_deadline": 0}
    assert len(response.json["units"]) == 23
    workbook = load_workbook(io.BytesIO(client.get(f"/api/v1/reports/summary.xlsx?directive={directive_id}",
                                                   headers=bearer(client)).data))
    sheet = workbook.active
    assert sheet.freeze_panes == "A2" and sheet["A1"].value == "Đơn vị" and sheet["B1"].value == "Hoàn thành đúng hạn"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 24 and rows[-1][0] == "Tổng cộng"
    assert list(rows[-1][1:6]) == [totals[k] for k in GROUPS] and all(isinstance(v, int) for v in rows[-1][1:])


def test_figures_import_flags_the_nine_lagging_communes(client):
    published()
    assert import_figures(client, FIGURES.read_bytes(), "dvc.csv").json == {"rows": 23}
    listed = client.get("/api/v1/indicators?period=2022-04", headers=bearer(client)).json
    by_unit = {row["unit_id"]: row for row in listed}
    from app.units.models import Unit

    names = dict(db.session.execute(db.select(Unit.id, Unit.name)).all())
    below = {names[u].replace("Xã ", "") for u, row in by_unit.items() if row["below_target"]}
    assert below == LAGGING
    tai_son = next(row for u, row in by_unit.items() if names[u] == "Xã Tái Sơn")
    assert tai_son["rate"] == 2 / 213 and tai_son["target"] == 0.1


def test_a_bad_row_refuses_the_whole_file_with_its_line_number(client):
    published()
    csv = FIGURES.read_text().splitlines()
    csv[4] = csv[4].replace(",104,", ",abc,")  # ngoc-ky: line 5 as a spreadsheet counts it
    response = import_figures(client, "\n".join(csv).encode(), "dvc.csv")
    assert response.status_code == 422 and response.json["error"].startswith("Dòng 5:")
    assert db.session.scalar(db.select(db.func.count()).select_from(MonthlyFigures)) == 0
    assert import_figures(client, b"%PDF-1.4", "dvc.pdf").status_code == 415


def test_xlsx_import_is_read_like_the_csv(client):
    published()
    book = Workbook()
    sheet = book.active
    for line in FIGURES.read_text().splitlines():
        cells = line.split(",")
        sheet.append(cells[:2] + [int(c) if c.isdigit() else c for c in cells[2:]])
    buffer = io.BytesIO()
    book.save(buffer)
    assert import_figures(client, buffer.getvalue(), "dvc.xlsx").json == {"rows": 23}


def test_word_report_has_the_official_layout_and_the_figures(client):
    directive_id = published()
    import_figures(client, FIGURES.read_bytes(), "dvc.csv")
    data = client.get(f"/api/v1/reports/directive/{directive_id}.docx", headers=bearer(client)).data
    document = Document(io.BytesIO(data))
    section = document.sections[0]
    def near(a, b):
        return abs(a - b) < Mm(0.5)  # Word stores lengths in twentieths of a point

    assert near(section.page_width, Mm(210)) and near(section.page_height, Mm(297))
    assert near(section.left_margin, Mm(30)) and near(section.right_margin, Mm(15))
    assert near(section.top_margin, Mm(20)) and near(section.bottom_margin, Mm(20))
    assert document.styles["Normal"].font.name == "Times New Roman"
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells[1] or "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in " ".join(cells)
    assert "BÁO CÁO" in text and "Tổng số nhiệm vụ: 92" in text
    assert "9 đơn vị chưa đạt chỉ tiêu" in text
    assert any("Nơi nhận:" in c for c in cells) and any("Xã Tái Sơn" == c for c in cells)
    fonts = {run.font.name for p in document.paragraphs for run in p.runs if run.text.strip()}
    assert fonts == {"Times New Roman"}


def test_board_page_shows_cells_linked_to_tasks_and_is_paged(client):
    directive_id = published()
    login(client, "vanphong", "demo-2022")
    page = client.get(f"/reports/directives/{directive_id}").get_data(as_text=True)
    assert page.count("board-cell") == 92 and "/tasks/" in page
    filtered = client.get(f"/reports/directives/{directive_id}?unit=Tái Sơn").get_data(as_text=True)
    assert filtered.count("board-cell") == 4
    staff = client.application.test_client()
    login(staff, "mc.tai-son", "demo-2022")
    own = staff.get(f"/reports/directives/{directive_id}").get_data(as_text=True)
    assert own.count("board-cell") == 4  # a commune sees its own row only


def test_compliance_and_scorecard(client):
    published()
    figures_task = db.session.scalar(db.select(Task).where(Task.period == "2022-05"))
    figures_task.state, figures_task.submitted_on = "done", clock.today()
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-05-30T09:00:00"))
    login(client, "vanphong", "demo-2022")
    page = client.get("/reports/compliance").get_data(as_text=True)
    assert page.count("Đúng hạn") == 1 and page.count("Không nộp") == 22
    workbook = load_workbook(io.BytesIO(client.get("/reports/compliance.xlsx").data))
    assert workbook.active["B1"].value == "Tháng 05/2022"
    scorecard = client.get(f"/reports/units/{figures_task.unit_id}").get_data(as_text=True)
    assert "Tháng không nộp báo cáo: <strong>không có</strong>" in scorecard
    client.post("/reports/figures/target", data={"csrf_token": csrf_token(client, "/reports/figures"),
                                                  "period": "06/2022", "rate": "15"})
    from app.indicators.services import target_for

    db.session.rollback()
    assert target_for(figures_task.unit.parent_id, "2022-06").rate == 0.15


def test_overdue_over_time_counts_what_was_late_each_day(client):
    directive_id = published()
    from app.auth.models import User
    from app.reports.queries import overdue_over_time

    office = db.session.scalar(db.select(User).where(User.username == "vanphong"))
    series = overdue_over_time(office, directive_id, days=4, today=date(2022, 5, 27))
    # 69 tasks due 24/05 become overdue on 25/05; the 23 monthly reports due 25/05 on 26/05
    assert series == [("24/05", 0), ("25/05", 69), ("26/05", 92), ("27/05", 92)]


def test_targets_per_level(client):
    published()
    login(client, "vanphong", "demo-2022")
    client.post("/reports/figures/target", data={"csrf_token": csrf_token(client, "/reports/figures"),
                                                  "period": "07/2022", "rate": "20", "level3": "12,5",
                                                  "level4": "7,5 %"})
    from app.indicators.services import target_for
    from app.units.queries import by_slug

    db.session.rollback()
    target = target_for(by_slug("tu-ky").id, "2022-07")
    assert (target.rate, target.level3_rate, target.level4_rate) == (0.2, 0.125, 0.075)  # decimal commas read
