"""The audit trail: one row per security-relevant event, written by the application only."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from app.core.database import writing
from app.core.models import AuditLog
from app.extensions import db


def client_address() -> str | None:
    """The caller's address as the WSGI server saw it (ProxyFix decides trust)."""
    return request.remote_addr if has_request_context() else None


def record(action: str, obj=None, *, user=None, detail: dict | None = None) -> AuditLog:
    """Add an audit row to the current transaction; it commits with the change it records."""
    actor = user if user is not None else _current_user()
    row = AuditLog(
        action=action,
        user_id=getattr(actor, "id", None),
        unit_id=getattr(actor, "unit_id", None),
        object_type=type(obj).__name__.lower() if obj is not None else None,
        object_id=getattr(obj, "id", None),
        address=client_address(),
        detail=detail,
    )
    db.session.add(row)
    return row


def record_now(action: str, obj=None, *, user=None, detail: dict | None = None) -> None:
    """Write an audit row in a transaction of its own (for reads and refusals)."""
    db.session.rollback()
    with writing():
        record(action, obj, user=user, detail=detail)


def _current_user():
    """The logged-in user, or None outside a request or when anonymous."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    return current_user._get_current_object()
