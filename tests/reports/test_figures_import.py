"""Issue 14: the figures import reads what the one-stop software exports (unit names as people write them,
Vietnamese headers, months as mm/yyyy), refuses a name it cannot tell apart with the line and the closest
units, and hands out a template that imports back as it is once filled."""

import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app.extensions import db
from app.indicators.models import MonthlyFigures
from app.seed.services import seed_demo
from app.units.models import Unit
from tests.conftest import csrf_token, login

FIGURES = Path(__file__).resolve().parent / "dvc_2022-04_tu_ky.csv"
LAGGING = {"Tái Sơn", "Quang Phục", "Phượng Kỳ", "Tiên Động", "Hà Kỳ", "Quang Khải", "Tân Kỳ", "Văn Tố", "Đại Hợp"}
#: How the one-stop software and the people typing into it write some units (the rest by their full name).
WRITTEN = {"tt-tu-ky": "TT Tứ Kỳ", "tai-son": "xa tai son", "dai-son": "UBND xã Đại Sơn", "ha-ky": "Ha Ky",
           "phuong-ky": "phuong ky", "quang-nghiep": "Quảng Nghiệp", "tan-ky": "Xã Tân Kì", "van-to": "X. Văn Tố"}
PERIODS = ("04/2022", "4/2022", "2022-04", "Tháng 4/2022")
HEADER = ["STT", "Tên đơn vị", "Kỳ báo cáo", "Tổng số hồ sơ", "Hồ sơ trực tuyến", "Mức độ 3", "Mức độ 4",
          "Giải quyết trực tuyến", "Tỷ lệ (%)"]


def bearer(client):
    token = client.post("/api/v1/auth/token", json={"username": "vanphong", "password": "demo-2022"}).json["token"]
    return {"Authorization": f"Bearer {token}"}


def api_import(client, data: bytes, name: str):
    return client.post("/api/v1/indicators/import", headers=bearer(client), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name)})


def one_stop_rows(names: dict | None = None) -> list[list]:
    """April's figures as the one-stop software lays them out: a title, Vietnamese headers, names, a total."""
    units = dict(db.session.execute(db.select(Unit.slug, Unit.name)).all())
    rows = [["BÁO CÁO KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ TRỰC TUYẾN"], [], HEADER]
    for index, line in enumerate(FIGURES.read_text().splitlines()[1:], start=1):
        slug, _, total, level3, level4, settled = line.split(",")
        name = (names or WRITTEN).get(slug, units[slug])
        online = int(level3) + int(level4)
        rows.append([index, name, PERIODS[index % len(PERIODS)], total, online, level3, level4, settled,
                     f"{100 * online / int(total):.2f}".replace(".", ",")])
    rows.append(["", "Tổng cộng", "", "4534", "", "", "", "", ""])
    return rows


def as_csv(rows: list[list], mark: str = ",") -> bytes:
    return "\n".join(mark.join(f'"{c}"' if mark in str(c) else str(c) for c in row) for row in rows).encode()


def as_xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stored() -> dict[str, tuple]:
    """What the database holds, as read now (a fresh snapshot: the requests wrote after ours began)."""
    db.session.rollback()
    rows = db.session.execute(db.select(Unit.slug, MonthlyFigures.period, MonthlyFigures.total,
                                        MonthlyFigures.online_level3, MonthlyFigures.online_level4,
                                        MonthlyFigures.settled_online).join(Unit, Unit.id == MonthlyFigures.unit_id))
    return {slug: rest for slug, *rest in rows}


def expected() -> dict[str, tuple]:
    out = {}
    for line in FIGURES.read_text().splitlines()[1:]:
        slug, period, *numbers = line.split(",")
        out[slug] = [period, *map(int, numbers)]
    return out


def below_target(client) -> set[str]:
    names = dict(db.session.execute(db.select(Unit.id, Unit.name)).all())
    listed = client.get("/api/v1/indicators?period=2022-04", headers=bearer(client)).json
    return {names[row["unit_id"]].replace("Xã ", "") for row in listed if row["below_target"]}


@pytest.mark.parametrize("kind", ["csv", "csv;", "xlsx"])
def test_names_as_written_vietnamese_headers_and_months_import_like_the_slugs(client, kind):
    seed_demo()
    db.session.commit()
    rows = one_stop_rows()
    data = as_xlsx(rows) if kind == "xlsx" else as_csv(rows, kind[3:] or ",")
    response = api_import(client, data, f"mot-cua.{kind[:4].rstrip(';')}")
    assert response.status_code == 200, response.json
    assert response.json == {"rows": 23}  # the total line is not a unit
    assert stored() == expected()
    assert below_target(client) == LAGGING


def test_the_existing_slug_file_still_imports(client):
    seed_demo()
    db.session.commit()
    assert api_import(client, FIGURES.read_bytes(), "dvc.csv").json == {"rows": 23}
    assert stored() == expected()


@pytest.mark.parametrize("written, line, says", [
    ("Xã Tai Sen", 10, "Dòng 10: không nhận ra đơn vị “Xã Tai Sen”; gần nhất: Xã Tái Sơn, Xã Đại Sơn."),
    ("Tứ Kỳ", 4, "Dòng 4: “Tứ Kỳ” có thể là UBND huyện Tứ Kỳ, Thị trấn Tứ Kỳ"),
    ("Phường Xuyên Mộc", 4, "Dòng 4: không nhận ra đơn vị “Phường Xuyên Mộc” trong các đơn vị bạn quản lý."),
])
def test_a_name_that_means_no_unit_or_several_refuses_the_file_naming_line_and_closest(client, written, line,
                                                                                        says):
    seed_demo()
    db.session.commit()
    slug = "tai-son" if "Tai" in written else "tt-tu-ky"
    response = api_import(client, as_csv(one_stop_rows({**WRITTEN, slug: written})), "mot-cua.csv")
    assert response.status_code == 422 and response.json["error"].startswith(says), response.json
    assert stored() == {}  # nothing of the file, not even the lines before


def test_the_page_says_it_beside_the_file_field_and_keeps_nothing(client):
    seed_demo()
    db.session.commit()
    login(client, "vanphong", "demo-2022")
    data = as_xlsx(one_stop_rows({**WRITTEN, "tai-son": "Xã Tai Sen"}))
    page = client.post("/reports/figures/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "mot-cua.xlsx"),
                             "csrf_token": csrf_token(client, "/reports/figures")})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    beside = html[html.index('id="figures-file"'):]
    assert "invalid-feedback" in beside[:600] and "Dòng 10: không nhận ra đơn vị “Xã Tai Sen”" in beside[:600]
    assert stored() == {}


@pytest.mark.parametrize("cell, reason", [
    ("13/2022", "tháng “13/2022” không hợp lệ"),
    ("04/22", "tháng “04/22” không hợp lệ"),
])
def test_a_month_that_is_not_one_refuses_the_file(client, cell, reason):
    seed_demo()
    db.session.commit()
    rows = one_stop_rows()
    rows[5][2] = cell
    response = api_import(client, as_csv(rows), "mot-cua.csv")
    assert response.status_code == 422 and response.json["error"].startswith(f"Dòng 6: {reason}")
    assert stored() == {}


def test_a_date_cell_excel_made_of_the_month_and_a_separate_year_column_are_read(client):
    seed_demo()
    db.session.commit()
    book = Workbook()
    book.active.append(["Đơn vị", "Tháng", "Năm", "Tổng số hồ sơ", "Mức độ 3", "Mức độ 4", "Giải quyết trực tuyến"])
    book.active.append(["Xã Tái Sơn", datetime(2022, 4, 1), "", 213, 1, 1, 1])
    book.active.append(["Thị trấn Tứ Kỳ", 3, 2022, 160, 20, 10, 30])
    out = io.BytesIO()
    book.save(out)
    assert api_import(client, out.getvalue(), "mot-cua.xlsx").json == {"rows": 2}
    assert stored() == {"tai-son": ["2022-04", 213, 1, 1, 1], "tt-tu-ky": ["2022-03", 160, 20, 10, 30]}


def test_two_lines_for_one_unit_and_month_refuse_the_file(client):
    seed_demo()
    db.session.commit()
    rows = one_stop_rows({**WRITTEN, "dai-son": "Tái Sơn"})  # line 5 is Đại Sơn's, now a second Tái Sơn
    response = api_import(client, as_csv(rows), "mot-cua.csv")
    assert response.status_code == 422
    assert response.json["error"] == ("Dòng 10: Xã Tái Sơn tháng 04/2022 đã có ở dòng 5; "
                                      "mỗi đơn vị một dòng cho mỗi tháng.")
    assert stored() == {}


def test_a_missing_column_is_named_in_vietnamese(client):
    seed_demo()
    db.session.commit()
    rows = [[c for c in row[:7]] for row in one_stop_rows()]  # no "Giải quyết trực tuyến"
    response = api_import(client, as_csv(rows), "mot-cua.csv")
    assert response.status_code == 422
    assert response.json["error"].startswith("Dòng 3: thiếu cột “Giải quyết trực tuyến”")


def test_the_template_lists_the_communes_and_imports_back_once_filled(client):
    seed_demo()
    db.session.commit()
    login(client, "vanphong", "demo-2022")
    response = client.get("/reports/figures/template.xlsx?period=2022-04")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Đơn vị", "Tháng (mm/yyyy)", "Tổng số hồ sơ tiếp nhận",
                       "Tiếp nhận trực tuyến một phần (mức độ 3)", "Tiếp nhận trực tuyến toàn trình (mức độ 4)",
                       "Giải quyết trực tuyến"]
    assert [r[0] for r in rows[1:3]] == ["Thị trấn Tứ Kỳ", "Xã Đại Sơn"] and len(rows) == 24
    assert {r[1] for r in rows[1:]} == {"04/2022"}
    # Filled in as an office would, in Excel, and uploaded on the page.
    figures = {slug: numbers for slug, (_, *numbers) in expected().items()}
    slugs = dict(db.session.execute(db.select(Unit.name, Unit.slug)).all())
    for row in sheet.iter_rows(min_row=2):
        for cell, value in zip(row[2:6], figures[slugs[row[0].value]]):
            cell.value = value
    out = io.BytesIO()
    sheet.parent.save(out)
    page = client.post("/reports/figures/import", content_type="multipart/form-data", follow_redirects=True,
                       data={"file": (io.BytesIO(out.getvalue()), "mau-so-lieu-2022-04.xlsx"),
                             "csrf_token": csrf_token(client, "/reports/figures")})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Đã nhập số liệu của 23 đơn vị." in html
    assert stored() == expected()
    assert html.count("below-target") == 9


def test_an_unfilled_template_imports_nothing_and_says_so(client):
    seed_demo()
    db.session.commit()
    login(client, "vanphong", "demo-2022")
    data = client.get("/reports/figures/template.xlsx").data
    response = api_import(client, data, "mau.xlsx")
    assert response.status_code == 422 and response.json["error"] == "Tệp không có dòng số liệu nào."


def test_the_template_is_for_the_office_only(client):
    seed_demo()
    db.session.commit()
    login(client, "ct.tai-son", "demo-2022")
    assert client.get("/reports/figures/template.xlsx").status_code == 403


def test_a_two_line_header_is_read_as_one(client):
    """A report's header over two lines: "Hồ sơ tiếp nhận trực tuyến" over "Mức độ 3" and "Mức độ 4"."""
    seed_demo()
    db.session.commit()
    rows = [["TT", "Xã, thị trấn", "Tháng", "Tổng số hồ sơ", "Hồ sơ tiếp nhận trực tuyến", "", "Giải quyết trực tuyến"],
            ["", "", "", "", "Mức độ 3", "Mức độ 4", ""],
            [1, "Xã Tái Sơn", "04/2022", 213, 1, 1, 1]]
    assert api_import(client, as_xlsx(rows), "mot-cua.xlsx").json == {"rows": 1}
    assert stored() == {"tai-son": ["2022-04", 213, 1, 1, 1]}
