"""Log-in throttling: failed log-ins counted per (name, address), per address and per name.

Three counters over a sliding window of ``LOGIN_WINDOW_MINUTES``, each refusing with 429 when full:

* a name from one address (``LOGIN_MAX_FAILS_PER_ACCOUNT_ADDRESS``): a guesser is stopped on that account
  while its owner, at another address, still logs in;
* one address, whatever the names (``LOGIN_MAX_FAILS_PER_ADDRESS``): an address trying many names is stopped;
* a name from everywhere (``LOGIN_MAX_FAILS_PER_ACCOUNT``): a high ceiling against guessing spread over many
  addresses; addresses the account logged in from lately are spared it, so its owner keeps working even then.

The address is the one ``audit.client_address`` gives, after ProxyFix has believed ``TRUSTED_PROXIES`` hops.

Why a small counter and not Flask-Limiter: Flask-Limiter counts requests at a route, while only failures count
here, keyed by a name read from a form or a JSON body inside the service that both the page and the API call;
and its ``limits`` storages time their windows with ``time.time()`` and Redis expiries, so a window could not
follow ``app.core.clock`` (nor be tested without waiting 15 minutes). So:

* with ``REDIS_URL``, one sorted set per counter in Redis, scored by the application clock: shared by every
  worker and machine, and a flood of attempts does not query the audit table;
* without it, or while Redis does not answer, the audit log's ``login_failed`` rows, which are written either
  way: a Redis outage falls back to complete counts, never to a 500 and never to no throttle.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import func

from app.auth.models import User
from app.core import clock
from app.core.errors import DomainError
from app.core.models import AuditLog
from app.extensions import db

log = logging.getLogger(__name__)
#: Redis failing: refused, reset, timed out (redis-py wraps most socket errors, not all).
REDIS_ERRORS = (RedisError, OSError)
#: What each full counter tells; the same for unknown names, so nothing tells whether an account exists.
MESSAGES = {
    "pair": "Đăng nhập sai quá nhiều lần với tài khoản này. Vui lòng thử lại sau {} phút.",
    "address": "Có quá nhiều lần đăng nhập sai từ địa chỉ mạng này. Vui lòng thử lại sau {} phút.",
    "account": ("Tài khoản này bị thử sai mật khẩu quá nhiều lần. Vui lòng thử lại sau {} phút, "
                "hoặc đăng nhập từ nơi đã dùng trước đây."),
}
LIMITS = {"pair": "LOGIN_MAX_FAILS_PER_ACCOUNT_ADDRESS", "address": "LOGIN_MAX_FAILS_PER_ADDRESS",
          "account": "LOGIN_MAX_FAILS_PER_ACCOUNT"}


class TooManyAttempts(DomainError):
    """Too many failed log-ins for this account or address."""

    status = 429


@dataclass(frozen=True)
class Counter:
    """One counter of failed log-ins: ``pair`` (name at address), ``address`` or ``account`` (name)."""

    kind: str
    username: str
    address: str

    @property
    def limit(self) -> int:
        """How many failures in the window fill it."""
        return current_app.config[LIMITS[self.kind]]

    @property
    def key(self) -> str:
        """The Redis key; hashed, so names tried (sometimes a mistyped password) are not kept in clear there."""
        digest = hashlib.sha256(f"{self.username}\0{self.address}".encode()).hexdigest()[:32]
        return f"login-fails:{self.kind}:{digest}"

    def conditions(self) -> tuple:
        """The audit rows this counter counts."""
        named = AuditLog.detail["username"].as_string() == self.username
        placed = AuditLog.address == self.address if self.address else AuditLog.address.is_(None)
        return {"pair": (named, placed), "address": (placed,), "account": (named,)}[self.kind]


def counters(username: str, address: str | None) -> tuple[Counter, ...]:
    """The counters an attempt of this name from this address is checked against and adds to."""
    name, place = username[:80], address or ""  # the audit row keeps 80 characters of the name
    return Counter("pair", name, place), Counter("address", "", place), Counter("account", name, "")


def check(username: str, address: str | None) -> None:
    """Raise TooManyAttempts (saying how long to wait) when a counter of this attempt is full."""
    now, window = clock.now(), _window()
    chosen = counters(username, address)
    for counter, newest in zip(chosen, _newest_failures(chosen, now - window)):
        if len(newest) >= counter.limit and not _spared(counter, address):
            _refuse(counter, newest[-1] + window - now)


def record_failure(username: str, address: str | None) -> None:
    """Count a failed log-in in Redis; the audit row the caller writes counts it in the database."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return
    stamp, seconds = clock.now().timestamp(), _window().total_seconds()
    try:
        pipe = _redis(url).pipeline(transaction=False)
        for counter in counters(username, address):
            pipe.zadd(counter.key, {f"{stamp}:{secrets.token_hex(4)}": stamp})
            pipe.zremrangebyscore(counter.key, "-inf", stamp - seconds)
            pipe.expire(counter.key, int(seconds) + 60)  # housekeeping only: the window is read from the scores
        pipe.execute()
    except REDIS_ERRORS:
        log.warning("Redis did not count a failed log-in; the audit log still does", exc_info=True)


def _window() -> timedelta:
    """How far back failures count."""
    return timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])


def _newest_failures(chosen, since: datetime) -> list[list[datetime]]:
    """Per counter, its newest failures since then (at most its limit), newest first."""
    url = current_app.config.get("REDIS_URL")
    if url:
        try:
            return _newest_in_redis(url, chosen, since)
        except REDIS_ERRORS:
            log.warning("Redis does not answer; log-in throttling counts from the audit log", exc_info=True)
    return [_newest_in_database(counter, since) for counter in chosen]


def _newest_in_redis(url: str, chosen, since: datetime) -> list[list[datetime]]:
    """Newest failures per counter from Redis, in one round trip."""
    pipe = _redis(url).pipeline(transaction=False)
    for counter in chosen:
        pipe.zrevrangebyscore(counter.key, "+inf", since.timestamp(), start=0, num=counter.limit, withscores=True)
    return [[datetime.fromtimestamp(score, timezone.utc) for _, score in rows] for rows in pipe.execute()]


def _newest_in_database(counter: Counter, since: datetime) -> list[datetime]:
    """Newest failures of one counter from the audit log."""
    query = (db.select(AuditLog.at).where(AuditLog.action == "login_failed", AuditLog.at >= since,
                                          *counter.conditions())
             .order_by(AuditLog.at.desc()).limit(counter.limit))
    return [clock.as_utc(at) for at in db.session.scalars(query)]


def _spared(counter: Counter, address: str | None) -> bool:
    """An address the account logged in from lately is spared the account's ceiling: its owner, most likely."""
    if counter.kind != "account" or not address:
        return False
    since = clock.now() - timedelta(days=current_app.config["LOGIN_KNOWN_ADDRESS_DAYS"])
    query = (db.select(AuditLog.id).join(User, User.id == AuditLog.user_id)
             .where(AuditLog.action == "login", AuditLog.address == address, AuditLog.at >= since,
                    func.lower(User.username) == counter.username).limit(1))
    return db.session.scalar(query) is not None


def _refuse(counter: Counter, wait: timedelta) -> None:
    """Refuse, telling the whole minutes until the oldest failure that fills the counter leaves the window."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    raise TooManyAttempts(MESSAGES[counter.kind].format(minutes))


@lru_cache(maxsize=8)
def _redis(url: str):
    """A client with short timeouts: a Redis that hangs delays a log-in a second or two, then the database counts."""
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
