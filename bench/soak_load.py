"""The simulated people of `make soak`: a thread each, thinking between actions, using the pages (a browser:
cookies, CSRF tokens, redirects followed) or the API (a bearer token), one log-in each, their requests
spread over the gunicorn masters.

Commune staff (each task has one person of its commune working on it) open their inbox, open a task, save
its figures (or note, or report text), add a 1-5 MB PDF and hand in: through the task page's form
(/tasks/<id>/work) or through the API (evidence upload, then submit with the figures). The district
office opens the review queue, downloads evidence and checks it, accepts or returns (a return reason with
line breaks, as a textarea sends it), opens boards and downloads the Excel and a Word report; the first
office person publishes a new directive when the driver says so. Every write a client saw accepted goes
into the ledger, which the driver compares with the database at the end.

A refused connection (a master restarting) is retried on the other master and is not an error; a read
whose connection broke is retried; a write whose connection broke is "ambiguous" (the client cannot know
whether it happened): it is not an accepted write, the person reads the task again. A latency is the
time the person waited, retries included.
"""

from __future__ import annotations

import hashlib
import html
import http.client
import itertools
import json
import os
import random
import re
import threading
import time
import unicodedata
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass

FIGURES = ("total", "online_level3", "online_level4", "settled_online")
MIB = 1024 * 1024
_ids = itertools.count(1)
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
_VERSION = re.compile(r'<input[^>]*name="version"[^>]*value="(\d+)"')
_ROUTE_IDS = re.compile(r"/\d+")
_MESSAGE = re.compile(r'class="[^"]*(?:invalid-feedback|alert-danger|alert-warning)[^"]*"[^>]*>\s*([^<]+)')


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, int(round(q / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    port: int = 0  # the master (the "machine") that answered

    def json(self):
        return json.loads(self.body or b"null")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Stats:
    """What every request gave: latency, status; 5xx kept in detail."""

    def __init__(self):
        self.lock = threading.Lock()
        self.phase = "login"        # "login" while people arrive and log in, then "run"
        self.latencies: dict[str, list[float]] = {"login": [], "run": []}
        self.statuses: Counter = Counter()
        self.routes: dict[str, list[float]] = defaultdict(list)
        self.errors_5xx: list[dict] = []
        self.refused = 0            # connection refused (then retried on the other master)
        self.broken_reads = 0       # a read whose connection broke, retried
        self.ambiguous_writes: list[dict] = []  # a write whose connection broke: outcome unknown
        self.unreachable = 0        # gave up: no master answered for a long time
        self.events: Counter = Counter()
        self.refusals: list[dict] = []  # a sample of 4xx answers, to tell the client's faults from the server's
        self.windows: set[str] = set()  # what the driver is doing now (redis_down, master_restart)
        self.windows_seen: dict[str, list] = {}  # window -> [requests, 5xx, latencies]
        self.slowest: list[tuple] = []  # (ms, at, method, path, port, status): the 15 slowest of the run

    def record(self, method: str, path: str, status: int, ms: float, port: int, user: str, body: bytes) -> None:
        route = f"{method} {_ROUTE_IDS.sub('/{id}', path.split('?')[0])}"
        with self.lock:
            self.latencies[self.phase].append(ms)
            for window in self.windows:
                seen = self.windows_seen.setdefault(window, [0, 0, []])
                seen[0] += 1
                seen[1] += status >= 500
                seen[2].append(ms)
            if self.phase == "run" and (len(self.slowest) < 15 or ms > self.slowest[0][0]):
                self.slowest.append((ms, time.time(), method, path.split("?")[0], port, status))
                self.slowest.sort()
                del self.slowest[:-15]
            self.statuses[status] += 1
            self.routes[route].append(ms)
            if 400 <= status < 500 and len(self.refusals) < 40:
                found = _MESSAGE.search(body.decode("utf-8", "replace")) if not body.startswith(b"{") else None
                self.refusals.append({"method": method, "path": path, "status": status,
                                      "said": found.group(1).strip() if found else body[:200].decode("utf-8",
                                                                                                    "replace")})
            if status >= 500:
                self.errors_5xx.append({"at": time.time(), "method": method, "path": path, "status": status,
                                        "port": port, "user": user, "body": body[:300].decode("utf-8", "replace")})

    def open_window(self, name: str) -> None:
        with self.lock:
            self.windows.add(name)
            self.windows_seen.setdefault(name, [0, 0, []])

    def close_window(self, name: str) -> None:
        with self.lock:
            self.windows.discard(name)

    def count(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.events[name] += n

    def snapshot(self, phase: str = "run") -> dict:
        with self.lock:
            values = sorted(self.latencies[phase])
            return {"requests": len(values), "errors_5xx": len(self.errors_5xx), "p50": percentile(values, 50),
                    "p99": percentile(values, 99), "refused": self.refused, "broken_reads": self.broken_reads,
                    "ambiguous": len(self.ambiguous_writes), "events": dict(self.events)}


class Ledger:
    """The writes the clients saw accepted, to find in the database at the end."""

    def __init__(self):
        self.lock = threading.Lock()
        self.history: Counter = Counter()        # (task id, history action) -> accepted writes that add such a row
        self.uploads: dict[tuple[int, str], dict] = {}  # (task id, file name) -> sha256, size, id, confirmed
        self.last_data: dict[int, tuple | None] = {}    # task id -> (field, value) of the last accepted save
        self.publishes: list[tuple[int, int]] = []       # (directive id, tasks created)
        self.checked_downloads = 0
        self.download_mismatches: list[dict] = []

    def accepted(self, task_id: int, *actions: str) -> None:
        with self.lock:
            for action in actions:
                self.history[(task_id, action)] += 1

    def saved(self, task_id: int, value: tuple) -> None:
        with self.lock:
            self.last_data[task_id] = value

    def unknown(self, task_id: int) -> None:
        """A write of unknown outcome on the task: its last value can no longer be told."""
        with self.lock:
            self.last_data[task_id] = None

    def upload(self, task_id: int, filename: str, sha256: str, size: int, confirmed: bool,
               evidence_id: int | None = None, port: int | None = None) -> None:
        """An upload sent; `port`: the master (the "machine") that took it, when it answered."""
        with self.lock:
            self.uploads[(task_id, filename)] = {"sha256": sha256, "size": size, "confirmed": confirmed,
                                                 "id": evidence_id, "port": port}


class Unreachable(Exception):
    """No master answered for a long time."""


class Browser:
    """One person's client: cookies (Secure ones too: TLS ends before gunicorn in production), a CSRF token,
    a bearer token, requests spread over the masters."""

    def __init__(self, name: str, ports: list[int], stats: Stats, rng: random.Random, stop: threading.Event):
        self.name, self.ports, self.stats, self.rng, self.stop = name, ports, stats, rng, stop
        self.cookies: dict[str, str] = {}
        self.csrf: str | None = None
        self.token: str | None = None

    # -- transport ------------------------------------------------------------------------------------
    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None, *,
                write: bool = False, timeout: float = 120, api: bool = False) -> Response | None:
        """Send once, retrying refused connections on the other master; None for a write of unknown outcome."""
        headers = dict(headers or {})
        if api and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        elif self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.setdefault("User-Agent", "theodoi-soak")
        order = self.ports[:]
        self.rng.shuffle(order)
        deadline = time.monotonic() + 120
        attempt, broken = 0, 0
        start = time.perf_counter()  # latency as the person sees it: retries on the other master included
        while True:
            port = order[attempt % len(order)]
            attempt += 1
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            try:
                conn.connect()
            except OSError:  # refused (a master restarting), or no answer: nothing was sent, try the other one
                conn.close()
                with self.stats.lock:
                    self.stats.refused += 1
                if time.monotonic() > deadline:
                    with self.stats.lock:
                        self.stats.unreachable += 1
                    raise Unreachable(path) from None
                if attempt % len(order) == 0:
                    time.sleep(0.25)
                continue
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (http.client.HTTPException, OSError) as exc:
                conn.close()
                if not write and broken < 3:
                    broken += 1
                    with self.stats.lock:
                        self.stats.broken_reads += 1
                    continue
                with self.stats.lock:
                    self.stats.ambiguous_writes.append({"at": time.time(), "method": method, "path": path,
                                                        "port": port, "user": self.name, "error": repr(exc)})
                return None
            finally:
                conn.close()
            ms = (time.perf_counter() - start) * 1000
            self.stats.record(method, path, response.status, ms, port, self.name, data)
            for header in response.headers.get_all("Set-Cookie") or []:
                pair = header.split(";", 1)[0]
                name, _, value = pair.partition("=")
                if value and "expires=thu, 01 jan 1970" not in header.lower():
                    self.cookies[name.strip()] = value.strip()
                else:
                    self.cookies.pop(name.strip(), None)
            result = Response(response.status, response.headers, data, port)
            if not api and b'name="csrf-token"' in data[:16000]:
                found = _CSRF.search(data[:16000].decode("utf-8", "replace"))
                if found:
                    self.csrf = found.group(1)
            return result

    def get(self, path: str, **kw) -> Response | None:
        return self.request("GET", path, **kw)

    def api(self, method: str, path: str, payload=None, write: bool = False) -> Response | None:
        body = json.dumps(payload).encode() if payload is not None else None
        headers = {"Content-Type": "application/json"} if body is not None else {}
        return self.request(method, "/api/v1" + path, body, headers, write=write, api=True)

    def post_form(self, path: str, fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]] = ()
                  ) -> Response | None:
        """A browser's form post: multipart when it carries files (or the form says so)."""
        fields = [("csrf_token", self.csrf or ""), *fields]
        body, content_type = multipart(fields, files)
        return self.request("POST", path, body, {"Content-Type": content_type}, write=True)

    def post_urlencoded(self, path: str, fields: list[tuple[str, str]]) -> Response | None:
        body = urllib.parse.urlencode([("csrf_token", self.csrf or ""), *fields]).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}, write=True)


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]] = ()) -> tuple[bytes, str]:
    """multipart/form-data as a browser sends it (file names in UTF-8)."""
    boundary = f"----soak{os.urandom(12).hex()}"
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                     + str(value).encode() + b"\r\n")
    for name, filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/pdf\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def make_pdf(rng: random.Random, size: int) -> bytes:
    """A PDF of `size` bytes whose body is random (every upload is different)."""
    head = b"%PDF-1.4\n1 0 obj<</Length 0>>stream\n"
    tail = b"\nendstream\nendobj\ntrailer<<>>\n%%EOF\n"
    return head + os.urandom(size - len(head) - len(tail)) + tail


def version_of(page: Response | None) -> str | None:
    found = _VERSION.search(page.text) if page is not None and page.status == 200 else None
    return found.group(1) if found else None


_TASK_LINK = re.compile(r'href="/tasks/(\d+)"')
_EVIDENCE_LINK = re.compile(r'href="/evidence/(\d+)"[^>]*>([^<]*)</a>')


def page_kind(page: Response) -> str | None:
    """The kind of the task's work form on its page, or None when the page offers no work form."""
    text = page.text
    if 'id="work-form"' not in text:
        return None
    if 'name="total"' in text:
        return "figures"
    if 'name="difficulties"' in text:
        return "written_report"
    if 'name="rows-0-quantity"' in text:
        return "inventory"
    return "action"


class World:
    """What the users share: the plan, the stop signal, stats, the ledger, a few switches from the driver."""

    def __init__(self, plan: dict, password: str, ports: list[int], think: tuple[float, float], seconds: float):
        self.plan, self.password, self.ports, self.think, self.seconds = plan, password, ports, think, seconds
        self.kinds: dict[int, str] = {int(k): v for k, v in plan["kinds"].items()}
        self.directives: list[int] = list(plan["directives"])
        self.stop = threading.Event()
        self.go = threading.Event()  # set when everybody has logged in: the clock of the run starts
        self.publisher: OfficeUser | None = None
        self.stats = Stats()
        self.ledger = Ledger()
        self.lock = threading.Lock()
        self.active = 0
        self.logged_in = 0


class User(threading.Thread):
    """One simulated person, using the pages (a browser) or the API (a script of the commune or office)."""

    def __init__(self, world: World, login: str, seed: int, api: bool):
        super().__init__(name=f"user-{login}", daemon=True)
        self.world, self.login, self.delay, self.use_api = world, login, 0.0, api
        self.rng = random.Random(seed)
        self.browser = Browser(login, world.ports, world.stats, self.rng, world.stop)

    def pause(self, scale: float = 1.0) -> bool:
        """Think; False when the run is over."""
        low, high = self.world.think
        return not self.world.stop.wait(self.rng.uniform(low, high) * scale)

    def log_in(self) -> bool:
        b, password = self.browser, self.world.password
        if self.use_api:
            answer = b.api("POST", "/auth/token", {"username": self.login, "password": password})
            if answer is None or answer.status != 200:
                return False
            b.token = answer.json()["token"]
            return True
        page = b.get("/login")
        if page is None or page.status != 200:
            return False
        done = b.post_urlencoded("/login", [("username", self.login), ("password", password)])
        return done is not None and done.status in (302, 303)

    def run(self) -> None:
        if self.world.stop.wait(self.delay):
            return
        with self.world.lock:
            self.world.active += 1
        try:
            while not self.log_in():
                self.world.stats.count("login_failed")
                if not self.pause():
                    return
            with self.world.lock:
                self.world.logged_in += 1
            while not self.world.go.wait(0.5):
                if self.world.stop.is_set():
                    return
            self.pause(0.5)  # not everybody at the same instant
            while not self.world.stop.is_set():
                try:
                    self.cycle()
                except Unreachable:
                    self.world.stats.count("unreachable")
                    self.pause()
        except Exception as exc:  # a bug of the load generator must not pass for a quiet server
            self.world.stats.count(f"client_error:{type(exc).__name__}")
            import traceback

            traceback.print_exc()
        finally:
            with self.world.lock:
                self.world.active -= 1

    def cycle(self) -> None:
        raise NotImplementedError


class CommuneUser(User):
    """Commune staff: inbox, task, save, a 1-5 MB file, hand in (each task has one person working on it)."""

    def __init__(self, world: World, login: str, seed: int, api: bool, rank: int, peers: int):
        super().__init__(world, login, seed, api)
        self.rank, self.peers = rank, peers

    def mine(self, task_id: int) -> bool:
        return task_id % self.peers == self.rank

    # -- one journey ----------------------------------------------------------------------------------
    def cycle(self) -> None:
        if self.use_api:
            self.cycle_api()
        else:
            self.cycle_page()

    def cycle_page(self) -> None:
        b = self.browser
        inbox = b.get("/")
        if inbox is None or inbox.status != 200 or not self.pause(0.5):
            return
        candidates: list[int] = []
        for state in (("returned", "open") if self.rng.random() < 0.6 else ("open", "returned")):
            listing = b.get(f"/?state={state}")
            if listing is not None and listing.status == 200:
                candidates = sorted({int(i) for i in _TASK_LINK.findall(listing.text) if self.mine(int(i))})
            if candidates:
                break
        if not candidates:
            self.world.stats.count("idle_cycles")
            self.pause(2)
            return
        task_id = candidates[0] if self.rng.random() < 0.5 else self.rng.choice(candidates)
        page = b.get(f"/tasks/{task_id}")
        kind = page_kind(page) if page is not None and page.status == 200 else None
        if kind is None:  # handed in meanwhile, or not workable: read it and move on
            self.world.stats.count("not_workable")
            self.pause()
            return
        if not self.pause():
            return
        page = self.save(task_id, kind, version_of(page), submit=False)            # 1. save the figures / text
        if page is None or not self.pause():
            return
        page = self.save(task_id, kind, version_of(page), submit=False, with_file=True)  # 2. a file with it
        if page is None or not self.pause():
            return
        self.save(task_id, kind, version_of(page), submit=True, with_file=self.rng.random() < 0.2)  # 3. hand in
        self.pause()

    def cycle_api(self) -> None:
        b = self.browser
        listing = b.api("GET", "/tasks?per_page=1000")
        if listing is None or listing.status != 200:
            self.pause()
            return
        tasks = [t for t in listing.json() if self.mine(t["id"])]
        workable = [t for t in tasks if t["state"] in ("open", "returned")]
        if not workable:
            self.world.stats.count("idle_cycles")
            self.pause(2)
            return
        returned = [t for t in workable if t["state"] == "returned"]
        task = self.rng.choice(returned) if returned and self.rng.random() < 0.7 else \
            min(workable, key=lambda t: (t["due_on"] or "9999", t["id"]))
        with self.world.lock:
            kind = self.world.kinds.get(task["requirement_id"], "action")
        detail = b.api("GET", f"/tasks/{task['id']}")
        if detail is None or detail.status != 200 or not self.pause():
            return
        self.upload_api(task["id"])
        if not self.pause():
            return
        self.submit_api(task["id"], kind, task.get("due_on"))
        self.pause()

    # -- the steps --------------------------------------------------------------------------------------
    def values(self, kind: str) -> tuple[list[tuple[str, str]], tuple]:
        """Fresh values for the kind's form (each save changes the data) and what to find in the database."""
        n = next(_ids)
        if kind == "figures":
            total = 1000 + n
            figures = {"total": total, "online_level3": total // 4, "online_level4": total // 5,
                       "settled_online": total // 3}
            return [(k, str(v)) for k, v in figures.items()], ("figures", figures)
        if kind == "written_report":
            text = f"Khó khăn số {n}: thiếu máy scan tại Bộ phận Một cửa ({self.login})."
            return [("difficulties", text), ("proposals", f"Đề xuất bổ sung kinh phí {n}.")], ("difficulties", text)
        if kind == "inventory":
            return [("rows-0-device", "scanner"), ("rows-0-quantity", str(n)), ("rows-0-condition", "broken"),
                    ("rows-0-proposal", "buy_new"), ("rows-0-cost", "15000000")], ("inventory", None)
        text = f"Đã tổ chức triển khai, quán triệt lần {n} ({self.login})."
        return [("note", text)], ("note", text)

    def new_file(self) -> tuple[str, bytes, str]:
        n = next(_ids)
        data = make_pdf(self.rng, self.rng.randint(1 * MIB, 5 * MIB))
        name = f"Biên bản kiểm tra {n} {self.login}.pdf" if self.rng.random() < 0.5 else \
            f"minh-chung-{n}-{self.login}.pdf"
        return unicodedata.normalize("NFC", name), data, hashlib.sha256(data).hexdigest()

    def save(self, task_id: int, kind: str, version: str | None, *, submit: bool,
             with_file: bool = False) -> Response | None:
        """POST /tasks/<id>/work as the page does (save, or save and hand in), then follow the redirect."""
        if version is None:
            return None
        b, ledger = self.browser, self.world.ledger
        fields, expected = self.values(kind)
        fields += [("version", version), ("action", "submit" if submit else "save")]
        if submit:
            fields.append(("handin_note", f"Nộp kết quả ({self.login})."))
        files = [self.new_file()] if with_file else []
        answer = b.post_form(f"/tasks/{task_id}/work", fields, [("files", name, data) for name, data, _ in files])
        if answer is None:  # the connection broke: did it happen? the page will tell the user
            ledger.unknown(task_id)
            for name, data, digest in files:
                ledger.upload(task_id, name, digest, len(data), confirmed=False)
            return b.get(f"/tasks/{task_id}")
        if answer.status == 303:
            ledger.accepted(task_id, "saved", *(["submitted"] if submit else []))
            ledger.saved(task_id, expected if expected[1] is not None else None)
            for name, data, digest in files:
                ledger.upload(task_id, name, digest, len(data), confirmed=True, port=answer.port)
            self.world.stats.count("handins_page" if submit else "saves_page")
            self.world.stats.count("uploads_page", len(files))
            return b.get(answer.headers.get("Location") or f"/tasks/{task_id}")
        if answer.status in (409, 422):  # someone was quicker, or the task is no longer open: read it again
            self.world.stats.count(f"refused_{answer.status}")
            return b.get(f"/tasks/{task_id}")
        self.world.stats.count(f"unexpected_{answer.status}")
        return None

    def upload_api(self, task_id: int) -> None:
        name, data, digest = self.new_file()
        body, content_type = multipart([], [("file", name, data)])
        answer = self.browser.request("POST", f"/api/v1/tasks/{task_id}/evidence", body,
                                      {"Content-Type": content_type}, write=True, api=True)
        ledger = self.world.ledger
        if answer is None:
            ledger.upload(task_id, name, digest, len(data), confirmed=False)
        elif answer.status == 201:
            reply = answer.json()
            ledger.upload(task_id, reply["filename"], digest, len(data), confirmed=True, evidence_id=reply["id"],
                          port=answer.port)
            if reply["sha256"] != digest or reply["size"] != len(data):
                with ledger.lock:
                    ledger.download_mismatches.append({"evidence": reply["id"], "where": "upload answer"})
            self.world.stats.count("uploads_api")
        else:
            self.world.stats.count(f"upload_refused_{answer.status}")

    def submit_api(self, task_id: int, kind: str, due_on: str | None) -> None:
        b, ledger = self.browser, self.world.ledger
        detail = b.api("GET", f"/tasks/{task_id}")
        if detail is None or detail.status != 200:
            return
        payload = {"note": f"Nộp qua API ({self.login}).", "version": detail.json()["version"]}
        expected = None
        if kind == "figures":
            fields, expected = self.values(kind)
            payload["figures"] = {k: int(v) for k, v in fields}
            if due_on:  # a one-off report's month, as the page takes it (the API does not work it out)
                payload["figures"]["period"] = due_on[:7]
        answer = b.api("POST", f"/tasks/{task_id}/submit", payload, write=True)
        if answer is None:
            ledger.unknown(task_id)
        elif answer.status == 200:
            ledger.accepted(task_id, *(["saved"] if expected else []), "submitted")
            if expected:
                ledger.saved(task_id, expected)
            self.world.stats.count("handins_api")
        else:
            self.world.stats.count(f"refused_{answer.status}")


class OfficeUser(User):
    """The district office: review queue, evidence, accept or return; boards, Excel, Word; publishing."""

    def __init__(self, world: World, login: str, seed: int, api: bool, publisher: bool):
        super().__init__(world, login, seed, api)
        self.publisher = publisher
        self.cycles = 0

    def cycle(self) -> None:
        self.cycles += 1
        if self.cycles % 3 == 0:
            self.boards()
            if not self.pause():
                return
        if self.use_api:
            self.review_api()
        else:
            self.review_page()
        self.pause()

    def decision(self) -> tuple[bool, str]:
        accept = self.rng.random() < 0.7
        return accept, ("Đã kiểm tra, đạt yêu cầu." if accept else
                        "Đề nghị bổ sung minh chứng:\r\n- biên bản có chữ ký, đóng dấu;\r\n"
                        "- số liệu khớp phần mềm một cửa.")

    def reviewed(self, task_id: int, accept: bool, answer: Response | None, ok: bool) -> None:
        if answer is None:
            self.world.ledger.unknown(task_id)
        elif ok:
            self.world.ledger.accepted(task_id, "accepted" if accept else "returned")
            self.world.stats.count("accepted" if accept else "returned")
        elif answer.status in (409, 422):  # another officer was quicker
            self.world.stats.count(f"review_refused_{answer.status}")
        else:
            self.world.stats.count(f"review_unexpected_{answer.status}")

    def review_page(self) -> None:
        b = self.browser
        queue = b.get("/tasks/review")
        ids = sorted({int(i) for i in _TASK_LINK.findall(queue.text)}) if queue and queue.status == 200 else []
        if not ids:
            self.world.stats.count("office_idle")
            return
        if not self.pause(0.5):
            return
        task_id = self.rng.choice(ids)
        page = b.get(f"/tasks/{task_id}")
        version = version_of(page)
        if version is None or f'action="/tasks/{task_id}/review"' not in page.text:
            return
        files = _EVIDENCE_LINK.findall(page.text)
        if files and self.rng.random() < 0.4:
            evidence_id, name = self.rng.choice(files)
            self.check_download(task_id, int(evidence_id), html.unescape(name).strip(), None, api=False)
        if not self.pause():
            return
        accept, comment = self.decision()
        answer = b.post_urlencoded(f"/tasks/{task_id}/review", [
            ("version", version), ("decision", "accept" if accept else "return"), ("comment", comment)])
        ok = answer is not None and answer.status == 303
        self.reviewed(task_id, accept, answer, ok)
        if ok:
            b.get(answer.headers.get("Location") or f"/tasks/{task_id}")

    def review_api(self) -> None:
        b = self.browser
        listing = b.api("GET", "/tasks?state=submitted&per_page=300")
        if listing is None or listing.status != 200 or not listing.json():
            self.world.stats.count("office_idle")
            return
        task_id = self.rng.choice(listing.json())["id"]
        detail = b.api("GET", f"/tasks/{task_id}")
        if detail is None or detail.status != 200:
            return
        detail = detail.json()
        if detail["evidence"] and self.rng.random() < 0.4:
            item = self.rng.choice(detail["evidence"])
            self.check_download(task_id, item["id"], item["filename"], item["sha256"], api=True)
        if not self.pause():
            return
        accept, comment = self.decision()
        answer = b.api("POST", f"/tasks/{task_id}/review", {"decision": "accept" if accept else "return",
                                                          "comment": comment, "version": detail["version"]},
                       write=True)
        self.reviewed(task_id, accept, answer, answer is not None and answer.status == 200)

    def check_download(self, task_id: int, evidence_id: int, filename: str, listed: str | None, api: bool) -> None:
        """Download a file as the office reads it, and check it against what the commune uploaded."""
        path = f"/api/v1/evidence/{evidence_id}" if api else f"/evidence/{evidence_id}"
        answer = self.browser.request("GET", path, api=api)
        if answer is None or answer.status != 200:
            return
        digest = hashlib.sha256(answer.body).hexdigest()
        ledger = self.world.ledger
        with ledger.lock:
            ledger.checked_downloads += 1
            sent = ledger.uploads.get((task_id, filename))
            if (listed and digest != listed) or (sent and sent["sha256"] != digest):
                ledger.download_mismatches.append({"evidence": evidence_id, "task": task_id, "where": "during run"})
        self.world.stats.count("downloads")

    def boards(self) -> None:
        """A directive's board and figures, the Excel, a Word report: by the pages or by the API."""
        b = self.browser
        with self.world.lock:
            directive = self.rng.choice(self.world.directives)
        if self.use_api:
            b.api("GET", f"/reports/summary?directive={directive}")
        else:
            b.get(f"/reports/directives/{directive}")
        if not self.pause(0.5):
            return
        if self.use_api:
            b.api("GET", f"/reports/summary.xlsx?directive={directive}")
        else:
            b.get(f"/reports/directives/{directive}/board.xlsx")
        if not self.pause(0.5):
            return
        if self.use_api:
            b.api("GET", f"/reports/directive/{directive}.docx" if self.rng.random() < 0.7
                  else f"/directives/{directive}.docx")
        else:
            b.get(f"/reports/directives/{directive}/report.docx" if self.rng.random() < 0.7
                  else f"/directives/{directive}/document.docx")
        self.world.stats.count("boards")

    def publish(self, number: int) -> None:
        """A new directive typed in and published to every commune (through the API; the driver says when)."""
        from datetime import date, timedelta

        from bench.soak_data import KINDS, directive_body

        today = date.fromisoformat(self.world.plan["today"])
        dues = [(kind, today + timedelta(days=(2, 0, 5, 1)[i % 4])) for i, kind in enumerate(KINDS[:3])]
        draft = self.browser.api("POST", "/directives", {
            "number": f"{800 + number}/UBND-VP", "issued_on": today.isoformat(),
            "subject": f"Về việc đôn đốc chuyển đổi số, lần {number}", "body": directive_body(100 + number, dues)},
            write=True)
        if draft is None or draft.status != 201:
            self.world.stats.count("publish_failed")
            return
        draft = draft.json()
        kinds = {r["id"]: r["kind"] for r in draft["requirements"]}
        answer = self.browser.api("POST", f"/directives/{draft['id']}/publish", {"units": "all"}, write=True)
        if answer is not None and answer.status == 200:
            with self.world.lock:
                self.world.kinds.update(kinds)
                self.world.directives.append(draft["id"])
            with self.world.ledger.lock:
                self.world.ledger.publishes.append((draft["id"], answer.json()["tasks_created"]))
            self.world.stats.count("published")
        else:
            self.world.stats.count("publish_failed")


#: Who uses the API rather than the pages: the commune's scripts and the office's integrations.
API_SHARE_COMMUNE = 0.4
API_SHARE_OFFICE = 0.5


def users_for(world: World, ramp: float) -> list[User]:
    """The simulated people of the plan, logging in one after another over `ramp` seconds."""
    people: list[User] = []
    plan = world.plan
    pick = random.Random(11)
    for index, login in enumerate(plan["office"]):
        people.append(OfficeUser(world, login, 1000 + index, api=index == 0 or pick.random() < API_SHARE_OFFICE,
                                 publisher=index == 0))
    world.publisher = people[0]
    for commune in plan["communes"]:
        for rank, login in enumerate(commune["users"]):
            people.append(CommuneUser(world, login, 5000 + len(people), pick.random() < API_SHARE_COMMUNE, rank,
                                      len(commune["users"])))
    order = list(range(len(people)))
    random.Random(7).shuffle(order)
    for position, index in enumerate(order):
        people[index].delay = ramp * position / max(1, len(people))
    return people
