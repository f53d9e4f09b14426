"""Security headers (issue 12.8): a Content-Security-Policy whose nonce only the page's own scripts carry, HSTS in
production, and no production start with a short SECRET_KEY."""

import re

import pytest

from app import ConfigurationError, create_app
from tests.conftest import login


def test_every_inline_script_carries_the_nonce_of_its_response(client, tree):
    login(client, "vanphong")
    for path in ("/", "/directives/new", "/login"):
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy.split("style-src")[0]
        page = response.get_data(as_text=True)
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
        assert all(f'nonce="{nonce}"' in attributes for attributes in inline), (path, inline)
        assert not re.search(r"\son(submit|click|change|load)=", page), path


def test_each_response_has_a_fresh_nonce(client):
    first, second = (client.get("/login").headers["Content-Security-Policy"] for _ in range(2))
    assert first != second


def test_production_sends_hsts_and_refuses_a_short_secret_key():
    app = create_app({"APP_ENV": "production", "SECRET_KEY": "k" * 32})
    assert "max-age=" in app.test_client().get("/healthz").headers["Strict-Transport-Security"]
    with pytest.raises(ConfigurationError, match="shorter than 32 bytes"):
        create_app({"APP_ENV": "production", "SECRET_KEY": "x"})


def test_outside_production_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
