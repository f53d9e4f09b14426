"""API authentication: tokens in exchange for credentials, bearer checks on every call."""

from flask import g, jsonify, request
from flask_login import AnonymousUserMixin, current_user

from app.api.params import json_body
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
    user = services.user_for_token(token.strip()) if scheme.lower() == "bearer" and token else None
    if user is None:
        return error_response(401, "Thiếu hoặc sai mã truy cập (Bearer token).")
    g._login_user = user
    return None


@bp.post("/auth/token")
def token():
    """Exchange a username and password for a bearer token."""
    try:
        body = json_body()
        user = services.authenticate(str(body.get("username", "")), str(body.get("password", "")),
                                     audit.client_address())
    except DomainError as exc:  # not JSON (400), too many attempts (429), a demo account in production (403)
        db.session.commit()
        return error_response(exc.status, exc.message)
    if user is None:
        db.session.commit()
        return error_response(401, services.BAD_CREDENTIALS)
    issued = services.issue_token(user)
    db.session.commit()
    return jsonify({"token": issued})


def api_user():
    """The user of this API call."""
    return current_user._get_current_object()
