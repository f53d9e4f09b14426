"""A directive as a Word document in the official layout (for drafts the office will sign)."""

from __future__ import annotations

import re

from app.core import nd30
from app.directives.models import Directive
from app.directives.wording import fill, templates_for, tidy
from app.units.naming import OFFICE_SYMBOL


def directive_document(directive: Directive) -> bytes:
    """The công văn: header, V/v, Kính gửi, body and numbered requirements, Nơi nhận, signature."""
    issuer = directive.issuer_name or directive.issuer.name
    paragraphs = [p for p in _opening(directive)]
    for requirement in directive.requirements:
        label = f"{requirement.label}. " if requirement.label and requirement.label[0].isdigit() else (
            f"{requirement.label}) "
            if requirement.label and len(requirement.label) == 1 and requirement.label.isalpha()
            else "")
        paragraphs.append(label + requirement.text.replace("\n", " "))
    paragraphs.append(_closing(directive))
    number = directive.number if directive.number and re.match(r"\d", directive.number) else None
    symbol = directive.number.split("/", 1)[-1] if directive.number and "/" in directive.number else OFFICE_SYMBOL
    return nd30.render(nd30.OfficialDocument(
        issuer=issuer, number=number, symbol=symbol.lstrip("/"), place=directive.place or "",
        issued_on=directive.issued_on, subject=tidy(directive.subject or ""), addressees=directive.addressees or [],
        paragraphs=paragraphs, recipients=directive.recipients or ["Như trên", "Lưu: VT"],
        signer_authority=_authority(directive.signer_title), signer_title=directive.signer_title or "CHỦ TỊCH",
        signer_name=directive.signer_name or ""))


def _opening(directive: Directive) -> list[str]:
    """The body's paragraphs before the requirements (the stored opening, when there is one)."""
    opening = (directive.body or "").strip()
    if directive.follows_id and opening:
        return [tidy(p.strip()) for p in opening.split("\n\n") if p.strip()]
    return []


def _closing(directive: Directive) -> str:
    """The closing formula, in the office's wording."""
    addressee = directive.addressees[0] if directive.addressees else "các đơn vị"
    return fill(templates_for(directive.issuer_unit_id)["closing"], addressee=addressee)


def _authority(title: str | None) -> str | None:
    """A deputy signs "KT. CHỦ TỊCH"; the chair signs for the committee."""
    if title and title.upper().startswith("PHÓ"):
        return "KT. CHỦ TỊCH"
    return "TM. ỦY BAN NHÂN DÂN"
