"""Reads of directives: lists with progress, and the JSON the API returns."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from app.core.permissions import sees_everything
from app.core.search import folded_match
from app.directives.models import Directive, Requirement
from app.extensions import db
from app.tasks.models import Task
from app.units.models import Unit
from app.units.policy import visible_unit_ids


def directives_for(user, text: str = "", issued_from: date | None = None, issued_to: date | None = None):
    """A select of the directives the user may see, newest first, searchable by number, subject and date."""
    mine = select(Unit.id).where(Unit.path.startswith(user.unit.path)) if not user.is_commune_user else None
    tasked = select(Task.directive_id).where(Task.unit_id.in_(visible_unit_ids(user)))
    if sees_everything(user):
        query = select(Directive)
    elif mine is not None:
        query = select(Directive).where(or_(Directive.issuer_unit_id.in_(mine), Directive.id.in_(tasked)))
    else:
        query = select(Directive).where(Directive.state != "draft", Directive.id.in_(tasked))
    if text:
        query = query.where(folded_match(Directive.search_text, text))
    if issued_from:
        query = query.where(Directive.issued_on >= issued_from)
    if issued_to:
        query = query.where(Directive.issued_on <= issued_to)
    return query.order_by(Directive.created_at.desc(), Directive.id.desc())


def progress(directive_ids: list[int], user) -> dict[int, tuple[int, int]]:
    """For each directive: (tasks done, tasks in all) among the units the user sees."""
    if not directive_ids:
        return {}
    rows = db.session.execute(
        select(Task.directive_id, func.sum(case((Task.state == "done", 1), else_=0)), func.count())
        .where(Task.directive_id.in_(directive_ids), Task.unit_id.in_(visible_unit_ids(user)))
        .group_by(Task.directive_id)
    )
    return {directive_id: (int(done or 0), total) for directive_id, done, total in rows}


def load_full(directive_id: int) -> Directive | None:
    """A directive with its requirements (and their units) and references, in three queries."""
    return db.session.scalar(
        select(Directive).where(Directive.id == directive_id).options(
            selectinload(Directive.requirements).selectinload(Requirement.cooperating_units),
            selectinload(Directive.references),
        )
    )


def requirement_json(requirement: Requirement) -> dict:
    """A requirement as the API shows it."""
    return {
        "id": requirement.id,
        "label": requirement.label,
        "text": requirement.text,
        "deadline": requirement.deadline,
        "kind": requirement.kind,
        "evidence_wanted": requirement.evidence_wanted,
        "lead_unit_id": requirement.lead_unit_id,
        "cooperating_unit_ids": [u.id for u in requirement.cooperating_units],
    }


def directive_json(directive: Directive) -> dict:
    """The fields of `directive extract`, plus ids, state and links (CONTRACT.md)."""
    return {
        "id": directive.id,
        "state": directive.state,
        "number": directive.number,
        "issued_on": directive.issued_on.isoformat() if directive.issued_on else None,
        "issuer": directive.issuer_name,
        "issuer_unit_id": directive.issuer_unit_id,
        "place": directive.place,
        "signer": ({"name": directive.signer_name, "title": directive.signer_title}
                   if directive.signer_name else None),
        "subject": directive.subject,
        "addressees": directive.addressees or [],
        "references": [
            {"number": r.number, "issued_on": r.issued_on.isoformat() if r.issued_on else None,
             "directive_id": r.target_id}
            for r in directive.references
        ],
        "named_units": directive.named_units or [],
        "requirements": [requirement_json(r) for r in directive.requirements],
        "recipients": directive.recipients or [],
        "read_by_ocr": directive.read_by_ocr,
        "source_filename": directive.source_filename,
        "follows_id": directive.follows_id,
    }
