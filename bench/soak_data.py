"""What the soak reads and writes through the app in its own process: the seed, the outbox flush, the checks.

The environment (DATABASE_URL, REDIS_URL, APP_ENV=production, ...) is set by the driver before the app
is imported, so this process sees the same configuration as the gunicorn masters and the workers.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import timedelta

#: Requirement kinds of every seeded directive, in order (the load journeys know how to fill each).
KINDS = ("figures", "action", "written_report", "action", "figures", "written_report", "action", "figures",
         "action", "written_report")
#: Due dates of seeded requirements, in days from today: the sweep finds tasks on every step of the ladder.
DUE_OFFSETS = (3, 0, -1, -3, 10, 25, 2, 30, 7, -5, 1)
TEXTS = {
    "figures": "Báo cáo số liệu tiếp nhận, giải quyết hồ sơ trực tuyến mức độ 3, 4 của đơn vị trong tháng",
    "action": "Tổ chức triển khai, quán triệt nội dung văn bản đến cán bộ, công chức và Nhân dân",
    "written_report": "Báo cáo bằng văn bản kết quả thực hiện, những khó khăn, vướng mắc và đề xuất",
}
#: The share of simulated users who are the district office (reviewing, boards, downloads).
OFFICE_SHARE = 0.15
#: mailer.py's note on a mail it found nothing left to say in (the task was done meanwhile): sent, never mailed.
NOTHING_TO_SAY = "Không còn nội dung để gửi."


def never_mailed(mail: dict) -> bool:
    """A mail the outbox does not expect the SMTP server to receive: shown in the app only, or 'sent' without a
    subject (never written: nothing was left to say when its turn came)."""
    return mail["status"] == "in_app" or (mail["status"] == "sent" and (mail["last_error"] == NOTHING_TO_SAY
                                                                       or not mail["subject"]))

_app = None


def app():
    """The app of this process (built once, from the environment the driver set)."""
    global _app
    if _app is None:
        from app import create_app

        _app = create_app()
        logging.getLogger().setLevel(logging.WARNING)  # the driver's stderr is for progress lines
    return _app


def directive_body(number: int, dues: list) -> str:
    """A directive's text with one numbered requirement per (kind, due date)."""
    lines = [f"Thực hiện chương trình chuyển đổi số năm 2026 (đợt {number}), Chủ tịch UBND huyện yêu cầu "
             "Chủ tịch UBND các xã, thị trấn thực hiện:", ""]
    for index, (kind, due) in enumerate(dues, start=1):
        lines += [f"{index}. {TEXTS[kind]} trước ngày {due:%d/%m/%Y}.", ""]
    lines.append("Yêu cầu Chủ tịch UBND các xã, thị trấn nghiêm túc tổ chức triển khai thực hiện./.")
    return "\n".join(lines)


def seed(users: int, directives: int, password: str) -> dict:
    """Accounts for `users` simulated people (and the chair, secretary and leader the mails go to), and
    `directives` published directives of len(KINDS) requirements for every commune; the plan of the run."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.auth.services import hash_password
    from app.core import clock
    from app.directives import intake
    from app.extensions import db
    from app.tasks import fanout
    from app.units.models import Unit

    with app().app_context():
        district = db.session.scalar(select(Unit).where(Unit.slug == "tu-ky"))
        communes = list(db.session.scalars(select(Unit).where(Unit.parent_id == district.id).order_by(Unit.slug)))
        password_hash = hash_password(password)  # scrypt is slow on purpose: once for everybody

        def account(login: str, role: str, unit, name: str) -> User:
            user = User(username=login, role=role, full_name=name, position=name, unit=unit,
                        email=f"{login}@soak.example", password_hash=password_hash)
            db.session.add(user)
            return user

        office_count = max(2, round(users * OFFICE_SHARE))
        office = [f"vp{i:02d}" for i in range(1, office_count + 1)]
        for login in office:
            account(login, "district_office", district, f"Chuyên viên Văn phòng {login}")
        account("chutich", "district_leader", district, "Chủ tịch UBND huyện")
        plan_communes = [{"id": u.id, "slug": u.slug, "users": []} for u in communes]
        for index in range(users - office_count):
            commune, rank = plan_communes[index % len(communes)], index // len(communes)
            unit = communes[index % len(communes)]
            login = f"ct.{unit.slug}" if rank == 0 else f"mc{rank}.{unit.slug}"
            account(login, "unit_chair" if rank == 0 else "unit_staff", unit, f"Cán bộ {login}")
            commune["users"].append(login)
        for unit in communes:
            account(f"bt.{unit.slug}", "observer", unit, f"Bí thư Đảng ủy {unit.name}")
        db.session.flush()

        issuer = db.session.scalar(select(User).where(User.username == office[0]))
        today = clock.today()
        kinds: dict[int, str] = {}
        directive_ids = []
        for number in range(directives):
            dues = [(kind, today + timedelta(days=DUE_OFFSETS[(number * len(KINDS) + i) % len(DUE_OFFSETS)]))
                    for i, kind in enumerate(KINDS)]
            directive = intake.draft_from_text(district, issuer, {
                "number": f"{300 + number}/UBND-VP", "issued_on": (today - timedelta(days=7)).isoformat(),
                "subject": f"Về việc triển khai chuyển đổi số, đợt {number + 1}",
                "body": directive_body(number + 1, dues)})
            overrides = {}
            for requirement, (kind, due) in zip(directive.requirements, dues):
                requirement.kind = kind  # as the office sets it in the draft form
                overrides[str(requirement.id)] = {"kind": "date", "date": due.isoformat()}
                kinds[requirement.id] = kind
            fanout.publish(directive, issuer, [u.id for u in communes], overrides)
            directive_ids.append(directive.id)
        db.session.commit()  # the 'assigned' mails wait in the outbox for the workers' first flush
        return {"office": office, "communes": plan_communes, "kinds": kinds, "directives": directive_ids,
                "today": today.isoformat()}


def flush_outbox() -> int:
    """The workers' periodic flush, run here: queue every due mail, and those whose worker vanished."""
    from workers.jobs import flush_outbox as flush

    with app().app_context():
        return flush()


def outbox_state() -> Counter:
    """Mails by status."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.notices.models import Mail

    with app().app_context():
        rows = db.session.execute(select(Mail.status, func.count()).group_by(Mail.status)).all()
        db.session.rollback()
        return Counter(dict(rows))


def mails() -> list[dict]:
    """Every mail of the outbox: id, kind, status, attempts, last error."""
    from sqlalchemy import select

    from app.extensions import db
    from app.notices.models import Mail

    with app().app_context():
        rows = db.session.execute(select(Mail.id, Mail.kind, Mail.status, Mail.attempts, Mail.last_error,
                                         Mail.to_address, Mail.subject).order_by(Mail.id)).all()
        db.session.rollback()
        return [dict(row._mapping) for row in rows]


def history_counts() -> dict[tuple[int, str], int]:
    """(task id, action) -> rows of the task history."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.tasks.models import TaskHistory

    with app().app_context():
        rows = db.session.execute(select(TaskHistory.task_id, TaskHistory.action, func.count())
                                  .group_by(TaskHistory.task_id, TaskHistory.action)).all()
        db.session.rollback()
        return {(task_id, action): n for task_id, action, n in rows}


def tasks() -> dict[int, dict]:
    """Task id -> state, data, version, directive."""
    from sqlalchemy import select

    from app.extensions import db
    from app.tasks.models import Task

    with app().app_context():
        rows = db.session.execute(select(Task.id, Task.state, Task.data, Task.version, Task.directive_id)).all()
        db.session.rollback()
        return {row.id: {"state": row.state, "data": row.data or {}, "version": row.version,
                         "directive_id": row.directive_id} for row in rows}


def evidence() -> list[dict]:
    """Every evidence row: id, task, file name, size, SHA-256."""
    from sqlalchemy import select

    from app.evidence.models import Evidence
    from app.extensions import db

    with app().app_context():
        rows = db.session.execute(select(Evidence.id, Evidence.task_id, Evidence.filename, Evidence.size,
                                         Evidence.sha256).order_by(Evidence.id)).all()
        db.session.rollback()
        return [dict(row._mapping) for row in rows]


def tasks_per_directive() -> dict[int, int]:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.tasks.models import Task

    with app().app_context():
        rows = db.session.execute(select(Task.directive_id, func.count()).group_by(Task.directive_id)).all()
        db.session.rollback()
        return dict(rows)


def dispose() -> None:
    """Give the database connections of this process back."""
    if _app is not None:
        from app.extensions import db

        with _app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


def summarize_history(counts: dict[tuple[int, str], int]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for (_, action), n in counts.items():
        totals[action] += n
    return dict(totals)
