"""API authentication: tokens in exchange for credentials, bearer checks on every call."""

from flask import g, jsonify, request
from flask_login import AnonymousUserMixin, current_user

from app.api.params import json_body, text_field
from app.api.views import bp
from app.auth import services
from app.core import audit
from app.core.errors import DomainError, error_response
from app.extensions import csrf, db

#: API endpoints reachable without a token.
PUBLIC = {"api.token", "api.openapi"}

csrf.exempt(bp)  # no cookie is accepted here, so there is nothing to forge


@bp.before_request
def _bearer_only():
    """Authenticate by bearer token only: a browser's session cookie does not count here."""
    g._login_user = AnonymousUserMixin()  # never the session's user
    if request.endpoint in PUBLIC:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    row = services.token_for(token.strip()) if scheme.lower() == "bearer" and token else None
    if row is None:
        return error_response(401, "Thiếu hoặc sai mã truy cập (Bearer token).")
    g._login_user, g.api_token_id = row.user, row.id
    return None


@bp.post("/auth/token")
def token():
    """Exchange a username and password for a bearer token."""
    try:
        body = json_body()
        label = text_field(body, "label", services.LABEL_MAX) or ""
        user = services.authenticate(str(body.get("username", "")), str(body.get("password", "")),
                                     audit.client_address())
    except DomainError as exc:  # not JSON (400), too many attempts (429), a demo account in production (403)
        db.session.commit()
        return error_response(exc.status, exc.message)
    if user is None:
        db.session.commit()
        return error_response(401, services.BAD_CREDENTIALS)
    issued = services.issue_token(user, label)
    db.session.commit()
    row = services.token_for(issued)
    return jsonify({"token": issued, **token_json(row)})


def token_json(row) -> dict:
    """A token as the list shows it: never the token itself, only its first characters."""
    return {"id": row.id, "label": row.label, "hint": row.hint, "created_at": row.created_at.isoformat(),
            "expires_at": row.expires_at.isoformat(),
            "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None}


@bp.get("/auth/tokens")
def tokens():
    """The caller's live tokens, newest first; `current` marks the one this call came with."""
    rows = services.live_tokens(api_user())
    return jsonify([{**token_json(row), "current": row.id == g.api_token_id} for row in rows])


@bp.delete("/auth/token")
def revoke_current():
    """End the token this call came with (the API's log-out)."""
    services.revoke_token(api_user(), g.api_token_id)
    db.session.commit()
    return "", 204


@bp.delete("/auth/tokens/<int:token_id>")
def revoke(token_id: int):
    """End one of the caller's own tokens; another user's is a 404."""
    if not services.revoke_token(api_user(), token_id):
        return error_response(404)
    db.session.commit()
    return "", 204


def api_user():
    """The user of this API call."""
    return current_user._get_current_object()
