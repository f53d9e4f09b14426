"""Excel exports (openpyxl): one sheet each, Vietnamese headers, frozen header row, widths set, numbers as numbers."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from app.tasks.groups import GROUPS

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def workbook(title: str, headers: list[str], rows: list[list], widths: list[int] | None = None) -> bytes:
    """A one-sheet workbook; the header row frozen and bold, columns sized."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths or [max(12, len(h) + 2) for h in headers], start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def summary_workbook(data: dict, names: dict[int, str]) -> bytes:
    """The board's figures: one row per unit, a column per report group, and a total row."""
    headers = ["Đơn vị", *GROUPS.values(), "Tổng số"]
    rows = [[names.get(u["unit_id"], str(u["unit_id"])), *u["groups"].values(), sum(u["groups"].values())]
            for u in data["units"]]
    rows.append(["Tổng cộng", *data["totals"].values(), sum(data["totals"].values())])
    return workbook("Tổng hợp", headers, rows, [32, *[18] * len(GROUPS), 12])


def compliance_workbook(periods: list[str], table: dict[int, dict[str, str]], names: dict[int, str],
                        labels: dict[str, str]) -> bytes:
    """Monthly reports handed in on time, late or not at all, a column per month."""
    rows = [[names.get(unit_id, str(unit_id)), *[labels.get(table[unit_id].get(p, ""), "") for p in periods]]
            for unit_id in sorted(table, key=lambda u: names.get(u, ""))]
    return workbook("Báo cáo định kỳ", ["Đơn vị", *[f"Tháng {p[5:7]}/{p[:4]}" for p in periods]], rows,
                    [32, *[14] * len(periods)])


def figures_workbook(ranking: list[dict]) -> bytes:
    """A month's online-service figures per unit, the rate as a percentage, against the target."""
    headers = ["Đơn vị", "Kỳ", "Tổng hồ sơ", "Trực tuyến một phần (mức 3)", "Trực tuyến toàn trình (mức 4)",
               "Giải quyết trực tuyến", "Tỷ lệ trực tuyến", "Chỉ tiêu", "Chưa đạt chỉ tiêu"]
    rows = [[r["unit"].name, r["period"], r["total"], r["online_level3"], r["online_level4"], r["settled_online"],
             r["rate"], r["target"], "Chưa đạt" if r["below_target"] else ""] for r in ranking]
    data = workbook("Số liệu DVCTT", headers, rows, [30, 10, 12, 16, 16, 14, 14, 10, 14])
    return _percent_columns(data, ("G", "H"))


def _percent_columns(data: bytes, columns: tuple[str, ...]) -> bytes:
    """Show fractions as percentages (the cells keep the numbers)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    for column in columns:
        for cell in sheet[column][1:]:
            cell.number_format = "0.0%"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
