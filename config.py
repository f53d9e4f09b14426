"""Configuration read from the environment, with working defaults (CONTRACT.md)."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))


def _database_url() -> str:
    """DATABASE_URL with the psycopg 3 driver named; SQLite under instance/ by default."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'theodoi.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _base_url() -> str:
    """Where links in mail point: BASE_URL, else the development server on this machine at the port it serves
    (PORT, as scripts/serve-dev.sh takes it; 5000 by default), so a link in a mail opens where the app runs."""
    return os.environ.get("BASE_URL") or f"http://localhost:{os.environ.get('PORT') or '5000'}"


def _flag(name: str) -> bool:
    """An on/off setting: on when the variable says 1, true or yes."""
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


class Config:
    """Settings shared by every environment; each value may come from the environment."""

    APP_ENV = os.environ.get("APP_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url()
    REDIS_URL = os.environ.get("REDIS_URL") or None
    SMTP_HOST = os.environ.get("SMTP_HOST") or None
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
    SMTP_USER = os.environ.get("SMTP_USER") or None
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "theodoi@tuky.example")
    STORAGE_DIR = os.environ.get("STORAGE_DIR", str(INSTANCE_DIR / "evidence"))
    #: Where stored files go (app/core/storage.py): unset or file:///path, a local directory (STORAGE_DIR when
    #: unset); s3://bucket/prefix, an S3-compatible object store reached with the four settings below.
    STORAGE_URL = os.environ.get("STORAGE_URL") or None
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None
    AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID") or None
    AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY") or None
    AWS_REGION = os.environ.get("AWS_REGION") or "us-east-1"
    #: Local disk where uploads bound for an object store are staged (and checked) before they travel.
    UPLOAD_TMP_DIR = os.environ.get("UPLOAD_TMP_DIR", str(INSTANCE_DIR / "tmp"))
    OUTBOX_DIR = os.environ.get("OUTBOX_DIR", str(INSTANCE_DIR / "outbox"))
    #: Set (1) when web machines share no disk: production then refuses local storage (STORAGE_URL unset or file://).
    MULTI_MACHINE = _flag("MULTI_MACHINE")
    MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", "50"))
    #: A resumable upload never completed is deleted, with its bytes, this many hours after it began.
    UPLOAD_EXPIRY_HOURS = int(os.environ.get("UPLOAD_EXPIRY_HOURS", "24"))
    BASE_URL = _base_url()
    #: Rendered pages (the inbox) a process keeps until the database changes (app/core/fragments.py); 0: none.
    FRAGMENT_CACHE_SIZE = int(os.environ.get("FRAGMENT_CACHE_SIZE", "128"))
    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-2022")
    TIMEZONE = "Asia/Ho_Chi_Minh"

    #: Seconds a worker holds a mail it is sending before another may take it (it may have died).
    MAIL_LEASE_SECONDS = int(os.environ.get("MAIL_LEASE_SECONDS", "300"))
    #: API tokens expire after this many hours.
    API_TOKEN_HOURS = int(os.environ.get("API_TOKEN_HOURS", "12"))
    #: Live API tokens a user may hold; a new one beyond this ends the oldest (a script that logs in each run
    #: keeps working, and a leaked password cannot pile up tokens).
    API_TOKENS_PER_USER = int(os.environ.get("API_TOKENS_PER_USER", "10"))
    #: Failed log-ins tolerated in LOGIN_WINDOW_MINUTES (app/auth/throttle.py): of one name from one address;
    #: from one address whatever the names (a commune office behind one NAT shares it, hence generous); and of
    #: one name from everywhere, a high ceiling only a guesser spread over many addresses reaches, which spares
    #: addresses the account logged in from within LOGIN_KNOWN_ADDRESS_DAYS.
    LOGIN_MAX_FAILS_PER_ACCOUNT_ADDRESS = 5
    LOGIN_MAX_FAILS_PER_ADDRESS = 50
    LOGIN_MAX_FAILS_PER_ACCOUNT = 100
    LOGIN_WINDOW_MINUTES = 15
    LOGIN_KNOWN_ADDRESS_DAYS = 30
    #: A folder of root certificates (PEM or DER) trusted for digital signatures, with those uploaded on
    #: /admin/roots; unset: only the uploaded ones. None is trusted by default (issue 19).
    TRUSTED_ROOTS_DIR = os.environ.get("TRUSTED_ROOTS_DIR") or None
    #: Ask the signer's CA (OCSP/CRL) whether a certificate was revoked: off, so verifying never waits on the network.
    SIGNATURE_REVOCATION_CHECK = _flag("SIGNATURE_REVOCATION_CHECK")
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto hops are believed; 0: the peer is the client.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # LIFO: a worker reuses the connection it used last, whose page cache key (app/core/fragments.py) it knows.
    # No ping on every checkout: app/core/database.py tests a connection only once it has been idle.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_use_lifo": True}
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session


class TestConfig(Config):
    """Settings for the test suite: same database kinds, a throwaway instance."""

    APP_ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
