"""Headers that make the browser refuse what the pages never do: foreign or injected scripts, framing, sniffing."""

from __future__ import annotations

import secrets

from flask import current_app, g

#: Production refuses a shorter SECRET_KEY: sessions and CSRF tokens are signed with it.
MIN_SECRET_BYTES = 32


def csp_nonce() -> str:
    """This response's script nonce: the page's own inline scripts carry it, an injected one cannot."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy() -> str:
    """Scripts only from this site or with this response's nonce; nothing framed, no plug-ins."""
    return ("default-src 'self'; "
            f"script-src 'self' 'nonce-{csp_nonce()}'; "
            "style-src 'self' 'unsafe-inline'; "  # Bootstrap, htmx and Chart.js set style attributes
            "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'")


def add_security_headers(response):
    """Every response's security headers (a view may set a stricter policy of its own first)."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", content_security_policy())
    if current_app.config["APP_ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
