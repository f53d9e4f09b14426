"""A commune's inbox served by gunicorn, against a bare Flask endpoint under the same gunicorn."""

from __future__ import annotations

import http.client
import re
import statistics
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import demo_database, gunicorn, report

REQUESTS = 400
CLIENTS = 8


def log_in(port: int, username: str) -> str:
    """The session cookie of a user logged in through the form."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": username, "password": "demo-2022", "csrf_token": token})
    conn.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    return response.getheader("Set-Cookie").split(";")[0]


def publish_reference(port: int) -> None:
    """The office publishes the seeded directive so the commune has tasks."""
    cookie = log_in(port, "vanphong")
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/directives/1", headers={"Cookie": cookie})
    response = conn.getresponse()
    page = response.read().decode()
    cookie = (response.getheader("Set-Cookie") or cookie).split(";")[0]  # the session now holds the CSRF secret
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"scope": "all", "confirm": "1", "number": "520/UBND-VP", "issued_on": "20/05/2022",
                                   "csrf_token": token})  # the confirmed step, with the registry's number and date
    conn.request("POST", "/directives/1/publish", body,
                 {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    assert response.status == 302, f"publishing failed: {response.status}"


def hammer(port: int, path: str, headers: dict) -> tuple[float, list[float]]:
    """Send REQUESTS GETs from CLIENTS keep-alive connections; total seconds and each latency."""
    per_client = REQUESTS // CLIENTS

    def client(_):
        conn = http.client.HTTPConnection("127.0.0.1", port)
        latencies = []
        for _ in range(per_client):
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            latencies.append(time.perf_counter() - start)
        return latencies

    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        latencies = [lat for batch in pool.map(client, range(CLIENTS)) for lat in batch]
    return time.perf_counter() - start, latencies


def p(latencies: list[float], q: int) -> float:
    return round(1000 * statistics.quantiles(latencies, n=100)[q - 1], 2)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="theodoi-bench-inbox-"))
    env = demo_database(tmp)
    with gunicorn("bench.bare_app:app", {}) as (port, _):
        hammer(port, "/", {})  # warm up
        baseline, base_lat = hammer(port, "/", {})
    with gunicorn("wsgi:app", env) as (port, _):
        publish_reference(port)
        cookie = log_in(port, "mc.tai-son")
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", "/", headers={"Cookie": cookie})
        assert conn.getresponse().read().decode().count("task-row") == 4, "the inbox should list 4 tasks"
        hammer(port, "/", {"Cookie": cookie})
        seconds, latencies = hammer(port, "/", {"Cookie": cookie})
    report("inbox_gunicorn", REQUESTS, seconds, baseline, rps=round(REQUESTS / seconds, 1),
           p50_ms=p(latencies, 50), p95_ms=p(latencies, 95), p99_ms=p(latencies, 99),
           baseline_rps=round(REQUESTS / baseline, 1), baseline_p99_ms=p(base_lat, 99))


if __name__ == "__main__":
    main()
