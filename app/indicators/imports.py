"""Importing the one-stop software's monthly export (CSV or XLSX): all rows or none.

The one-stop software (phần mềm một cửa) writes a unit by its name as people do ("Thị trấn Tứ Kỳ", "TT Tứ Kỳ",
"UBND xã Tái Sơn", "xa tai son"), its columns in Vietnamese ("Tên đơn vị", "Tháng", "Tổng số hồ sơ", "Mức độ 3"…),
sometimes under a title, and the month as mm/yyyy; the service's own columns (unit slug, period YYYY-MM…) are
read as before. A name is taken only when it means exactly one unit: a near spelling is never guessed ("Tai Sen"
could be Tái Sơn or Đại Sơn, one letter apart), the closest units are named instead.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process
from sqlalchemy import select

from app.core.errors import DomainError
from app.core.filetypes import check_zip
from app.core.numbers import parse_whole
from app.core.periods import month_label
from app.core.text import fold, nfc
from app.extensions import db
from app.indicators.services import FIELDS, LABELS, check_figures, record_figures
from app.units.models import Unit

COLUMNS = ("unit", "period", *FIELDS)
#: The template's headers, worded as the one-stop software words them.
HEADERS = {"unit": "Đơn vị", "period": "Tháng (mm/yyyy)", **LABELS}
#: A title may stand above the header: it is looked for in this many first lines.
HEADER_SCAN = 10
#: A folded header -> its column, the first rule that fits; None: a column read past (rates and online totals are
#: computed from the figures, a row number is nobody's figure, the software's other counts, "Đã xử lý", "Quá hạn",
#: "Kỳ trước chuyển qua", are not figures the service keeps). Order matters: "Tỷ lệ mức độ 3" is a rate.
HEADER_RULES = (
    (None, r"\bty le\b|%"),
    (None, r"^(stt|tt|so tt|so thu tu)$"),
    (None, r"\b(xu ly|qua han|dung han|tre han|truoc han|chua|ton|rut|tra lai|bo sung|ky truoc|chuyen qua|"
           r"chuyen sang|dang giai quyet)\b"),
    ("settled_online", r"giai quyet.*truc tuyen|truc tuyen.*giai quyet"),
    ("online_level3", r"\bmuc (do )?3\b|\bmot phan\b"),
    ("online_level4", r"\bmuc (do )?4\b|\btoan trinh\b"),
    (None, r"truc tuyen|giai quyet"),
    ("total", r"^(tong|so ho so|ho so tiep nhan|tiep nhan)\b"),
    ("unit", r"^(ten )?(don vi(?! tinh)|co quan|dia phuong)\b|^(xa|phuong|thi tran)( (xa|phuong|thi tran))*$"),
    ("period", r"^(ky|thang)\b"),
    ("year", r"^nam$"),
)
#: Rows that add the others up, under the units: not a unit's figures.
TOTAL_ROWS = {"tong", "tong so", "tong cong", "cong", "toan huyen", "toan tinh", "tong cong toan huyen"}
#: A unit's level word (as written, as folded) and the kinds it means; "TT" is how the software shortens thị trấn.
LEVEL_WORDS = (
    ("thị trấn", {"town"}), ("tt", {"town"}), ("thị xã", {"district"}), ("thành phố", {"district", "province"}),
    ("tp", {"district", "province"}), ("đặc khu", {"special_zone"}), ("xã", {"commune"}), ("phường", {"ward"}),
    ("huyện", {"district"}), ("quận", {"district"}), ("tỉnh", {"province"}),
)
#: "X. Tái Sơn", "P. Tân Bình", "H. Tứ Kỳ": a level shortened to its letter and a dot.
SHORT_LEVEL = {"x": "xã", "p": "phường", "h": "huyện"}


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
        # Excel's "Unicode text" is UTF-16 with its byte-order mark; everything else must be UTF-8.
        text = data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused("Tệp CSV phải được lưu với bảng mã UTF-8.") from None
    return _with_header(list(csv.reader(io.StringIO(text), delimiter=_delimiter(text))))


def _delimiter(text: str) -> str:
    """The CSV's separator: Excel set to Vietnamese writes ";" (the comma is the decimal mark there)."""
    head = text.splitlines()[:HEADER_SCAN]
    counts = {mark: sum(line.count(mark) for line in head) for mark in ",;\t"}
    return max(counts, key=counts.get)


def _xlsx_rows(data: bytes) -> list[tuple[int, dict]]:
    from openpyxl import load_workbook

    try:
        check_zip(data)  # no zip bomb reaches openpyxl
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as exc:
        raise ImportRefused("Tệp Excel bị hỏng hoặc không đúng định dạng .xlsx.") from exc
    rows = [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]
    return _with_header(rows)


def header_key(cell) -> str:
    """A header as compared: folded, every mark that is not a letter, a digit or "%" a space."""
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", fold(nfc(str(cell)))).split())


def column_of(cell) -> str | None:
    """The column a header names ("Tên đơn vị" -> unit, "Mức độ 3" -> online_level3), or None."""
    text = str(cell).strip().lower()
    if text in COLUMNS:
        return text
    key = header_key(cell)
    return next((column for column, rule in HEADER_RULES if re.search(rule, key)), None) if key else None


def _with_header(rows: list[list]) -> list[tuple[int, dict]]:
    """The rows under the header as {column: cell}, with their line numbers; blank and total rows left out."""
    if not rows:
        raise ImportRefused("Tệp rỗng.")
    start, end, columns = _header(rows)
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise ImportRefused(f"Dòng {start + 1}: thiếu cột {', '.join(f'“{HEADERS[c]}”' for c in missing)}. "
                            f"Cần các cột: {', '.join(HEADERS[c] for c in COLUMNS)} (tải tệp mẫu để xem).")
    out = []
    for line, row in enumerate(rows[end + 1:], start=end + 2):
        cells = {name: row[index] if index < len(row) else "" for name, index in columns.items()}
        if _skipped(cells):
            continue
        out.append((line, cells))
    if not out:
        raise ImportRefused("Tệp không có dòng số liệu nào.")
    return out


def _header(rows: list[list]) -> tuple[int, int, dict[str, int]]:
    """Where the header starts and ends, and where each column is: the first line naming the unit and a figure (a
    title may come first), with the line under it when that one names the figures it lacks (a report's two-line
    header: "Hồ sơ trực tuyến" over "Mức độ 3", "Mức độ 4")."""
    found = next((i for i, row in enumerate(rows[:HEADER_SCAN]) if _is_header(row)), 0)
    columns = _columns(rows[found], found)
    try:
        under = _columns(rows[found + 1], found + 1) if found + 1 < len(rows) else {}
    except ImportRefused:
        under = {}  # not a header line
    more = {column: index for column, index in under.items() if column in FIELDS and column not in columns}
    if more and not set(under) & set(columns):
        return found, found + 1, {**columns, **more}
    return found, found, columns


def _columns(row: list, at: int) -> dict[str, int]:
    """Where each column of a header line is; two columns for one figure are refused: reading one would be a
    guess."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        column = column_of(cell)
        if column in columns:
            first = str(row[columns[column]]).strip()
            raise ImportRefused(f"Dòng {at + 1}: hai cột “{first}” và “{str(cell).strip()}” cùng là "
                                f"“{HEADERS.get(column, 'Năm')}”; hãy để lại một.")
        if column:
            columns[column] = index
    return columns


def _is_header(row: list) -> bool:
    """A line naming the unit's column and at least one figure's."""
    names = {column_of(cell) for cell in row}
    return "unit" in names and bool(names & set(FIELDS))


def _skipped(cells: dict) -> bool:
    """A blank line, a total line, a heading or a template row not filled in: no unit's figures to read."""
    if not any(str(cell).strip() for cell in cells.values()):
        return True
    if header_key(cells["unit"]) in TOTAL_ROWS:
        return True
    return not any(str(cells[name]).strip() for name in FIELDS)


def import_figures(data: bytes, filename: str, allowed_unit_ids: set[int], units_by_slug: dict[str, Unit]) -> int:
    """Check every row, then store them all; the first bad row refuses the file, naming its line."""
    merged = db.session.scalars(select(Unit).where(Unit.merged_into_id.in_(allowed_unit_ids))).all()
    names = UnitNames([u for u in units_by_slug.values() if u.id in allowed_unit_ids], merged)
    checked, seen = [], {}
    for line, row in read_rows(data, filename):
        unit, period, values = _check_row(line, row, names)
        if (unit.id, period) in seen:
            raise ImportRefused(f"Dòng {line}: {unit.name} tháng {month_label(period)} đã có ở dòng "
                                f"{seen[unit.id, period]}; mỗi đơn vị một dòng cho mỗi tháng.")
        seen[unit.id, period] = line
        checked.append((unit.id, period, values))
    for unit_id, period, values in checked:
        record_figures(unit_id, period, values, "import")
    return len(checked)


def _check_row(line: int, row: dict, names: UnitNames) -> tuple[Unit, str, dict]:
    try:
        unit = names.find(row["unit"])
    except ImportRefused as exc:
        raise ImportRefused(f"Dòng {line}: {exc.message}") from None
    period = read_month(row["period"], row.get("year"))
    if period is None:
        shown = str(row["period"]).strip()[:40]
        raise ImportRefused(f"Dòng {line}: tháng “{shown}” không hợp lệ, cần dạng mm/yyyy (ví dụ 04/2022) "
                            f"hoặc yyyy-mm (2022-04).")
    values = {}
    for name in FIELDS:
        values[name] = _whole(row[name])
        if values[name] is None:
            shown = str(row[name]).strip()[:40]
            said = f"đang là “{shown}”" if shown else "đang để trống"
            raise ImportRefused(f"Dòng {line}: “{LABELS[name]}” phải là số nguyên không âm ({said}).")
    try:
        return unit, period, check_figures(values)
    except DomainError as exc:
        raise ImportRefused(f"Dòng {line}: {exc.message}") from None


def read_month(cell, year=None) -> str | None:
    """A month as YYYY-MM from "04/2022", "4/2022", "2022-04", "Tháng 4/2022", a date cell (Excel turns a typed
    04/2022 into 01/04/2022), or a month number beside a "Năm" column; None when it is none of them."""
    if isinstance(cell, date):
        return f"{cell.year}-{cell.month:02d}"
    text = re.sub(r"^(thang|ky|t)\s*", "", fold(nfc(str(cell))).strip())
    if isinstance(cell, float) and cell.is_integer():
        text = str(int(cell))
    found = re.fullmatch(r"(\d{1,2})\s*[/.-]\s*(\d{4})", text) or re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if found is None and year not in (None, "") and re.fullmatch(r"\d{1,2}", text):
        found = re.fullmatch(r"(\d{1,2})/(\d{4})", f"{text}/{str(year).strip().removesuffix('.0')}")
    if found is None:
        return None
    first, second = found.groups()
    month, year_text = (second, first) if len(first) == 4 else (first, second)
    return f"{year_text}-{int(month):02d}" if 1 <= int(month) <= 12 else None


def _whole(cell) -> int | None:
    """A cell as a whole number, or None: Excel keeps every number as a float (100.0, 1e+24); text must be the
    digits 0-9 ("²" is a digit to str.isdigit, not to int()), thousands grouped by dots as people write them."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    raw = str(cell).strip()
    raw = raw[:-2] if re.fullmatch(r"[0-9]+\.0", raw) else raw
    if len(raw) > 40:
        return None
    try:
        return parse_whole(raw)
    except ValueError:
        return None


@dataclass(frozen=True)
class Reading:
    """One way to read a written name: the level it says (None: none said), the rest as written and folded."""

    kinds: frozenset | None
    written: str
    folded: str


def readings(text: str) -> list[Reading]:
    """The ways a unit's name may be read: "UBND xã Tái Sơn" is a commune called Tái Sơn. A level word typed
    without marks may be part of the name ("phuong ky" is Phượng Kỳ, not a ward Kỳ): both readings are kept."""
    words = _written_words(text)
    if words[:1] == ["ubnd"] or [fold(w) for w in words[:4]] == ["uy", "ban", "nhan", "dan"]:
        words = words[1:] if words[0] == "ubnd" else words[4:]
    found = []
    for level, kinds in LEVEL_WORDS:
        size = len(level.split())
        head = words[:size]
        if len(words) > size and (head == level.split() or (head == [fold(w) for w in head]
                                                            and [fold(w) for w in head] == fold(level).split())):
            found.append(_reading(frozenset(kinds), words[size:]))
            if head == level.split() and level != fold(level):
                return found  # "phường" written with its marks is the level word, nothing else
    return [*found, _reading(None, words)]


def _written_words(text: str) -> list[str]:
    """The name's words, lower-case NFC, without brackets' content or punctuation ("X." is "xã")."""
    text = re.sub(r"\([^)]*\)", " ", nfc(str(text)).lower())
    short = re.match(r"\s*([xph])\.\s*", text)
    if short:
        text = SHORT_LEVEL[short.group(1)] + " " + text[short.end():]
    return re.sub(r"[^\w]+", " ", text).split()


def _reading(kinds: frozenset | None, words: list[str]) -> Reading:
    written = " ".join(words)
    # "Kì" and "Kỳ" are both correct spellings: a syllable of consonants and a final y reads as i.
    folded = re.sub(r"\b([bcdghklmnpqrstvx]+)y\b", r"\1i", fold(written))
    return Reading(kinds, written, folded)


class UnitNames:
    """The units an import may name, found by slug or by their name as people write it."""

    def __init__(self, units: list[Unit], merged: list[Unit] = ()):
        self.by_slug = {u.slug: u for u in units}
        #: Units merged into one of `units`, by slug and by folded name: named, they are told apart from a typo.
        self.merged = {key: u for u in merged for key in (u.slug, readings(u.name)[0].folded)}
        self.readings = {u.id: readings(u.name)[0] for u in units}
        self.units = {u.id: u for u in units}
        self.by_folded: dict[str, list[Unit]] = {}
        for unit in units:
            self.by_folded.setdefault(self.readings[unit.id].folded, []).append(unit)

    def find(self, cell) -> Unit:
        """The one unit the cell means; refused when it means none or several, naming the closest."""
        text = " ".join(str(cell).split())
        if not text:
            raise ImportRefused("thiếu tên đơn vị.")
        if text in self.by_slug:
            return self.by_slug[text]
        ways = readings(text)
        found = self._candidates(ways)
        if len(found) == 1:
            return found[0]
        shown = text[:60]
        gone = self.merged.get(text) or self.merged.get(ways[0].folded)
        if not found and gone is not None:
            raise ImportRefused(f"{gone.name} đã sáp nhập vào {gone.merged_into.name} từ {gone.merged_on:%d/%m/%Y}; "
                                f"số liệu nay nhập cho {gone.merged_into.name} (các tháng trước đó đã được cộng vào "
                                f"{gone.merged_into.name}).")
        if found:
            names = ", ".join(u.name for u in found)
            raise ImportRefused(f"“{shown}” có thể là {names}; hãy ghi rõ tên đơn vị, ví dụ “{found[0].name}”.")
        near = self.closest(ways[0].folded)
        if near:
            raise ImportRefused(f"không nhận ra đơn vị “{shown}”; gần nhất: {', '.join(u.name for u in near)}.")
        raise ImportRefused(f"không nhận ra đơn vị “{shown}” trong các đơn vị bạn quản lý.")

    def _candidates(self, ways: list[Reading]) -> list[Unit]:
        """The units whose name the readings give; narrowed by the level said, then by the marks typed."""
        found: list[Unit] = []
        for way in ways:
            units = self.by_folded.get(way.folded, [])
            if way.kinds and any(u.kind in way.kinds for u in units):
                units = [u for u in units if u.kind in way.kinds]
            found += [u for u in units if u not in found]
        written = {way.written for way in ways}
        exact = [u for u in found if self.readings[u.id].written in written]
        return exact if len(found) > 1 and exact else found

    def closest(self, folded: str, limit: int = 3) -> list[Unit]:
        """The units whose names are nearest to a folded name, nearest first."""
        if not folded:
            return []
        choices = {unit_id: reading.folded for unit_id, reading in self.readings.items()}
        return [self.units[key] for _, _, key in
                process.extract(folded, choices, scorer=fuzz.ratio, limit=limit, score_cutoff=70)]


def template_workbook(units: list[Unit], period: str) -> bytes:
    """The file to fill: the Vietnamese headers, a row per unit with its name and the month, the figures blank;
    filled in, it imports as it is."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "So lieu DVCTT"
    sheet.append([HEADERS[c] for c in COLUMNS])
    for unit in units:
        sheet.append([unit.name, month_label(period)])
    for cell in sheet[1]:
        cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "@"  # stays the text 04/2022: Excel would make a typed one a date
    for letter, width in zip("ABCDEF", (26, 14, 16, 22, 22, 16)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
