"""Real RQ workers (``flask --app wsgi worker`` subprocesses) on a real Redis, sending to a real SMTP
server (RELIABILITY 16, 17, 19).

Workers read the real clock, so the directives here are due relative to the
real Vietnamese date: the periodic escalation sweep a worker starts with sees
the same steps as the sweeps the tests run.
"""

from __future__ import annotations

import io
import json
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

from PIL import Image
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry, FinishedJobRegistry
from rq.worker import Worker

from app.core.jobs import QUEUES
from app.extensions import db
from app.tasks.models import Task
from tests.conftest import csrf_token, login
from tests.escalation.conftest import (
    LEASE_SECONDS,
    flask_env,
    flush,
    hold_periodic_jobs,
    iso,
    mails,
    pid_of_client,
    small_district,
    sweep,
    vn_today,
    wait_until,
)
from tests.factories import PASSWORD
from tests.timing import patience

REMINDER = "[Theo dõi chỉ đạo] Nhắc việc: {} nhiệm vụ sắp đến hạn"
LATE = "[Theo dõi chỉ đạo] Quá hạn: {} nhiệm vụ chưa hoàn thành"


def json_line(text: str) -> dict:
    return json.loads([line for line in text.splitlines() if line.startswith("{")][-1])


def idle(redis_url: str, *workers) -> bool:
    """No job queued and none running on these (live) workers, seen twice 0.3 s apart."""
    connection = Redis.from_url(redis_url)

    def now_idle() -> bool:
        if any(Queue(name, connection=connection).count for name in QUEUES):
            return False
        live = {proc.pid for proc in workers if proc.poll() is None}
        registered = [w for w in Worker.all(connection=connection) if w.pid in live]
        return len(registered) == len(live) and all(w.get_current_job_id() is None for w in registered)

    if not now_idle():
        return False
    time.sleep(0.3)
    return now_idle()


def finished(redis_url: str, queue: str) -> list[Job]:
    connection = Redis.from_url(redis_url)
    registry = FinishedJobRegistry(queue, connection=connection)
    return [job for job in Job.fetch_many(registry.get_job_ids(), connection=connection) if job]


def failed_jobs(redis_url: str) -> list[str]:
    connection = Redis.from_url(redis_url)
    out = []
    for name in QUEUES:
        for job in Job.fetch_many(FailedJobRegistry(name, connection=connection).get_job_ids(), connection=connection):
            if job:
                result = job.latest_result()
                error = (result.exc_string or "").strip().splitlines()[-1:] if result else []
                out.append(f"{job.func_name}{job.args}: {error}")
    return out


def all_sent(count: int):
    def check():
        rows = mails()
        return len(rows) == count and all(m.status == "sent" for m in rows)
    return check


def test_two_workers_and_two_sweeps_at_once_send_every_mail_once(app, smtp, redis_url, procs):
    today = vn_today()
    # Two requirements due in three days (a reminder to staff and chair) and one due yesterday
    # (the chair, the Party secretary in Cc, and the office's digest of what is overdue).
    setup = small_district(extra_communes=4, due_dates=(today + timedelta(days=3), today + timedelta(days=3),
                                                        today - timedelta(days=1)))
    env = flask_env(app, smtp=smtp, redis_url=redis_url)
    now = iso(datetime.now(timezone.utc))
    # Burst workers: each ticks the schedule (so each may start the periodic sweep too), then works
    # until the queues are empty; all four processes start at once.
    sweeps = [procs.start(env, "escalation", "sweep", "--at", now) for _ in range(2)]
    workers = [procs.start(env, "worker", "--burst") for _ in range(2)]
    for proc in sweeps + workers:
        assert procs.finish(proc) == 0, procs.output(proc)
    # A worker that ran out of work before a sweep's jobs arrived leaves them queued: the next run takes them.
    last = procs.start(env, "worker", "--burst")
    assert procs.finish(last) == 0, procs.output(last)
    expected = 6 * 3 + 1
    wait_until(all_sent(expected), 10, f"{expected} mails recorded as sent")

    box = smtp.mailbox.delivered()
    assert len(box) == expected
    assert Counter(m.mail_id for m in box).most_common(1)[0][1] == 1  # no mail twice
    got = Counter((m.to, m.subject, tuple(m.cc)) for m in box)
    want = Counter()
    for c in setup.communes:
        want[(c.staff, REMINDER.format(2), ())] += 1
        want[(c.chair, REMINDER.format(2), ())] += 1
        want[(c.chair, LATE.format(1), (c.secretary,))] += 1
    [digest] = [m for m in box if m.to == setup.office]
    want[(setup.office, digest.subject, ())] += 1
    assert got == want
    assert digest.subject.endswith(f"đến ngày {today:%d/%m/%Y}: 6 nhiệm vụ của 6 đơn vị")

    # Every sweep (the two commands and the workers' periodic one) recorded its share; together, each once.
    results = [json_line(procs.output(p)) for p in sweeps]
    results += [job.return_value() for job in finished(redis_url, "periodic")
                if job.func_name == "workers.jobs.escalation_sweep"]
    assert sum(r["reminders"] for r in results) == 12
    assert sum(r["escalations"] for r in results) == 6
    assert sum(r["emails_queued"] for r in results) == expected
    outcomes = Counter(job.return_value() for job in finished(redis_url, "emails"))
    assert outcomes["sent"] == expected and set(outcomes) <= {"sent", "skipped"}
    print(f"\n[two workers, two sweeps] sweeps={results} send_mail jobs={dict(outcomes)} "
          f"failed jobs={failed_jobs(redis_url)} deliveries={len(box)} duplicates=0")


#: Where each of the five kills lands, and what is killed: the whole worker (its group and its work
#: horse) or only the work horse. "data": the server holds the client before answering DATA (the
#: message is not accepted yet). "quit": the server accepted DATA (250) and holds the QUIT that
#: follows: the worker is between the server's acceptance and its commit of 'sent' — the window
#: mailer.py documents, where a crash can duplicate.
KILLS = [("data", "all"), ("quit", "horse"), ("data", "horse"), ("quit", "all"), ("data", "all")]


def test_workers_killed_mid_send_five_times_lose_nothing(app, runner, smtp, redis_url, procs, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_LEASE_SECONDS", LEASE_SECONDS)  # for the flushes run here
    setup = small_district(extra_communes=4, due_dates=(vn_today() + timedelta(days=3),))
    # The workers' own periodic flush would take a killed send back as soon as its lease ran out (that is
    # how production recovers); here the test takes it back itself, round by round, so it holds the schedule.
    # Before, a worker that started in a new minute did it first on a slow machine, and round 3 found no mail.
    hold_periodic_jobs()
    env = flask_env(app, smtp=smtp, redis_url=redis_url)
    box = smtp.mailbox
    box.behave("accept", delay=0.3)  # a slow server: each round's worker outlives the lease of the mail it lost
    worker, victims, killed_at = None, [], 0.0
    # Nothing here writes while a worker is held (the flush runs before a worker can take its mail), so the
    # rounds do not depend on whether a send holds SQLite's write lock (see the slow-SMTP test).
    for round_, (where, how) in enumerate(KILLS):
        if round_ == 0:
            assert sweep(runner)["emails_queued"] == 12  # queued on Redis after the commit
        else:
            if worker is not None:  # only its horse died: the burst worker goes on, and stops when done
                assert procs.finish(worker) == 0, procs.output(worker)
                # It sent the rest; the mail its horse had is still claimed, for the test to take back.
                assert [(m.id, m.status) for m in mails() if m.status != "sent"] == [(victims[-1][2], "sending")]
            time.sleep(max(0.0, killed_at + LEASE_SECONDS + 0.3 - time.monotonic()))
        box.arm(where, 60)
        if round_:
            flush()  # the killed send's lease ran out: the outbox flush takes the mail back and queues it
        worker = procs.start(env, "worker", "--burst")
        wait_until(box.held.is_set, 45, f"kill {round_ + 1}: a worker held at {where}")
        client = pid_of_client(box.held_peer, smtp.port)  # the work horse talking to the server
        if how == "horse":
            procs.kill_horse(worker, client)
        else:
            procs.kill_all(worker, client)
            worker = None
        killed_at = time.monotonic()
        victims.append((where, how, box.held_message.mail_id))
        assert [m.status for m in mails(id=box.held_message.mail_id)] == ["sending"], victims  # left claimed

    # Recovery: after the lease, `flask escalation sweep` (which flushes the outbox) and a fresh worker.
    if worker is not None:
        assert procs.finish(worker) == 0, procs.output(worker)
    time.sleep(max(0.0, killed_at + LEASE_SECONDS + 0.3 - time.monotonic()))
    recovery = procs.start(env, "escalation", "sweep")
    assert procs.finish(recovery) == 0, procs.output(recovery)
    worker = procs.start(env, "worker", "--burst")
    assert procs.finish(worker) == 0, procs.output(worker)
    wait_until(all_sent(12), 10, "every mail recorded as sent")

    rows = {m.id: m for m in mails()}
    copies = Counter(m.mail_id for m in box.delivered())
    lost = sorted(set(rows) - set(copies))
    duplicates = Counter({mail_id: n - 1 for mail_id, n in copies.items() if n > 1})
    after_accept = Counter(mail_id for where, _, mail_id in victims if where == "quit")
    before_accept = [mail_id for where, _, mail_id in victims if where == "data"]
    print(f"\n[5 kills] victims={victims} deliveries={sum(copies.values())} distinct={len(copies)} "
          f"mails={len(rows)} duplicates={sum(duplicates.values())} {dict(duplicates)} lost={lost} "
          f"received-but-unacknowledged={[m.mail_id for m in box.aborted]}")

    assert lost == []  # every notice arrived
    assert set(copies) == set(rows)
    # Duplicates come only from kills after the server accepted DATA and before 'sent' was committed,
    # exactly one per such kill; a kill before the acceptance duplicates nothing.
    assert duplicates == after_accept
    assert sorted(m.mail_id for m in box.aborted) == sorted(before_accept)
    assert Counter(m.mail_id for m in box.interrupted_after_accept) == after_accept
    for mail_id, kills in after_accept.items():
        copies_of = [m for m in box.delivered() if m.mail_id == mail_id]
        assert len(copies_of) == 1 + kills
        assert len({m.message_id for m in copies_of}) == 1  # the same Message-ID: a receiver can drop the copy
    kills_of = Counter(mail_id for _, _, mail_id in victims)
    assert {i: m.attempts for i, m in rows.items()} == {i: 1 + kills_of[i] for i in rows}
    # Who noticed what: each chair and staff got their reminder; a duplicate is the same mail again.
    assert Counter(m.to for m in box.delivered()) == Counter(
        [c.chair for c in setup.communes] + [c.staff for c in setup.communes]
        + [rows[i].to_address for i in duplicates.elements()])


def test_redis_down_pages_and_submissions_work_and_notices_wait(app, client, runner, smtp, own_redis, procs):
    today = vn_today()
    setup = small_district(due_dates=(today + timedelta(days=3), today + timedelta(days=3)))
    xa_a, xa_b = setup.communes
    own_redis.stop()

    # Pages: log in, the inbox with the unit's tasks; the health check says the queue is down.
    assert login(client, "mc.xa-a").status_code == 302
    inbox = client.get("/")
    assert inbox.status_code == 200 and inbox.get_data(as_text=True).count("task-row") == 2
    assert client.get(f"/tasks/{xa_a.tasks[0]}").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json == {"db": "ok", "queue": "down"}
    # A submission through the API, and a photo uploaded as evidence.
    bearer = {"Authorization": "Bearer " + client.post("/api/v1/auth/token", json={
        "username": "mc.xa-a", "password": PASSWORD}).json["token"]}
    submitted = client.post(f"/api/v1/tasks/{xa_a.tasks[0]}/submit", headers=bearer, json={"note": "Đã triển khai"})
    assert submitted.status_code == 200 and submitted.json["state"] == "submitted"
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(photo, "JPEG")
    uploaded = client.post(f"/api/v1/tasks/{xa_a.tasks[1]}/evidence", headers=bearer,
                           content_type="multipart/form-data", data={"file": (io.BytesIO(photo.getvalue()),
                                                                              "Ảnh hội nghị.jpg")})
    assert uploaded.status_code == 201
    # A submission through the page, by another commune.
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    assert login(client, "mc.xa-b").status_code == 302
    form = client.post(f"/tasks/{xa_b.tasks[0]}/work", data={"version": "1", "note": "Đã xong", "action": "submit",
                                                             "csrf_token": csrf_token(client, "/")})
    assert form.status_code == 303
    assert [m.status for m in mails()] == []  # nothing to mail yet, nothing broke
    db.session.rollback()
    assert {db.session.get(Task, xa_a.tasks[0]).state, db.session.get(Task, xa_b.tasks[0]).state} == {"submitted"}

    # The sweep records its notices; the mails wait in the outbox.
    assert sweep(runner) == {"reminders": 2, "escalations": 0, "emails_queued": 4}
    waiting = mails()
    assert [(m.status, m.attempts) for m in waiting] == [("pending", 0)] * 4
    assert smtp.mailbox.delivered() == []

    # Redis is back (empty: whatever it held is gone); a worker runs: every waiting mail goes out, once.
    own_redis.start()
    assert client.get("/healthz").json == {"db": "ok", "queue": "ok"}
    worker = procs.start(flask_env(app, smtp=smtp, redis_url=own_redis.url), "worker", "--burst")
    assert procs.finish(worker) == 0, procs.output(worker)
    box = smtp.mailbox.delivered()
    assert Counter(m.mail_id for m in box) == Counter({m.id: 1 for m in waiting})
    assert Counter((m.to, m.subject) for m in box) == Counter({
        (xa_a.chair, REMINDER.format(1)): 1, (xa_a.staff, REMINDER.format(1)): 1,
        (xa_b.chair, REMINDER.format(1)): 1, (xa_b.staff, REMINDER.format(1)): 1})
    assert {m.status for m in mails()} == {"sent"}
    # Another worker run later sends nothing again.
    again = procs.start(flask_env(app, smtp=smtp, redis_url=own_redis.url), "worker", "--burst")
    assert procs.finish(again) == 0
    assert len(smtp.mailbox.delivered()) == 4


def test_a_worker_outlives_redis_going_away_with_a_job_in_hand(app, runner, smtp, own_redis, procs):
    """RQ leaves its loop when Redis vanishes mid-job; `flask worker` used to exit with it, and no mail went out
    after the outage until someone restarted it (found by `make soak`)."""
    setup = small_district(due_dates=(vn_today() + timedelta(days=3),))
    hold_periodic_jobs()
    assert sweep(runner)["emails_queued"] == 4
    smtp.mailbox.arm("data", 2)
    worker = procs.start(flask_env(app, smtp=smtp, redis_url=own_redis.url), "worker")  # not --burst: for ever
    wait_until(smtp.mailbox.held.is_set, 45, "a worker with a mail in hand")
    own_redis.stop()  # the queued mails go with it (no persistence)
    # Twice: the loop also tries again while Redis is still down (as in a 20 s outage), and must outlive that.
    wait_until(lambda: worker.poll() is not None or procs.output(worker).count("starting it again") >= 2, 60,
               "the worker noticing Redis is gone, and trying again while it is")
    assert worker.poll() is None, "the worker exited with Redis:\n" + procs.output(worker)

    own_redis.start()
    flush()  # the outbox puts the mails Redis lost back on the queue
    wait_until(all_sent(4), 60, "every mail sent by the same worker process")
    assert worker.poll() is None
    assert sorted(m.to for m in smtp.mailbox.delivered()) == sorted(
        [c.chair for c in setup.communes] + [c.staff for c in setup.communes])
    procs.stop(worker)
    assert worker.returncode is not None


def test_a_slow_smtp_server_does_not_hold_up_a_submission(app, client, runner, smtp, redis_url, procs):
    """While a worker waits on a slow SMTP server, a commune's submission answers at once (RELIABILITY 21).

    On SQLite this failed while mailer.send() kept its write transaction (BEGIN IMMEDIATE) open during the
    SMTP conversation: the submission waited as long as the server (30 s against a hung server). The test
    asserts the order of events, not a time: the answer comes while the server still holds the worker."""
    today = vn_today()
    setup = small_district(due_dates=(today + timedelta(days=3), today + timedelta(days=3)))
    xa_a = setup.commune("xa-a")
    token = client.post("/api/v1/auth/token", json={"username": "mc.xa-a", "password": PASSWORD}).json["token"]
    assert sweep(runner)["emails_queued"] == 4
    hold = min(patience(8), 20)  # under the mailer's 30 s SMTP timeout, or the worker gives up and retries later
    smtp.mailbox.arm("data", hold)  # the first mail's DATA waits for the server's answer
    worker = procs.start(flask_env(app, smtp=smtp, redis_url=redis_url), "worker", "--burst")
    wait_until(smtp.mailbox.held.is_set, 45, "a worker waiting on the SMTP server")
    started = time.monotonic()
    response = client.post(f"/api/v1/tasks/{xa_a.tasks[0]}/submit", headers={"Authorization": f"Bearer {token}"},
                           json={"note": "Đã triển khai"})
    elapsed = time.monotonic() - started
    assert response.status_code == 200 and response.json["state"] == "submitted"
    # Answered while the server still held the worker's first mail.
    assert smtp.mailbox.delivered() == [], f"answered after {elapsed:.2f}s, the server held {hold:.0f}s"
    assert procs.finish(worker) == 0
    assert len(smtp.mailbox.delivered()) == 4
    print(f"\n[slow SMTP] a submission took {elapsed:.2f}s while a worker waited {hold:.0f} s on SMTP")
