"""Log-in, throttling, passwords and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth import throttle
from app.auth.models import ApiToken, User, new_alt_id
from app.core import audit, clock
from app.core.database import writing
from app.core.errors import DomainError
from app.core.search import folded_match
from app.extensions import db
from app.units.models import Unit
from app.units.services import upsert_unit

#: A hash to check against when the user does not exist, so timing tells nothing.
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")
BAD_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    """An scrypt hash of the password."""
    return generate_password_hash(password, method="scrypt")


def authenticate(username: str, password: str, address: str | None) -> User | None:
    """The user these credentials name, or None; every attempt leaves an audit row.

    Refused with 429 (the same answer for unknown names) when this name from this
    address, this address, or this name from everywhere has failed too often lately
    (app/auth/throttle.py).
    """
    username = (username or "").strip().lower()
    throttle.check(username, address)
    user = db.session.scalar(db.select(User).where(func.lower(User.username) == username))
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if not (user and valid and user.active):
        audit.record("login_failed", user=user, detail={"username": username[:80]})
        throttle.record_failure(username, address)
        return None
    if demo_refused(user, password):
        audit.record("login_refused_demo", user=user)
        raise DomainError(DEMO_REFUSED, status=403)
    audit.record("login", user=user)
    return user


DEMO_REFUSED = ("Tài khoản mẫu (dữ liệu demo) không dùng được trên máy chủ thật. "
                "Quản trị viên tạo tài khoản bằng lệnh `flask users create-admin` hoặc trang Tài khoản.")


def demo_refused(user: User, password: str) -> bool:
    """In production, a demo account, or any account whose password is the demo one, may not log in.

    The flag catches accounts the seed made; the password catches a development
    database copied into production, made before the flag existed.
    """
    if current_app.config["APP_ENV"] != "production":
        return False
    return user.demo or hmac.compare_digest(password.encode(), current_app.config["DEMO_PASSWORD"].encode())


def rotate_session(user: User) -> None:
    """Give the user a new alternative id: every existing session cookie stops working."""
    user.alt_id = new_alt_id()


def sign_out_everywhere(user: User) -> int:
    """End every session and API token of the user; returns how many live tokens ended."""
    rotate_session(user)
    return revoke_tokens(user)


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
    sign_out_everywhere(user)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


#: A token's label, as long as its column.
LABEL_MAX = 80
#: How stale `last_used_at` may be before a call writes it again: one write a minute, not one per call.
LAST_USE_STEP = timedelta(minutes=1)


def issue_token(user: User, label: str = "") -> str:
    """A new API token for the user; only its digest is stored, and the oldest beyond the cap are ended."""
    token = secrets.token_urlsafe(32)
    hours = current_app.config["API_TOKEN_HOURS"]
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), label=" ".join(label.split()),
                            hint=token[:6], expires_at=clock.now() + timedelta(hours=hours)))
    db.session.flush()
    keep = current_app.config["API_TOKENS_PER_USER"]
    newest = db.select(ApiToken.id).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()).limit(keep)
    db.session.execute(db.delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.id.not_in(newest)))
    return token


def token_for(token: str) -> ApiToken | None:
    """The unexpired token row of an active user for this bearer token, or None; notes its use."""
    row = db.session.scalar(
        db.select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.expires_at > clock.now())
    )
    if row is None or not row.user.active:
        return None
    now = clock.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USE_STEP:
        with writing():
            row.last_used_at = now
    return row


def user_for_token(token: str) -> User | None:
    """The active user holding this unexpired token, or None."""
    row = token_for(token)
    return row.user if row else None


def live_tokens(user: User) -> list[ApiToken]:
    """The user's unexpired tokens, newest first."""
    return list(db.session.scalars(
        db.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at > clock.now())
        .order_by(ApiToken.id.desc())
    ))


def revoke_token(user: User, token_id: int) -> bool:
    """End one of the user's own tokens; False if they hold no such token."""
    result = db.session.execute(db.delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.id == token_id))
    if result.rowcount:
        audit.record("token_revoked", user, user=user)
    return bool(result.rowcount)


def revoke_tokens(user: User) -> int:
    """End every token of the user; returns how many were live."""
    live = len(live_tokens(user))
    db.session.execute(db.delete(ApiToken).where(ApiToken.user_id == user.id))
    return live


def purge_expired_tokens() -> int:
    """Delete expired tokens; returns how many."""
    result = db.session.execute(db.delete(ApiToken).where(ApiToken.expires_at <= clock.now()))
    return result.rowcount or 0


def find_user(username: str) -> User | None:
    """A user by name, case-insensitive."""
    return db.session.scalar(db.select(User).where(func.lower(User.username) == username.strip().lower()))


def search_filter(text: str):
    """A condition matching users by name, full name or e-mail, blind to tone marks and case."""
    return folded_match(User.search_text, text)


def create_admin(username: str, password: str, unit_slug: str | None, unit_name: str | None,
                 email: str | None) -> User:
    """A new administrator of the given unit (or the root one); the unit is made when none exists yet."""
    username = (username or "").strip().lower()
    if not username or db.session.scalar(db.select(User.id).where(func.lower(User.username) == username)):
        raise DomainError(f"Tên đăng nhập “{username}” trống hoặc đã có.")
    if current_app.config["APP_ENV"] == "production" and password == current_app.config["DEMO_PASSWORD"]:
        raise DomainError("Không dùng mật khẩu của dữ liệu mẫu trên máy chủ thật.")
    query = db.select(Unit).where(Unit.slug == unit_slug) if unit_slug else \
        db.select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id)
    unit = db.session.scalars(query.limit(1)).first()
    if unit is None and unit_slug and unit_name:
        unit, _ = upsert_unit(unit_slug, unit_name, "province", None)
    if unit is None:
        raise DomainError("Không có đơn vị này. Khi chưa có đơn vị nào, ghi --unit MÃ --unit-name \"UBND tỉnh …\".")
    user = User(username=username, role="admin", full_name="Quản trị hệ thống", unit=unit, email=email or None,
                password_hash="")
    set_password(user, password)  # the length rule of every password
    db.session.add(user)
    db.session.flush()
    audit.record("admin_created", user)
    return user
