"""`flask escalation sweep --at` a later instant: the mails it queues are due at once (CONTRACT.md), so the next
`flask worker --burst`, which reads the real clock, sends them, from its queue or, if those jobs were lost,
through its outbox flush.

Real CLI, a real Redis, a real `flask worker --burst` subprocess and a real SMTP server.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from redis import Redis

from app.core import clock
from tests.escalation.conftest import flask_env, mails, small_district, sweep, vn_today

REMINDER = "[Theo dõi chỉ đạo] Nhắc việc: 1 nhiệm vụ sắp đến hạn"


@pytest.mark.parametrize("jobs", ["queued", "lost"])
def test_a_sweep_at_a_later_instant_queues_mails_the_next_worker_sends(app, runner, smtp, own_redis, procs, jobs):
    # Due in two months: the workers' own sweep (real clock) finds nothing; the one `--at` three days before does.
    due = vn_today() + timedelta(days=60)
    setup = small_district(due_dates=(due,))
    at = datetime.combine(due - timedelta(days=3), time(8, 0), tzinfo=clock.VN)
    assert sweep(runner, at.isoformat()) == {"reminders": 2, "escalations": 0, "emails_queued": 4}
    queued = mails()
    assert [m.status for m in queued] == ["pending"] * 4 and smtp.mailbox.delivered() == []
    assert all(clock.as_utc(m.next_attempt_at) <= datetime.now(timezone.utc) for m in queued)  # due at once
    if jobs == "lost":
        Redis.from_url(own_redis.url).flushall()  # Redis lost the jobs: only the outbox flush can find the mails

    worker = procs.start(flask_env(app, smtp=smtp, redis_url=own_redis.url), "worker", "--burst")
    assert procs.finish(worker) == 0, procs.output(worker)

    delivered = smtp.mailbox.delivered()
    assert sorted(m.to for m in delivered) == sorted([c.chair for c in setup.communes]
                                                     + [c.staff for c in setup.communes])
    assert {m.subject for m in delivered} == {REMINDER}
    assert {m.status for m in mails()} == {"sent"}
