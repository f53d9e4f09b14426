"""Fixtures: one app and database per test session (SQLite, or PostgreSQL from
DATABASE_URL), emptied after each test; real Redis when a test asks for it."""

from __future__ import annotations

import contextvars
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.core import clock
from app.core.database import set_write_intent
from app.extensions import db
from tests import factories
from tests.seaweed import seaweedfs  # noqa: F401  (the fixture, for TEST_STORAGE=s3)
from tests.timing import patience, slowness

ROOT = Path(__file__).resolve().parent.parent


class IsolatedClient(FlaskClient):
    """A test client whose requests never share the test's app context.

    Flask reuses an active app context for a request, and with it ``g`` (the
    logged-in user, the CSRF token) and the database session. A browser's
    requests share nothing, so each request here runs in an empty context.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def _database_url(tmp: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{tmp / 'test.sqlite3'}"


def _object_storage(request, tmp: Path) -> dict:
    """With TEST_STORAGE=s3, the settings of a bucket of its own on SeaweedFS for the session (also put in the
    environment, for the app's processes the tests start); otherwise none (the local directory)."""
    if os.environ.get("TEST_STORAGE") != "s3":
        return {}
    server = request.getfixturevalue("seaweedfs")
    settings = {"STORAGE_URL": f"s3://theodoi-{uuid.uuid4().hex[:12]}/files", "S3_ENDPOINT_URL": server.endpoint,
                "AWS_ACCESS_KEY_ID": server.access_key, "AWS_SECRET_ACCESS_KEY": server.secret_key,
                "AWS_REGION": "us-east-1", "UPLOAD_TMP_DIR": str(tmp / "upload-tmp")}
    os.environ.update(settings)
    request.addfinalizer(lambda: [os.environ.pop(key, None) for key in settings])
    return settings


def _empty_bucket() -> None:
    """Delete every object (and unfinished multipart upload) of the session's bucket."""
    from app.core import storage

    objects = storage.current_store().objects
    objects.ensure_bucket()  # a test that stored nothing may come first
    client, bucket = objects.client, objects.bucket
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys = [{"Key": entry["Key"]} for entry in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    for upload in client.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])


@pytest.fixture(scope="session")
def app(request):
    """The application on a freshly migrated database."""
    tmp = Path(tempfile.mkdtemp(prefix="theodoi-test-"))
    app = create_app(
        {
            "APP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp),
            "STORAGE_DIR": str(tmp / "evidence"),
            "OUTBOX_DIR": str(tmp / "outbox"),
            "REDIS_URL": None,
            "SMTP_HOST": None,
            "BASE_URL": "http://theodoi.test",
            **_object_storage(request, tmp),
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        _reset_schema()
        upgrade()
    yield app
    shutil.rmtree(tmp, ignore_errors=True)


def _reset_schema() -> None:
    """Start from an empty database whatever an earlier run left."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def _context(app):
    """An app context per test; every row and file is gone afterwards.

    The test's own transactions start deferred (SQLite): a test that reads
    must not hold the write lock while the app under test writes.
    """
    set_write_intent(False)
    with app.app_context():
        yield
        db.session.remove()
        _empty_tables()
        if app.config.get("STORAGE_URL"):
            _empty_bucket()
    clock.freeze(None)
    for key in ("STORAGE_DIR", "OUTBOX_DIR", "UPLOAD_TMP_DIR"):
        if app.config.get("STORAGE_URL") or key != "UPLOAD_TMP_DIR":  # the default one is the instance's own
            shutil.rmtree(app.config[key], ignore_errors=True)


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def client(app):
    """A browser-like test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """The Flask CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def tree():
    """A district with two communes and their users (factories.Tree)."""
    return factories.make_tree()


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token a page carries, as a browser would read it."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def login(client, username: str, password: str = factories.PASSWORD):
    """Log in through the form, as a person would."""
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_token(client)}
    )


def pytest_report_header(config):
    """Say how slow the machine is, since every wait of the suite is stretched by it."""
    return f"machine slowness: {slowness():.1f}x the quiet reference (waits scale with it)"


def free_port() -> int:
    """A TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server():
    """A real redis-server from PATH on a free port, for the whole session."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="theodoi-redis-")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    from redis import Redis

    deadline = time.monotonic() + patience(5)
    while True:
        try:
            Redis.from_url(url).ping()
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(10)
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def redis_url(app, redis_server, monkeypatch):
    """Switch the app to RQ on the real Redis for one test, with empty queues."""
    from redis import Redis

    Redis.from_url(redis_server).flushall()
    monkeypatch.setitem(app.config, "REDIS_URL", redis_server)
    return redis_server
