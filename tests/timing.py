"""How long this machine takes, so that the tests' waits scale with it and not with a fast machine's figures.

A wait in a test bounds a failure (a worker that never takes its job), it
never measures speed: a busy 2-core machine must pass where a quiet one does.
Each wait is written as on a quiet machine and stretched by `slowness()`.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Seconds a quiet 2-core machine takes to start a Python that imports the app and its jobs, as workers do.
REFERENCE_SECONDS = 0.6


@functools.cache
def slowness() -> float:
    """How many times slower than the quiet reference this machine is now, at least 1 (TEST_SLOWNESS overrides)."""
    if os.environ.get("TEST_SLOWNESS"):
        return max(1.0, float(os.environ["TEST_SLOWNESS"]))
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "import app, workers.jobs"], cwd=ROOT, check=True)
    return max(1.0, (time.monotonic() - started) / REFERENCE_SECONDS)


def patience(seconds: float) -> float:
    """A wait of `seconds` on the quiet reference machine, on this one now."""
    return seconds * slowness()
