"""Excel exports (openpyxl): one sheet each, Vietnamese headers, frozen header row, widths set, numbers as numbers."""

from __future__ import annotations

import io
import math

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from app.core.periods import month_label
from app.reports.queries import COLOURS, MARKED_STATES
from app.tasks.groups import GROUPS

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
#: Whole numbers with the reader's thousands mark (Excel shows 1.234 in a Vietnamese locale).
WHOLE = "#,##0"
#: Fractions shown as percentages with one decimal; the cells keep the numbers.
PERCENT = "0.0%"
#: The board sheet's header row: under the title, the subject and "tính đến ngày".
BOARD_HEADER_ROW = 5
GRID_BORDER = Border(*(Side(style="thin", color="BFBFBF"),) * 4)
#: A merged unit's row under its new one: grey and slanted, as the page greys it.
PART_FONT = Font(italic=True, color="6C757D")
#: When a cell holds several tasks (a monthly report, one per month), it takes the most pressing one's colour.
PRESSING = ("open_overdue", "state-returned", "state-submitted", "open_on_time", "no_deadline", "done_late",
            "done_on_time")


def workbook(title: str, headers: list[str], rows: list[list], widths: list[int] | None = None) -> bytes:
    """A one-sheet workbook; the header row frozen and bold, columns sized."""
    book = Workbook()
    _table(book.active, title, headers, rows, widths)
    return _saved(book)


def _table(sheet, title: str, headers: list[str], rows: list[list], widths: list[int] | None = None) -> None:
    """Fill `sheet` with a header row (frozen, bold) and `rows`, columns sized."""
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    widths = widths or [max(12, len(h) + 2) for h in headers]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    _fit_header(sheet, 1, headers, widths)
    _landscape(sheet, 1)


def _fit_header(sheet, row: int, headers: list[str], widths: list[float]) -> None:
    """A header row tall enough for its wrapped text: Excel does not grow a row that a program wrote."""
    lines = max((math.ceil(len(text or "") / max(1, width - 2)) for text, width in zip(headers, widths)), default=1)
    sheet.row_dimensions[row].height = 15 * max(1, lines) + 3


def _landscape(sheet, header_row: int) -> None:
    """Printed across the page's width, the header row repeated on every page."""
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _saved(book: Workbook) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def summary_workbook(data: dict, names: dict[int, str]) -> bytes:
    """The board's figures: one row per unit, a column per report group, and a total row."""
    rows = [(names.get(u["unit_id"], str(u["unit_id"])), u["groups"]) for u in data["units"]]
    book = Workbook()
    _counts_sheet(book.active, rows, data["totals"])
    return _saved(book)


def _counts_sheet(sheet, rows: list[tuple[str, dict[str, int]]], totals: dict[str, int]) -> None:
    """Tasks per unit and report group, each row's total, and a bold total row; counts stay numbers."""
    headers = ["Đơn vị", *GROUPS.values(), "Tổng số"]
    lines = [[name, *groups.values(), sum(groups.values())] for name, groups in rows]
    lines.append(["Tổng cộng", *totals.values(), sum(totals.values())])
    _table(sheet, "Tổng hợp", headers, lines, [32, *[18] * len(GROUPS), 12])
    for row in sheet.iter_rows(min_row=2, min_col=2):
        for cell in row:
            cell.number_format = WHOLE
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def board_workbook(board: dict) -> bytes:
    """The board as Excel: sheet 1 the units × requirements grid as the page shows it (same order, headers,
    colours and text), under the directive's title; sheet 2 the counts per unit and group with the totals."""
    book = Workbook()
    _grid_sheet(book.active, board)
    counts = book.create_sheet()
    _counts_sheet(counts, board["counts"], board["totals"])
    _mark_parts(counts, 2, board["rows"])
    return _saved(book)


def _mark_parts(sheet, first: int, rows: list[dict]) -> None:
    """Merged units' rows, from row `first` on, indented under their new unit and greyed, as on the page."""
    for offset, row in enumerate(rows):
        if row["part"]:
            cell = sheet.cell(row=first + offset, column=1)
            cell.font, cell.alignment = PART_FONT, Alignment(indent=2, wrap_text=True, vertical="center")


def _grid_sheet(sheet, board: dict) -> None:
    """Title rows, a frozen header of requirement columns (full text in a note), one row per unit, a legend."""
    directive, columns = board["directive"], board["columns"]
    sheet.title = "Bảng theo dõi"
    last = get_column_letter(len(columns) + 1)
    cited = "văn bản" + (f" số {directive.number}" if directive.number else "") + (
        f" ngày {directive.issued_on:%d/%m/%Y}" if directive.issued_on else "")
    for row, (text, font) in enumerate([
            (f"Bảng theo dõi thực hiện {cited}", Font(bold=True, size=14)),
            (f"V/v {directive.subject}" if directive.subject else "", Font(italic=True)),
            (f"Tính đến ngày {board['today']:%d/%m/%Y}", Font(italic=True))], start=1):
        sheet.merge_cells(f"A{row}:{last}{row}")
        sheet.cell(row=row, column=1, value=text).font = font
        sheet.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    header = BOARD_HEADER_ROW
    sheet.cell(row=header, column=1, value="Đơn vị")
    for index, column in enumerate(columns, start=2):
        sheet.cell(row=header, column=index, value=column["short"]).comment = Comment(column["full"][:2000],
                                                                                   "Theo dõi chỉ đạo")
    for cell in sheet[header]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    for row, line in enumerate(board["rows"], start=header + 1):
        sheet.cell(row=row, column=1, value=line["name"])
        for index, column in enumerate(columns, start=2):
            _grid_cell(sheet.cell(row=row, column=index), board["cells"][line["unit"].id][column["id"]])
    _mark_parts(sheet, header + 1, board["rows"])
    for line in sheet.iter_rows(min_row=header, max_row=header + len(board["rows"]), max_col=len(columns) + 1):
        for cell in line:
            cell.border = GRID_BORDER  # cells told apart as on the page's bordered table
    _legend(sheet, header + len(board["rows"]) + 2)
    sheet.freeze_panes = sheet.cell(row=header + 1, column=2)
    widths = [30, *(min(28, max(13, len(column["short"]) // 2 + 2)) for column in columns)]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[1].height = 36
    _fit_header(sheet, header, ["Đơn vị", *(column["short"] for column in columns)], widths)
    _landscape(sheet, header)


def _grid_cell(cell, tasks: list[dict]) -> None:
    """One board cell: its tasks' texts, one a line, filled in the most pressing one's colour."""
    if not tasks:
        return
    mark = min((t["mark"] for t in tasks), key=PRESSING.index)
    background, text = COLOURS[mark]
    cell.value = "\n".join(t["text"] for t in tasks)
    cell.fill = PatternFill("solid", fgColor=background)
    cell.font = Font(color=text)
    cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")


def _legend(sheet, row: int) -> None:
    """What the colours mean, below the grid."""
    sheet.cell(row=row, column=1, value="Chú thích màu:").font = Font(bold=True)
    for offset, (mark, label) in enumerate([*GROUPS.items(), *((f"state-{k}", v) for k, v in MARKED_STATES.items())],
                                           start=1):
        background, text = COLOURS[mark]
        cell = sheet.cell(row=row + offset, column=1, value=label)
        cell.fill, cell.font = PatternFill("solid", fgColor=background), Font(color=text)


def compliance_workbook(periods: list[str], table: dict[int, dict[str, str]], names: dict[int, str],
                        labels: dict[str, str]) -> bytes:
    """Monthly reports handed in on time, late or not at all, a column per month."""
    rows = [[names.get(unit_id, str(unit_id)), *[labels.get(table[unit_id].get(p, ""), "") for p in periods]]
            for unit_id in sorted(table, key=lambda u: names.get(u, ""))]
    return workbook("Báo cáo định kỳ", ["Đơn vị", *[f"Tháng {month_label(p)}" for p in periods]], rows,
                    [32, *[14] * len(periods)])


def figures_workbook(ranking: list[dict]) -> bytes:
    """A month's online-service figures per unit, the rate as a percentage, against the target."""
    headers = ["Đơn vị", "Kỳ", "Tổng hồ sơ", "Trực tuyến một phần (mức 3)", "Trực tuyến toàn trình (mức 4)",
               "Giải quyết trực tuyến", "Tỷ lệ trực tuyến", "Chỉ tiêu", "Chưa đạt chỉ tiêu"]
    rows = [[r["unit"].name, r["period"], r["total"], r["online_level3"], r["online_level4"], r["settled_online"],
             r["rate"], r["target"], "Chưa đạt" if r["below_target"] else ""] for r in ranking]
    book = Workbook()
    _table(book.active, "Số liệu DVCTT", headers, rows, [30, 10, 12, 16, 16, 14, 14, 10, 14])
    _number_format(book.active, ("C", "D", "E", "F"), WHOLE)
    _number_format(book.active, ("G", "H"), PERCENT)
    return _saved(book)


def _number_format(sheet, columns: tuple[str, ...], number_format: str) -> None:
    """Give the cells of `columns` under the header a number format (Excel writes it in the reader's locale)."""
    for column in columns:
        for cell in sheet[column][1:]:
            cell.number_format = number_format
