"""Taking a directive in: a file or typed text, read, extracted and stored as a draft."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from app.core import storage
from app.directives.extraction import extract
from app.directives.models import Directive
from app.directives.reading import read_document
from app.directives.services import create_draft

#: Header fields a typed or JSON directive may give, overriding what is read from its body.
OVERRIDABLE = ("number", "issued_on", "subject")


def draft_from_file(issuer, user, data: bytes, filename: str, allow_empty: bool = False) -> Directive:
    """Read and extract an uploaded file, keep the original, and store the draft (with no requirement only if
    `allow_empty`: the office then types them)."""
    result = read_document(data, filename, max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)
    extracted = extract(result.text)
    stored, _ = storage.save(data, suffix=Path(filename).suffix.lower()[:6])
    return create_draft(issuer, user, extracted, body=result.text, source=(filename[:300], stored),
                        read_by_ocr=result.read_by_ocr, allow_empty=allow_empty)


def draft_from_text(issuer, user, fields: dict, allow_empty: bool = False) -> Directive:
    """Extract a typed body (possibly empty); the fields given (number, date, subject) override what was
    extracted; with no requirement found it is refused unless `allow_empty`."""
    body = str(fields.get("body") or "")
    extracted = extract(body)
    for name in OVERRIDABLE:
        if fields.get(name) not in (None, ""):
            extracted[name] = fields[name]
    return create_draft(issuer, user, extracted, body=body, allow_empty=allow_empty)
