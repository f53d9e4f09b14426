"""The office's follow-up report on a directive, as Word, built from the board's figures."""

from __future__ import annotations

from sqlalchemy import func, select

from app.core import clock, nd30
from app.core.numbers import vnnum, vnpercent
from app.core.periods import month_label
from app.directives.models import Directive
from app.extensions import db
from app.indicators.models import MonthlyFigures
from app.indicators.queries import ranking
from app.reports.queries import summary, unit_names
from app.tasks.groups import GROUPS
from app.units.naming import leaders_recipient


def directive_report(directive: Directive, user) -> bytes:
    """Báo cáo kết quả thực hiện a directive: groups, overdue units, online figures, an appendix per unit."""
    data = summary(user, directive)
    names = unit_names(u["unit_id"] for u in data["units"])
    totals, all_tasks = data["totals"], sum(data["totals"].values())
    cited = f"{directive.number or 'văn bản'}" + (
        f" ngày {directive.issued_on:%d/%m/%Y}" if directive.issued_on else "")
    today = clock.today()
    overdue = [names[u["unit_id"]] for u in data["units"] if u["groups"]["open_overdue"]]
    paragraphs = [
        f"Thực hiện {cited} của {directive.issuer_name or directive.issuer.name}"
        + (f" về việc {directive.subject}" if directive.subject else "")
        + f", tính đến ngày {today:%d/%m/%Y}, kết quả thực hiện của {len(data['units'])} đơn vị như sau:",
        f"Tổng số nhiệm vụ: {vnnum(all_tasks)}; trong đó: " + "; ".join(
            f"{label.lower()}: {vnnum(totals[key])}" + (f" ({vnpercent(totals[key] / all_tasks)})" if all_tasks else "")
            for key, label in GROUPS.items()) + ".",
        ("Các đơn vị còn nhiệm vụ quá hạn: " + ", ".join(sorted(overdue)) + ".") if overdue
        else "Không có đơn vị nào còn nhiệm vụ quá hạn.",
    ]
    paragraphs += _figures_paragraphs(user)
    table = (["STT", "Đơn vị", *GROUPS.values()],
             [[i, names[u["unit_id"]], *u["groups"].values()] for i, u in
              enumerate(sorted(data["units"], key=lambda u: names[u["unit_id"]]), start=1)]
             + [["", "Tổng cộng", *totals.values()]])
    issuer = directive.issuer
    return nd30.render(nd30.OfficialDocument(
        issuer=directive.issuer_name or issuer.name, parent=None, number=None, symbol="BC-UBND",
        place=directive.place or "", issued_on=today, doc_type="BÁO CÁO",
        subject=f"Kết quả thực hiện {cited}", paragraphs=paragraphs, table=table,
        table_title="PHỤ LỤC: KẾT QUẢ THỰC HIỆN CỦA CÁC ĐƠN VỊ",
        recipients=[leaders_recipient(issuer), "Lưu: VT"],
        signer_authority="TM. ỦY BAN NHÂN DÂN", signer_title="CHỦ TỊCH", signer_name=directive.signer_name or ""))


def _figures_paragraphs(user) -> list[str]:
    """The latest month's online-service figures against the target, when any were imported or reported, naming
    the units of that month (a month before a merger names the communes merged since)."""
    period = db.session.scalar(select(func.max(MonthlyFigures.period)))
    if not period:
        return []
    rows = ranking(user, period, as_of_period=True)
    below = [f"{r['unit'].name} ({vnpercent(r['rate'])})" for r in rows if r["below_target"]]
    month = month_label(period)
    target = next((r["target"] for r in rows if r["target"] is not None), None)
    text = (f"Kết quả dịch vụ công trực tuyến tháng {month}"
            + (f" (chỉ tiêu {vnpercent(target)})" if target is not None else "")
            + f": {vnnum(len(rows))} đơn vị có số liệu")
    if below:
        text += f"; {vnnum(len(below))} đơn vị chưa đạt chỉ tiêu: " + ", ".join(below)
    return [text + "."]
