"""Issue 14: in development, without BASE_URL, the links in mail point at the port the app is served on (PORT,
as scripts/serve-dev.sh takes it), so a reminder opened on the same machine reaches the task."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.escalation.test_mail_headers import hand_in_and_return
from tests.tasks.conftest import work  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[2]


def started_with(**env) -> str:
    """The BASE_URL of the app as `flask run` would build it in a fresh process, with this environment."""
    clean = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "PORT", "DATABASE_URL")}
    with tempfile.TemporaryDirectory() as instance:
        clean.update(APP_ENV="development", INSTANCE_DIR=instance, **env)
        out = subprocess.run([sys.executable, "-c",
                              "from app import create_app; print(create_app().config['BASE_URL'])"],
                             cwd=ROOT, env=clean, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("env, base", [
    ({"PORT": "8123"}, "http://localhost:8123"),
    ({}, "http://localhost:5000"),
    ({"PORT": "8123", "BASE_URL": "https://theodoi.tuky.gov.vn"}, "https://theodoi.tuky.gov.vn"),
])
def test_base_url_follows_port_unless_set(env, base):
    assert started_with(**env) == base


def test_a_mail_sent_in_development_links_to_the_port_served(app, work, inline_smtp, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "BASE_URL", started_with(PORT="8123"))
    task_id = hand_in_and_return(app, work)
    delivered = inline_smtp.delivered()
    assert len(delivered) == 2  # the commune's chair and staff
    for message in delivered:
        assert f"http://localhost:8123/tasks/{task_id}" in message.text
