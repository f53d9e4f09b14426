"""Signing and verifying run outside any event loop, as in the app's workers, whichever tests ran before."""

from __future__ import annotations

import asyncio

import pytest


@pytest.fixture(autouse=True, scope="module")
def _outside_any_event_loop():
    """Playwright's sync API (the browser tests' session-wide Chromium) leaves its event loop marked as running
    on this thread; pyHanko signs and verifies through asyncio.run, which refuses to start inside a running
    loop. Each module here runs with none (its fixtures too), and the browser's is put back afterwards."""
    running = asyncio.events._get_running_loop()
    asyncio.events._set_running_loop(None)
    yield
    asyncio.events._set_running_loop(running)
