"""Directives through the API: create a draft, read it, publish it."""

from flask import jsonify, request
from flask_login import current_user

from app.api.params import json_body, text_field
from app.api.views import bp
from app.core.errors import DomainError
from app.core.limits import column_length, is_id
from app.core.permissions import load_or_404, require
from app.directives import intake, services
from app.directives.forms import SUBJECT_MAX
from app.directives.models import Directive
from app.directives.queries import directive_json, load_full
from app.extensions import db


@bp.post("/directives")
def create_directive():
    """Create a draft from an uploaded file (multipart ``file``) or from JSON fields and a body."""
    require(current_user, "create_directive")
    user = current_user._get_current_object()
    upload = request.files.get("file")
    if upload is not None:
        directive = intake.draft_from_file(user.unit, user, upload.read(), upload.filename or "van-ban")
    else:
        directive = intake.draft_from_text(user.unit, user, _typed(json_body()))
    db.session.commit()
    return jsonify(directive_json(load_full(directive.id))), 201


def _typed(body: dict) -> dict:
    """A typed directive's fields, each a string its column holds (else 422 naming the field)."""
    return {"body": text_field(body, "body") or "", "issued_on": text_field(body, "issued_on"),
            "number": text_field(body, "number", column_length(Directive.number)),
            "subject": text_field(body, "subject", SUBJECT_MAX)}


@bp.get("/directives/<int:directive_id>")
def get_directive(directive_id: int):
    """One directive with its requirements."""
    load_or_404(Directive, directive_id, current_user, "see_directive")
    return jsonify(directive_json(load_full(directive_id)))


@bp.post("/directives/<int:directive_id>/publish")
def publish_directive(directive_id: int):
    """Publish a draft to units ("all" below the issuer, or ids), with deadline overrides."""
    directive = load_or_404(Directive, directive_id, current_user, "see_directive")
    require(current_user, "manage_directive", directive)
    body = json_body(optional=True)
    units = services.target_units(directive, body.get("units", "all"))
    overrides = body.get("deadlines") or {}
    if not isinstance(overrides, dict):
        raise DomainError('"deadlines" phải là đối tượng {mã yêu cầu: thời hạn}.', status=422)
    count = services.publish(directive, current_user._get_current_object(), units, overrides)
    db.session.commit()
    return jsonify({"tasks_created": count})


@bp.post("/directives/<int:directive_id>/follow-up")
def follow_up(directive_id: int):
    """Draft the next dispatch following this one, naming the units a rule (or a list) picks for a period;
    the same one drafted today by the same unit, still a draft, is given back (200) instead of a copy."""
    from app.directives.followup import draft_follow_up

    directive = load_or_404(Directive, directive_id, current_user, "see_directive")
    require(current_user, "manage_directive", directive)
    body = json_body(optional=True)
    rule = body.get("name", "overdue")
    if isinstance(rule, list) and not all(map(is_id, rule)):  # a larger number never reaches the database
        raise DomainError('"name" phải là một quy tắc hoặc danh sách mã đơn vị.')
    draft, created = draft_follow_up(directive, current_user._get_current_object(), text_field(body, "period"), rule)
    db.session.commit()
    return jsonify(directive_json(load_full(draft.id))), 201 if created else 200
