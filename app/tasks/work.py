"""Between the kind-specific forms and the task's stored data (kept out of views and templates)."""

from __future__ import annotations

from app.indicators.models import online_rate
from app.indicators.services import check_figures, target_for
from app.tasks.forms import FORM_BY_KIND, month_key
from app.tasks.models import Task


def form_for(task: Task, formdata=None):
    """The form the requirement's kind asks for, filled with what the unit saved."""
    form_class = FORM_BY_KIND.get(task.requirement.kind, FORM_BY_KIND["action"])
    data = dict(_stored_fields(task), version=task.version)
    return form_class(formdata=formdata, data=data) if formdata is not None else form_class(data=data)


def _stored_fields(task: Task) -> dict:
    data, kind = task.data or {}, task.requirement.kind
    if kind == "figures":
        figures = data.get("figures") or {}
        period = figures.get("period") or task.period or ""
        return {**figures, "period": f"{period[5:7]}/{period[:4]}" if period else ""}
    if kind == "inventory":
        return {"rows": data.get("inventory") or [{}]}
    if kind == "written_report":
        return {"difficulties": data.get("difficulties"), "proposals": data.get("proposals")}
    return {"note": data.get("note")}


def data_from(task: Task, form) -> dict:
    """What a validated form stores in the task's data."""
    kind = task.requirement.kind
    if kind == "figures":
        values = check_figures({name: getattr(form, name).data for name in
                                ("total", "online_level3", "online_level4", "settled_online")})
        return {"figures": {**values, "period": month_key(form.period.data)}}
    if kind == "inventory":
        rows = [row.data for row in form.rows if row.quantity.data]
        return {"inventory": rows}
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
