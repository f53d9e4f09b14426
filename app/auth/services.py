"""Log-in, throttling, passwords and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import ApiToken, User, new_alt_id
from app.core import audit, clock
from app.core.errors import DomainError
from app.core.models import AuditLog
from app.extensions import db

#: A hash to check against when the user does not exist, so timing tells nothing.
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")
BAD_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."
MIN_PASSWORD = 8


class TooManyAttempts(DomainError):
    """Too many failed log-ins for this account or address."""

    status = 429


def hash_password(password: str) -> str:
    """An scrypt hash of the password."""
    return generate_password_hash(password, method="scrypt")


def authenticate(username: str, password: str, address: str | None) -> User | None:
    """The user these credentials name, or None; every attempt leaves an audit row.

    Refused with 429 (the same answer for unknown names) when the account or the
    address has failed too often lately.
    """
    username = (username or "").strip().lower()
    _check_throttle(username, address)
    user = db.session.scalar(db.select(User).where(func.lower(User.username) == username))
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if not (user and valid and user.active):
        audit.record("login_failed", user=user, detail={"username": username[:80]})
        return None
    audit.record("login", user=user)
    return user


def _check_throttle(username: str, address: str | None) -> None:
    """Raise TooManyAttempts past the per-account or per-address limit."""
    config = current_app.config
    since = clock.now() - timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
    failures = db.select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "login_failed", AuditLog.at >= since
    )
    per_account = db.session.scalar(failures.where(AuditLog.detail["username"].as_string() == username))
    per_address = db.session.scalar(failures.where(AuditLog.address == address)) if address else 0
    if per_account >= config["LOGIN_MAX_FAILS_PER_ACCOUNT"] or per_address >= config["LOGIN_MAX_FAILS_PER_ADDRESS"]:
        raise TooManyAttempts("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")


def rotate_session(user: User) -> None:
    """Give the user a new alternative id: every existing session cookie stops working."""
    user.alt_id = new_alt_id()


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password after checking the current one."""
    if not check_password_hash(user.password_hash, current or ""):
        raise DomainError("Mật khẩu hiện tại không đúng.")
    set_password(user, new)
    audit.record("password_changed", user, user=user)


def set_password(user: User, new: str) -> None:
    """Set a password (checked for length) and end the user's other sessions and tokens."""
    if len(new or "") < MIN_PASSWORD:
        raise DomainError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")
    user.password_hash = hash_password(new)
    rotate_session(user)
    db.session.execute(db.delete(ApiToken).where(ApiToken.user_id == user.id))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> str:
    """A new API token for the user; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    hours = current_app.config["API_TOKEN_HOURS"]
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), expires_at=clock.now() + timedelta(hours=hours)))
    return token


def user_for_token(token: str) -> User | None:
    """The active user holding this unexpired token, or None."""
    row = db.session.scalar(
        db.select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.expires_at > clock.now())
    )
    if row is None or not row.user.active:
        return None
    return row.user


def purge_expired_tokens() -> int:
    """Delete expired tokens; returns how many."""
    result = db.session.execute(db.delete(ApiToken).where(ApiToken.expires_at <= clock.now()))
    return result.rowcount or 0


def find_user(username: str) -> User | None:
    """A user by name, case-insensitive."""
    return db.session.scalar(db.select(User).where(func.lower(User.username) == username.strip().lower()))


def search_filter(text: str):
    """A condition matching users by name, full name or e-mail."""
    like = f"%{text.strip()}%"
    return or_(User.username.ilike(like), User.full_name.ilike(like), User.email.ilike(like))
