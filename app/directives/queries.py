"""Reads of directives: lists with progress, and the JSON the API returns."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.directives.models import Directive, Requirement
from app.extensions import db


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


#: What the API shows of each digital signature of a file (CONTRACT.md); app.evidence.trust stores more.
SIGNATURE_FIELDS = ("signer", "organisation", "signed_at", "intact", "modified_after", "trusted")


def signatures_json(entries: list[dict] | None) -> list[dict]:
    """A file's stored signatures as the API shows them; [] when unsigned."""
    return [{key: entry.get(key) for key in SIGNATURE_FIELDS} for entry in entries or []]


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
        "signatures": signatures_json(directive.signatures),
    }
