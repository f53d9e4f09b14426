"""The `seaweedfs` fixture: a real S3-compatible server for TEST_STORAGE=s3, the one bench/seaweed.py starts for the
soak and the upload bench too (SeaweedFS on free loopback ports, signed requests only)."""

from __future__ import annotations

import pytest

from bench.seaweed import Seaweed
from tests.timing import patience


@pytest.fixture(scope="session")
def seaweedfs():
    """A SeaweedFS S3 server for the whole test session (started on first use), removed with its files after it."""
    server = Seaweed().start(timeout=patience(30))
    yield server
    server.stop()
