"""Between the kind-specific forms and the task's stored data (kept out of views and templates)."""

from __future__ import annotations

from sqlalchemy import select

from app.core import clock
from app.core.numbers import format_whole
from app.core.periods import is_month, month_label
from app.extensions import db
from app.indicators.models import MonthlyFigures, online_rate
from app.indicators.services import FIELDS, LABELS, check_figures, target_for
from app.tasks.forms import CONDITIONS, DEVICES, FORM_BY_KIND, PROPOSALS
from app.tasks.models import Task


def form_for(task: Task, formdata=None):
    """The form the requirement's kind asks for, filled with what the unit saved (or what it just typed)."""
    form_class = FORM_BY_KIND.get(task.requirement.kind, FORM_BY_KIND["action"])
    data = dict(_stored_fields(task), version=task.version)
    return form_class(formdata=formdata, data=data) if formdata is not None else form_class(data=data)


def with_rows(task: Task, formdata, rows: list[dict]):
    """The inventory form showing these lines (one added or removed), the rest as the unit typed it."""
    return FORM_BY_KIND["inventory"](formdata=None, data={
        "rows": rows or [{}], "version": formdata.get("version"), "handin_note": formdata.get("handin_note")})


def typed_rows(form) -> list[dict]:
    """The inventory lines as typed (numbers not yet read kept as text), for showing the form again."""
    return [{name: (sub.raw_data[0] if sub.raw_data else sub.data) for name, sub in row.form._fields.items()}
            for row in form.rows]


def figures_period(task: Task) -> str:
    """The month a figures task reports on: its own period, else the month it falls due (or was given)."""
    if is_month(task.period):
        return task.period
    day = task.due_on or clock.local_date(task.created_at)
    return f"{day:%Y-%m}"


def _stored_fields(task: Task) -> dict:
    data, kind = task.data or {}, task.requirement.kind
    if kind == "figures":
        return dict(data.get("figures") or {})
    if kind == "inventory":
        return {"rows": data.get("inventory") or [{}]}
    if kind == "written_report":
        return {"difficulties": data.get("difficulties"), "proposals": data.get("proposals")}
    return {"note": data.get("note")}


def data_from(task: Task, form) -> dict:
    """What a validated form stores in the task's data."""
    kind = task.requirement.kind
    if kind == "figures":
        values = check_figures({name: getattr(form, name).data for name in FIELDS})
        return {"figures": {**values, "period": figures_period(task)}}
    if kind == "inventory":
        return {"inventory": [row.data for row in form.rows if row.quantity.data]}  # the form refused >200
    if kind == "written_report":
        return {"difficulties": form.difficulties.data, "proposals": form.proposals.data}
    return {"note": form.note.data}


def figures_summary(task: Task) -> dict | None:
    """The rate a figures report gives, against the issuer's target for that month."""
    figures = (task.data or {}).get("figures")
    if not figures:
        return None
    rate = online_rate(figures["total"], figures["online_level3"], figures["online_level4"])
    target = target_for(task.directive.issuer_unit_id, figures["period"])
    return {"rate": rate, "target": target.rate if target else None,
            "below": bool(target and rate is not None and rate < target.rate)}


_DEVICES, _CONDITIONS, _PROPOSALS = dict(DEVICES), dict(CONDITIONS), dict(PROPOSALS)


def handed_in_lines(task: Task) -> list[tuple[str, str]]:
    """What the unit filled, as (label, value) lines in Vietnamese, for the read-only view."""
    data, kind = task.data or {}, task.requirement.kind
    if kind == "figures" and data.get("figures"):
        figures = data["figures"]
        return [("Kỳ báo cáo", month_label(figures.get("period", "")))] + [
            (LABELS[name], format_whole(figures.get(name))) for name in FIELDS]
    if kind == "inventory":
        return [(f"Dòng {i}", inventory_line(row)) for i, row in enumerate(data.get("inventory") or [], 1)]
    if kind == "written_report":
        return [(label, data[key]) for key, label in (("difficulties", "Khó khăn, vướng mắc"),
                                                      ("proposals", "Đề xuất, kiến nghị")) if data.get(key)]
    return [("Kết quả thực hiện", data["note"])] if data.get("note") else []


def inventory_line(row: dict) -> str:
    """One device line: "Máy scan: 2 chiếc, Hỏng, đề xuất Mua mới, 15.000.000 đ"."""
    parts = [f"{_DEVICES.get(row.get('device'), row.get('device') or '')}: {format_whole(row.get('quantity'))} chiếc",
             _CONDITIONS.get(row.get("condition"), row.get("condition") or "")]
    if row.get("proposal") and row["proposal"] != "none":
        parts.append(f"đề xuất {_PROPOSALS.get(row['proposal'], row['proposal']).lower()}")
    if row.get("cost"):
        parts.append(f"{format_whole(row['cost'])} đ")
    return ", ".join(part for part in parts if part)


def figures_conflict(task: Task) -> dict | None:
    """The imported row a unit's handed-in figures differ from, for the office to choose: {period, import, task}."""
    figures = (task.data or {}).get("figures")
    if task.requirement.kind != "figures" or not figures:
        return None
    row = db.session.scalar(select(MonthlyFigures).where(MonthlyFigures.unit_id == task.unit_id,
                                                         MonthlyFigures.period == figures["period"]))
    if row is None or row.source != "import":
        return None
    imported = {name: getattr(row, name) for name in FIELDS}
    if imported == {name: figures[name] for name in FIELDS}:
        return None
    return {"period": month_label(figures["period"]), "import": imported,
            "task": {name: figures[name] for name in FIELDS}, "labels": LABELS}
