"""Guidance (ý kiến chỉ đạo) on a whole directive as it is read: on the directive's page, in the API, on each
task of a unit it reached (given and mailed by `app.escalation.guidance`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.core import clock
from app.directives.models import Directive, DirectiveGuidance
from app.extensions import db
from app.units.models import Unit
from app.units.policy import visible_unit_ids

#: The longest guidance taken: a few paragraphs in practice.
GUIDANCE_MAX = 5000


def author_name(user) -> str:
    """Who gave the guidance, as a unit reads it: "Vũ Thị Hà (Chủ tịch UBND huyện)"."""
    if user is None:
        return "Lãnh đạo"
    name = user.full_name or user.username
    return f"{name} ({user.position})" if user.position else name


def guidance_of(directive: Directive, user) -> list[dict]:
    """The guidance given on the directive, newest first, each with the units of it the user sees
    (a commune's user sees only what reached their commune, and no other commune's name)."""
    visible = set(db.session.scalars(visible_unit_ids(user)))
    rows = db.session.scalars(select(DirectiveGuidance).where(DirectiveGuidance.directive_id == directive.id)
                              .options(joinedload(DirectiveGuidance.author), selectinload(DirectiveGuidance.units))
                              .order_by(DirectiveGuidance.created_at.desc(), DirectiveGuidance.id.desc()))
    out = []
    for guidance in rows:
        units = [u for u in guidance.units if u.id in visible]
        if units:
            out.append({"guidance": guidance, "author": author_name(guidance.author), "units": units})
    return out


def guidance_json(item: dict) -> dict:
    """A guidance as the API shows it (an item of `guidance_of`)."""
    guidance = item["guidance"]
    return {"id": guidance.id, "directive_id": guidance.directive_id, "author": item["author"],
            "body": guidance.body, "created_at": clock.as_utc(guidance.created_at).isoformat(),
            "to_overdue": guidance.to_overdue, "unit_ids": [u.id for u in item["units"]]}


def guidance_for_task(task) -> list[dict]:
    """The guidance that reached the task's unit on the task's directive, newest first."""
    rows = db.session.scalars(
        select(DirectiveGuidance).where(DirectiveGuidance.directive_id == task.directive_id,
                                        DirectiveGuidance.units.any(Unit.id == task.unit_id))
        .options(joinedload(DirectiveGuidance.author))
        .order_by(DirectiveGuidance.created_at.desc(), DirectiveGuidance.id.desc()))
    return [{"guidance": g, "author": author_name(g.author)} for g in rows]


def cited(directive: Directive) -> str:
    """The directive as a letter cites it: number, date and subject when known."""
    number = directive.number or "(chưa có số)"
    day = f" ngày {directive.issued_on:%d/%m/%Y}" if directive.issued_on else ""
    subject = f" V/v {directive.subject}" if directive.subject else ""
    return f"{number}{day}{subject}"
