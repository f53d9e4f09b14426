"""Importing the one-stop software's monthly export (CSV or XLSX): all rows or none."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from app.core.errors import DomainError
from app.core.periods import is_month
from app.indicators.services import FIELDS, LABELS, check_figures, record_figures
from app.units.models import Unit

COLUMNS = ("unit", "period", *FIELDS)


class ImportRefused(DomainError):
    """The file cannot be imported; the message names the line, as a spreadsheet counts it."""

    status = 422


def read_rows(data: bytes, filename: str) -> list[tuple[int, dict]]:
    """The rows of a .csv or .xlsx file with their spreadsheet line numbers (the header is line 1)."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return _xlsx_rows(data)
    if name.endswith(".csv"):
        return _csv_rows(data)
    raise ImportRefused("Chỉ nhận tệp .csv hoặc .xlsx xuất từ phần mềm một cửa.", status=415)


def _csv_rows(data: bytes) -> list[tuple[int, dict]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused("Tệp CSV phải được lưu với bảng mã UTF-8.") from None
    rows = list(csv.reader(io.StringIO(text)))
    return _with_header(rows)


def _xlsx_rows(data: bytes) -> list[tuple[int, dict]]:
    from openpyxl import load_workbook

    from app.core.filetypes import check_zip

    try:
        check_zip(data)  # no zip bomb reaches openpyxl
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as exc:
        raise ImportRefused("Tệp Excel bị hỏng hoặc không đúng định dạng .xlsx.") from exc
    rows = [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]
    return _with_header(rows)


def _with_header(rows: list[list]) -> list[tuple[int, dict]]:
    if not rows:
        raise ImportRefused("Tệp rỗng.")
    header = [str(cell).strip().lower() for cell in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportRefused(f"Dòng 1: thiếu cột {', '.join(missing)}. Cần các cột: {', '.join(COLUMNS)}.")
    out = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(str(cell).strip() for cell in row):
            continue  # blank lines at the end of a spreadsheet
        out.append((line, {name: row[header.index(name)] if header.index(name) < len(row) else ""
                           for name in COLUMNS}))
    if not out:
        raise ImportRefused("Tệp không có dòng số liệu nào.")
    return out


def import_figures(data: bytes, filename: str, allowed_unit_ids: set[int], units_by_slug: dict[str, Unit]) -> int:
    """Check every row, then store them all; the first bad row refuses the file, naming its line."""
    checked = []
    for line, row in read_rows(data, filename):
        checked.append(_check_row(line, row, allowed_unit_ids, units_by_slug))
    for unit_id, period, values in checked:
        record_figures(unit_id, period, values, "import")
    return len(checked)


def _check_row(line: int, row: dict, allowed: set[int], units: dict[str, Unit]) -> tuple[int, str, dict]:
    slug = str(row["unit"]).strip()
    unit = units.get(slug)
    if unit is None or unit.id not in allowed:
        raise ImportRefused(f"Dòng {line}: không tìm thấy đơn vị “{slug}” trong các đơn vị bạn quản lý.")
    period = str(row["period"]).strip()
    if not is_month(period):
        raise ImportRefused(f"Dòng {line}: kỳ “{period}” không hợp lệ, cần dạng YYYY-MM (ví dụ 2022-04).")
    values = {}
    for name in FIELDS:
        values[name] = _whole(row[name])
        if values[name] is None:
            shown = str(row[name]).strip()[:40]
            raise ImportRefused(f"Dòng {line}: “{LABELS[name]}” phải là số nguyên không âm (đang là “{shown}”).")
    try:
        return unit.id, period, check_figures(values)
    except DomainError as exc:
        raise ImportRefused(f"Dòng {line}: {exc.message}") from None


def _whole(cell) -> int | None:
    """A cell as a whole number, or None: Excel keeps every number as a float (100.0, 1e+24); text must be the
    digits 0-9 ("²" is a digit to str.isdigit, not to int())."""
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    raw = str(cell).strip()
    raw = raw[:-2] if raw.endswith(".0") else raw
    return int(raw) if re.fullmatch(r"[0-9]{1,30}", raw) else None
