"""The report pages: a directive's board, the online-service figures, monthly-report compliance, a unit's scorecard."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from app.core import clock
from app.core.downloads import DOCX, XLSX, attachment
from app.core.errors import DomainError
from app.core.flow import submit
from app.core.paging import paginate
from app.core.periods import is_month, month_key
from app.core.permissions import load_or_404, require
from app.directives.models import Directive
from app.indicators.imports import import_figures, template_workbook
from app.indicators.queries import figure_periods, ranking, template_units, trend, units_for_import
from app.indicators.services import set_target
from app.mergers.lineage import formed_from_label
from app.reports import excel
from app.reports.forms import ImportForm, TargetForm
from app.reports.queries import (
    COLOURS,
    COMPLIANCE_LABELS,
    MARKED_STATES,
    board,
    board_export,
    board_parts,
    board_units,
    column_labels,
    compliance,
    missed_months,
    opened_rows,
    overdue_over_time,
    requirements_of,
    summary,
    unit_directives,
    unit_names,
)
from app.reports.word import directive_report
from app.tasks.groups import GROUPS
from app.units.models import Unit

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.get("/directives/<int:directive_id>")
def directive_board(directive_id: int):
    """Units × requirements, each cell in its group's colour, counts per unit and in total; paged and filtered."""
    directive = load_or_404(Directive, directive_id, current_user, "see_directive")
    group = request.args.get("group") if request.args.get("group") in GROUPS else None
    period, text = request.args.get("period") or None, request.args.get("unit", "").strip()
    page = paginate(board_units(current_user, directive, group, text), 100)
    unit_ids = [u.id for u in page.items]
    parts = board_parts(current_user, directive, unit_ids)  # merged units, shown under the unit they became
    data = summary(current_user, directive)
    per_unit = {u["unit_id"]: u["groups"] for u in data["units"]}
    return render_template("reports/board.html", directive=directive, page=page, groups=GROUPS,
                           columns=column_labels(requirements_of(directive.id)), per_unit=per_unit,
                           totals=data["totals"], marked=MARKED_STATES, colours=COLOURS,
                           overdue_series=overdue_over_time(current_user, directive.id),
                           parts=parts, opened=opened_rows(parts, text),
                           cells=board(current_user, directive.id,
                                       unit_ids + [p.id for units in parts.values() for p in units], period),
                           filters={"group": group or "", "period": period or "", "unit": text})


@bp.get("/directives/<int:directive_id>/board.xlsx")
def board_xlsx(directive_id: int):
    """The whole board as Excel: the units × requirements grid in the board's colours, then the counts."""
    directive = load_or_404(Directive, directive_id, current_user, "see_directive")
    return attachment(excel.board_workbook(board_export(current_user, directive)), XLSX,
                      f"bang-theo-doi-{directive.id}.xlsx")


@bp.get("/directives/<int:directive_id>/report.docx")
def directive_docx(directive_id: int):
    """The follow-up report on the directive, as Word."""
    directive = load_or_404(Directive, directive_id, current_user, "see_directive")
    return attachment(directive_report(directive, current_user), DOCX, f"bao-cao-{directive.id}.docx")


@bp.get("/figures")
def figures():
    """The communes' online-service figures against the target: import, ranking, flags, trend."""
    _month_arg()
    return _figures_page()


def _month_arg() -> str | None:
    """The ``period`` asked for, a month YYYY-MM, or None when absent; anything else is a 400 in Vietnamese."""
    period = request.args.get("period")
    if period in (None, ""):
        return None
    if not is_month(period):
        raise DomainError('Tham số "period" phải là một tháng dạng YYYY-MM, ví dụ 2022-05.', status=400)
    return period


def _figures_page(import_form=None, target_form=None) -> str:
    """The figures page with its forms; after bad input, the form as typed with its errors."""
    periods = figure_periods(current_user)
    period = _month_arg() or (periods[0] if periods else clock.today().strftime("%Y-%m"))
    periods = periods if period in periods else sorted([*periods, period], reverse=True)  # the month shown is listed
    rows = ranking(current_user, period)
    names = {row["unit"].id: row["unit"].name for row in rows}
    return render_template("reports/figures.html", rows=rows, period=period, periods=periods,
                           series=trend(current_user), names=names,
                           import_form=import_form or ImportForm(formdata=None),
                           target_form=target_form or TargetForm(formdata=None))


@bp.post("/figures/import")
def import_page():
    """Upload the one-stop software's export; a bad row refuses the whole file with its line number."""
    require(current_user, "create_directive")
    form = ImportForm()
    return submit(form, lambda typed: _figures_page(import_form=typed), lambda: _import_upload(form.file.data),
                  "Đã nhập số liệu của {} đơn vị.", url_for("reports.figures"), field="file")


def _import_upload(upload) -> int:
    """Import an uploaded export for the communes the user may import for; how many units it filled."""
    allowed, by_slug = units_for_import(current_user)
    return import_figures(upload.read(), upload.filename, allowed, by_slug)


@bp.get("/figures/template.xlsx")
def figures_template():
    """The file to fill for an import: Vietnamese headers, the user's communes and the month (this one unless
    asked) filled in; it imports back as it is once the figures are typed."""
    require(current_user, "create_directive")
    period = _month_arg() or clock.today().strftime("%Y-%m")
    return attachment(template_workbook(template_units(current_user), period), XLSX, f"mau-so-lieu-{period}.xlsx")


@bp.post("/figures/target")
def set_target_page():
    """Set the month's online-rate target for the units below the office's unit."""
    require(current_user, "create_directive")
    form = TargetForm()
    return submit(form, lambda typed: _figures_page(target_form=typed), lambda: _set_target(form),
                  "Đã đặt chỉ tiêu.", lambda: url_for("reports.figures", period=month_key(form.period.data)),
                  field="rate")


def _set_target(form: TargetForm) -> None:
    """Set the office's target from the form's percentages (an empty level rate sets none)."""
    level3, level4 = (float(f.data) / 100 if f.data is not None else None for f in (form.level3, form.level4))
    set_target(current_user.unit_id, month_key(form.period.data), float(form.rate.data) / 100, level3, level4)


@bp.get("/figures.xlsx")
def figures_xlsx():
    """A month's figures as Excel (this month when none is asked for)."""
    period = _month_arg() or clock.today().strftime("%Y-%m")
    return attachment(excel.figures_workbook(ranking(current_user, period)), XLSX, f"so-lieu-{period}.xlsx")


@bp.get("/compliance")
def compliance_page():
    """Who handed in the monthly report by its day, late, or not at all, month by month."""
    periods, table = compliance(current_user)
    return render_template("reports/compliance.html", periods=periods, table=table, labels=COMPLIANCE_LABELS,
                           names=unit_names(table))


@bp.get("/compliance.xlsx")
def compliance_xlsx():
    """The compliance table as Excel."""
    periods, table = compliance(current_user)
    return attachment(excel.compliance_workbook(periods, table, unit_names(table), COMPLIANCE_LABELS), XLSX,
                      "bao-cao-dinh-ky.xlsx")


@bp.get("/units/<int:unit_id>")
def scorecard(unit_id: int):
    """A unit's accountability: each directive's tasks, on-time rate, overdue count, missed monthly reports; a
    merged unit says where it went, a unit a merger formed what it was formed from."""
    unit = load_or_404(Unit, unit_id, current_user, "see_unit")
    rows = unit_directives(current_user, unit.id)
    periods, table = compliance(current_user)
    done = sum(r["groups"]["done_on_time"] + r["groups"]["done_late"] for r in rows)
    on_time = sum(r["groups"]["done_on_time"] for r in rows)
    return render_template("reports/scorecard.html", unit=unit, rows=rows, groups=GROUPS,
                           on_time_rate=(on_time / done) if done else None,
                           overdue=sum(r["groups"]["open_overdue"] for r in rows),
                           missed=missed_months(table.get(unit.id, {})), formed_from=formed_from_label(unit))
