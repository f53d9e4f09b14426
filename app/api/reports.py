"""Reports through the API: the board's summary as JSON and Excel, the follow-up report as Word."""

from flask import jsonify
from flask_login import current_user

from app.api.params import int_arg
from app.api.views import bp
from app.core.downloads import DOCX, XLSX, attachment
from app.core.permissions import load_or_404
from app.directives.documents import directive_document
from app.directives.models import Directive
from app.reports.excel import summary_workbook
from app.reports.queries import summary, unit_names
from app.reports.word import directive_report


def _summary():
    directive_id = int_arg("directive")
    directive = load_or_404(Directive, directive_id, current_user, "see_directive") if directive_id else None
    return summary(current_user, directive)


@bp.get("/reports/summary")
def report_summary():
    """Tasks per unit and report group (optionally for one directive), with totals."""
    return jsonify(_summary())


@bp.get("/reports/summary.xlsx")
def report_summary_xlsx():
    """The same figures as an Excel workbook, one row per unit."""
    data = _summary()
    names = unit_names(u["unit_id"] for u in data["units"])
    return attachment(summary_workbook(data, names), XLSX, "tong-hop.xlsx")


@bp.get("/reports/directive/<int:directive_id>.docx")
def report_directive_docx(directive_id: int):
    """The office's follow-up report on a directive, as Word."""
    directive = load_or_404(Directive, directive_id, current_user, "see_directive")
    return attachment(directive_report(directive, current_user), DOCX, f"bao-cao-{directive_id}.docx")


@bp.get("/directives/<int:directive_id>.docx")
def directive_docx(directive_id: int):
    """The directive itself as Word, in the layout of Nghị định 30/2020/NĐ-CP."""
    directive = load_or_404(Directive, directive_id, current_user, "see_directive")
    return attachment(directive_document(directive), DOCX, f"van-ban-{directive_id}.docx")
