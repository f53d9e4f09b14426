"""Commune isolation (RELIABILITY 1): every route, every method, walked from the URL map.

A route missing from the tables below fails `test_every_route_has_a_case`, so
each new route must say how another commune's object reaches it.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import text

from app.core.errors import MESSAGES
from app.core.limits import MAX_ID
from app.extensions import db
from tests import factories
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD

#: Reachable without logging in.
PUBLIC = {"static", "auth.login", "health.healthz", "api.token", "api.openapi"}

#: Routes that take an object id: how to point them at commune B's object.
def _directive_of_b(tree):
    """A directive published to commune B only, with its task; created once per test."""
    if not hasattr(tree, "directive_b"):
        directive = factories.make_directive(tree.district, source_stored_name="0" * 32, source_filename="cv.pdf")
        requirement = factories.make_requirement(directive)
        tree.task_b = factories.make_task(requirement, tree.commune_b)
        tree.directive_b, tree.requirement_b = directive, requirement
        db.session.commit()
    return tree.directive_b


def _task_of_b(tree):
    """Commune B's task, with a file on disk and a pending request, so every route has its object."""
    _directive_of_b(tree)
    if not hasattr(tree, "evidence_b"):
        from app.core import storage
        from app.evidence.models import Evidence
        from app.tasks.models import TaskRequest

        name, size = storage.save(b"%PDF-1.4\n%%EOF\n", suffix=".pdf")
        tree.evidence_b = Evidence(task_id=tree.task_b.id, filename="Báo cáo.pdf", stored_name=name, size=size,
                                   sha256="0" * 64, content_type="application/pdf")
        tree.request_b = TaskRequest(task_id=tree.task_b.id, kind="extension", reason="Chờ số liệu")
        db.session.add_all([tree.evidence_b, tree.request_b])
        db.session.commit()
    return tree.task_b


def _mail_of_b(tree):
    """A mail to commune B's chair, failed: only the admin may resend it."""
    from app.notices.models import Mail

    if not hasattr(tree, "mail_b"):
        tree.mail_b = Mail(key="test:b", kind="step", recipient_id=tree.users["chair_b"].id,
                           to_address="ct.xa-b@test.example", unit_id=tree.commune_b.id, status="failed")
        db.session.add(tree.mail_b)
        db.session.commit()
    return tree.mail_b


def _calendar_day(tree):
    """A day the admin marked; only the admin's pages may touch it."""
    from datetime import date

    from app.core.models import CalendarDay

    row = db.session.scalar(db.select(CalendarDay)) or CalendarDay(day=date(2022, 5, 3), is_working=False)
    db.session.add(row)
    db.session.commit()
    return row


def _trusted_root(tree):
    """A root certificate the admin trusts; only the admin's pages may touch it."""
    from app.evidence.models import TrustedRoot

    row = db.session.scalar(db.select(TrustedRoot))
    if row is None:
        from datetime import datetime, timezone

        moment = datetime(2022, 1, 1, tzinfo=timezone.utc)
        row = TrustedRoot(subject="CN=CA thử", sha256="a" * 64, der=b"0", not_before=moment, not_after=moment)
        db.session.add(row)
        db.session.commit()
    return row


def _token_of_b(tree):
    """An API token of commune B's staff member."""
    from app.auth import services

    if not hasattr(tree, "token_b"):
        services.issue_token(tree.users["staff_b"], "Phần mềm xã B")
        db.session.commit()
        tree.token_b = services.live_tokens(tree.users["staff_b"])[0]
    return tree.token_b


def _put_partial(upload_id: str, data: bytes) -> None:
    """Keep the first bytes of an upload where the store keeps them: a partial file, or a piece object."""
    import tempfile

    from app.core import storage
    from app.evidence import resumable

    store = storage.current_store()
    if store.is_local:
        (resumable.partial_folder() / upload_id).write_bytes(data)
        return
    with tempfile.NamedTemporaryFile() as piece:
        piece.write(data)
        piece.flush()
        store.objects.upload(f"{resumable.PARTIAL}/{upload_id}/{0:015d}", Path(piece.name))


def _upload_of_b(tree):
    """A resumable upload begun by commune B's staff member on its task, with its first bytes on disk."""
    from app.evidence import resumable

    if not hasattr(tree, "upload_b"):
        tree.upload_b = resumable.create(_task_of_b(tree), tree.users["staff_b"], "Bản quét.pdf", 1000, 10**6)
        tree.upload_b.upload_offset = 5
        db.session.commit()
        _put_partial(tree.upload_b.id, b"%PDF-")
    return tree.upload_b


OBJECT_ROUTES = {
    "auth.revoke_token": lambda tree: {"token_id": _token_of_b(tree).id},
    "api.revoke": lambda tree: {"token_id": _token_of_b(tree).id},
    "admin.edit_user": lambda tree: {"user_id": tree.users["staff_b"].id},
    "admin.reset_password": lambda tree: {"user_id": tree.users["staff_b"].id},
    "admin.toggle_active": lambda tree: {"user_id": tree.users["staff_b"].id},
    "directives.show": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "directives.edit": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "directives.publish": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "directives.add_units": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "directives.close": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "directives.delete": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "directives.source": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "directives.change_deadline": lambda tree: {"directive_id": _directive_of_b(tree).id,
                                                "requirement_id": tree.requirement_b.id},
    "admin.remove_calendar_day": lambda tree: {"day_id": _calendar_day(tree).id},
    "admin.remove_trusted_root": lambda tree: {"root_id": _trusted_root(tree).id},
    "tasks.show": lambda tree: {"task_id": _task_of_b(tree).id},
    "tasks.save_work": lambda tree: {"task_id": _task_of_b(tree).id},
    "tasks.withdraw": lambda tree: {"task_id": _task_of_b(tree).id},
    "tasks.review": lambda tree: {"task_id": _task_of_b(tree).id},
    "tasks.assign": lambda tree: {"task_id": _task_of_b(tree).id},
    "tasks.comment": lambda tree: {"task_id": _task_of_b(tree).id},
    "tasks.make_request": lambda tree: {"task_id": _task_of_b(tree).id},
    "tasks.decide": lambda tree: {"task_id": _task_of_b(tree).id, "request_id": tree.request_b.id},
    "tasks.remove_evidence": lambda tree: {"task_id": _task_of_b(tree).id, "evidence_id": tree.evidence_b.id},
    "evidence.download": lambda tree: {"evidence_id": tree.evidence_b.id},
    "api.get_task": lambda tree: {"task_id": _task_of_b(tree).id},
    "api.upload_evidence": lambda tree: {"task_id": _task_of_b(tree).id},
    "api.download_evidence": lambda tree: {"evidence_id": tree.evidence_b.id},
    "api.submit_task": lambda tree: {"task_id": _task_of_b(tree).id},
    "api.review_task": lambda tree: {"task_id": _task_of_b(tree).id},
    "escalation.directive_policy": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "admin.resend_mail": lambda tree: {"mail_id": _mail_of_b(tree).id},
    "reports.directive_board": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "reports.board_xlsx": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "reports.directive_docx": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "reports.scorecard": lambda tree: {"unit_id": tree.commune_b.id},
    "api.report_directive_docx": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "api.directive_docx": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "directives.follow_up": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "directives.give_guidance": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "api.directive_guidance": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "directives.document": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "api.follow_up": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "api.get_directive": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "api.publish_directive": lambda tree: {"directive_id": _directive_of_b(tree).id},
    "api.create_upload": lambda tree: {"task_id": _task_of_b(tree).id},
    "api.resume_upload": lambda tree: {"task_id": _task_of_b(tree).id, "upload_id": _upload_of_b(tree).id},
    "evidence.create_upload": lambda tree: {"task_id": _task_of_b(tree).id},
    "evidence.resume_upload": lambda tree: {"task_id": _task_of_b(tree).id, "upload_id": _upload_of_b(tree).id},
}

#: Routes without an object id: only the anonymous check applies.
PLAIN_ROUTES = {
    "home.index",
    "units.index",
    "auth.logout",
    "auth.change_password",
    "auth.tokens",
    "auth.revoke_all_tokens",
    "api.tokens",
    "api.revoke_current",
    "admin.users",
    "admin.create_user",
    "admin.import_users",
    "api.units",
    "api.create_directive",
    "api.list_tasks",
    "directives.index",
    "directives.new",
    "admin.calendar",
    "admin.add_calendar_day",
    "tasks.queue",
    "admin.mails",
    "admin.trusted_roots",
    "admin.add_trusted_root",
    "admin.reverify_signatures",
    "escalation.unit_policy",
    "reports.figures",
    "directives.wording",
    "reports.import_page",
    "reports.set_target_page",
    "reports.figures_xlsx",
    "reports.figures_template",
    "reports.compliance_page",
    "reports.compliance_xlsx",
    "api.report_summary",
    "api.report_summary_xlsx",
    "api.import_indicators",
    "api.list_indicators",
    "mergers.merge",
    "api.merge_units",
}

ALL_CASES = PUBLIC | set(OBJECT_ROUTES) | PLAIN_ROUTES


def _rules(app, endpoints):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in endpoints:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def test_every_route_has_a_case(app):
    missing = {rule.endpoint for rule in app.url_map.iter_rules()} - ALL_CASES
    assert not missing, f"routes without an isolation case: {sorted(missing)}"


def snapshot(app) -> tuple:
    """Every row of every table but the audit log, and every stored file with its digest."""
    rows = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name != "audit_log":  # a token's last use, like the audit log, records reads
                columns = ", ".join(c.name for c in table.columns if c.name != "last_used_at")
                rows[table.name] = [tuple(r)
                                    for r in conn.execute(text(f"SELECT {columns} FROM {table.name} ORDER BY 1"))]
    files = {}
    from app.core import storage

    store = storage.current_store()
    if not store.is_local:  # every object, pieces of uploads included
        for name, _, _ in store.objects.listing():
            files[f"s3:{name}"] = hashlib.sha256(store.objects.get(name)["Body"].read()).hexdigest()
    for folder in (app.config["STORAGE_DIR"], app.config["OUTBOX_DIR"]):
        for root, _, names in os.walk(folder):
            for name in names:
                path = os.path.join(root, name)
                files[path] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return rows, files


def _api_token(client, username):
    return client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).json["token"]


def _sibling_district(tree):
    """A second district beside the tree's, with its chair and its office: commune B is not theirs."""
    district = factories.make_unit("huyen-khac", "UBND huyện Khác", "district")
    factories.make_unit("xa-c", "Xã C", "commune", district)
    factories.make_user("chutich.khac", "district_leader", district)
    factories.make_user("vanphong.khac", "district_office", district)
    db.session.commit()


@pytest.mark.parametrize("username", ["mc.xa-a", "ct.xa-a", "bt.xa-a", "chutich.khac", "vanphong.khac"])
def test_a_user_outside_commune_b_gets_404_on_its_objects(app, client, tree, username):
    _sibling_district(tree)
    login(client, username)
    token = csrf_token(client, "/")
    bearer = {"Authorization": f"Bearer {_api_token(client, username)}"}
    _task_of_b(tree)
    _calendar_day(tree)
    _trusted_root(tree)
    _mail_of_b(tree)
    _token_of_b(tree)
    _upload_of_b(tree)
    before = snapshot(app)
    checked = 0
    for rule, method in _rules(app, OBJECT_ROUTES):
        with app.test_request_context():
            url = url_for(rule.endpoint, **OBJECT_ROUTES[rule.endpoint](tree))
        if rule.endpoint.startswith("api."):
            response = client.open(url, method=method, headers=bearer, json={})
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 404, f"{method} {url}: {response.status_code}"
        checked += 1
    assert checked >= len(OBJECT_ROUTES)
    assert snapshot(app) == before


def test_anonymous_users_are_sent_to_log_in(app, client, tree):
    token = csrf_token(client, "/login")
    for rule, method in _rules(app, ALL_CASES - PUBLIC):
        kwargs = OBJECT_ROUTES[rule.endpoint](tree) if rule.endpoint in OBJECT_ROUTES else {}
        with app.test_request_context():
            url = url_for(rule.endpoint, **kwargs)
        response = client.open(url, method=method, data={"csrf_token": token})
        if rule.endpoint.startswith("api."):
            assert response.status_code == 401, f"{method} {url}"
            assert "error" in response.json
        elif method == "GET":
            assert response.status_code == 302 and "/login" in response.location, f"{method} {url}"
        else:
            assert response.status_code == 401, f"{method} {url}"


def test_the_api_ignores_a_browser_session(client, tree):
    """The API is CSRF-exempt, so a session cookie must not authenticate it."""
    login(client, "vanphong")
    assert client.get("/api/v1/units").status_code == 401


def test_district_only_pages_are_refused_to_communes(client, tree):
    login(client, "ct.xa-a")
    assert client.get("/units").status_code == 403


def test_api_units_shows_a_commune_only_itself(client, tree):
    bearer = {"Authorization": f"Bearer {_api_token(client, 'mc.xa-a')}"}
    response = client.get("/api/v1/units", headers=bearer)
    assert [u["slug"] for u in response.json] == ["xa-a"]
    office = {"Authorization": f"Bearer {_api_token(client, 'vanphong')}"}
    slugs = {u["slug"] for u in client.get("/api/v1/units", headers=office).json}
    assert slugs == {"huyen", "xa-a", "xa-b"}


def test_commune_lists_show_nothing_of_another_commune(client, tree):
    _directive_of_b(tree)
    bearer = {"Authorization": f"Bearer {_api_token(client, 'mc.xa-a')}"}
    assert client.get("/api/v1/tasks", headers=bearer).json == []
    assert client.get(f"/api/v1/tasks?unit={tree.commune_b.id}", headers=bearer).json == []
    login(client, "mc.xa-a")
    assert "1/UBND-VP" not in client.get("/directives/").get_data(as_text=True)
    other = client.application.test_client()
    login(other, "mc.xa-b")
    assert "1/UBND-VP" in other.get("/directives/").get_data(as_text=True)


def test_denied_access_leaves_an_audit_row(client, tree):
    from app.core.models import AuditLog

    login(client, "mc.xa-a")
    assert client.get(f"/admin/users/{tree.users['staff_b'].id}").status_code == 404
    db.session.rollback()  # a fresh snapshot: the request wrote after ours began
    row = db.session.scalar(db.select(AuditLog).where(AuditLog.action == "access_denied"))
    assert row.user_id == tree.users["staff_a"].id and row.unit_id == tree.commune_a.id


#: Ids no row can have: past the id columns (int4 on PostgreSQL), past 64 bits, past what Python turns into a number.
OUT_OF_RANGE = (str(MAX_ID + 1), str(2**63), str(10**20), "9" * 5000)


def _with_ids(rule, value: str) -> str:
    """The route's address with every id in it set to `value`, as a client may type it."""
    return re.sub(r"<int:\w+>", value, rule.rule)


@pytest.mark.parametrize("username", [None, "vanphong", "chutich", "mc.xa-a"])
def test_an_id_no_row_can_have_is_a_404_on_every_route(app, client, tree, username):
    headers, data = {}, {}
    if username:
        login(client, username)
        data = {"csrf_token": csrf_token(client, "/")}
        headers = {"Authorization": f"Bearer {_api_token(client, username)}"}
    before = snapshot(app)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for value in OUT_OF_RANGE:
                url = _with_ids(rule, value)
                if rule.endpoint.startswith("api."):
                    response = client.open(url, method=method, headers=headers, json={})
                    assert response.status_code == 404 and response.json == {"error": MESSAGES[404]}, \
                        f"{method} {rule.rule} with {value[:20]}: {response.status_code}"
                else:
                    response = client.open(url, method=method, data=data)
                    assert response.status_code == 404 and MESSAGES[404] in response.get_data(as_text=True), \
                        f"{method} {rule.rule} with {value[:20]}: {response.status_code}"
                checked += 1
            largest = client.open(_with_ids(rule, str(MAX_ID)), method=method, headers=headers, data=data)
            assert largest.status_code < 500, f"{method} {rule.rule} with MAX_ID: {largest.status_code}"
    assert checked >= 3 * len(OBJECT_ROUTES)
    assert snapshot(app) == before
