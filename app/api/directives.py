"""Directives through the API: create a draft, read it, publish it, follow it up, give guidance on it."""

from flask import jsonify, request
from flask_login import current_user

from app.api.params import json_body, text_field
from app.api.views import bp
from app.core.errors import DomainError
from app.core.limits import column_length, is_id
from app.core.permissions import load_or_404, require
from app.directives import intake, services
from app.directives.forms import SUBJECT_MAX
from app.directives.guidance import GUIDANCE_MAX, author_name, guidance_json, guidance_of
from app.directives.models import Directive
from app.directives.queries import directive_json, load_full
from app.escalation.guidance import TOKEN, give_guidance
from app.evidence import trust
from app.extensions import db
from app.reports.followup import draft_follow_up, figures_warning
from app.tasks import fanout


@bp.post("/directives")
def create_directive():
    """Create a draft from an uploaded file (multipart ``file``) or from JSON fields and a body."""
    require(current_user, "create_directive")
    user = current_user._get_current_object()
    upload = request.files.get("file")
    if upload is not None:
        directive = trust.draft_from_file(user.unit, user, upload.read(), upload.filename or "van-ban")
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
    count = fanout.publish(directive, current_user._get_current_object(), units, overrides)
    db.session.commit()
    return jsonify({"tasks_created": count})


@bp.post("/directives/<int:directive_id>/follow-up")
def follow_up(directive_id: int):
    """Draft the next dispatch following this one, naming the units a rule (or a list) picks for a period;
    the same one drafted today by the same unit, still a draft, is given back (200) instead of a copy."""
    directive = load_or_404(Directive, directive_id, current_user, "see_directive")
    require(current_user, "manage_directive", directive)
    body = json_body(optional=True)
    rule = body.get("name", "overdue")
    if isinstance(rule, list) and not all(map(is_id, rule)):  # a larger number never reaches the database
        raise DomainError('"name" phải là một quy tắc hoặc danh sách mã đơn vị.')
    draft, created = draft_follow_up(directive, current_user._get_current_object(), text_field(body, "period"), rule)
    db.session.commit()
    warning = figures_warning(current_user, text_field(body, "period"), rule)
    return jsonify({**directive_json(load_full(draft.id)), "warnings": [warning] if warning else []}), \
        201 if created else 200


# One rule for both methods: with a rule per method, an id past the converter's bound answers 405, not 404.
@bp.route("/directives/<int:directive_id>/guidance", methods=["GET", "POST"])
def directive_guidance(directive_id: int):
    """GET: the guidance given on a directive, newest first (a commune's user: what reached their commune).
    POST: give guidance (see `_give_guidance`)."""
    directive = load_or_404(Directive, directive_id, current_user, "see_directive")
    if request.method == "POST":
        return _give_guidance(directive)
    return jsonify([guidance_json(item) for item in guidance_of(directive, current_user)])


def _give_guidance(directive: Directive):
    """Give guidance on the whole directive to the overdue units or to a list of its units; the same "key"
    sent again gives back the guidance first given (200) and sends nothing."""
    require(current_user, "guide_directive", directive)
    body = json_body()
    key = text_field(body, "key")
    if key is not None and not TOKEN.fullmatch(key):
        raise DomainError('Trường "key" phải gồm 8 đến 64 chữ cái không dấu, chữ số, "-" hoặc "_".')
    units = body.get("units", "overdue")
    if isinstance(units, list) and not all(map(is_id, units)):  # a larger number never reaches the database
        raise DomainError('"units" phải là "overdue" hoặc danh sách mã đơn vị.')
    given, created = give_guidance(directive, current_user._get_current_object(),
                                            text_field(body, "body", GUIDANCE_MAX) or "", units, token=key)
    db.session.commit()
    item = {"guidance": given, "author": author_name(given.author), "units": given.units}
    return jsonify(guidance_json(item)), 201 if created else 200
