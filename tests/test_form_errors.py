"""Bad input to a page form (issue 10): never a redirect, the page again with a 4xx status, the Vietnamese
message beside its field and everything typed kept. Every POST route of the URL map, walked from the map.

A page form missing from CASES fails `test_every_page_form_has_a_case`, so each new form must say which bad
input it gets and what the answer must be.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Callable

import pytest
from flask import url_for
from markupsafe import escape

from app.core import clock, storage
from app.core.models import CalendarDay
from app.evidence.models import Evidence
from app.extensions import db
from app.tasks.models import TaskRequest
from tests import factories
from tests.conftest import csrf_token, login

#: What an answer to bad input may be: the page again, or the error page of an object that is not there.
ERROR_STATUSES = {400, 404, 409, 413, 415, 422}
VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)
ENGLISH = re.compile(r"This field|Not a valid|Invalid|must be|Redirecting|could not", re.I)
#: Form fields whose value is never shown again (passwords) or is not typed (the CSRF token, the version).
NEVER_SHOWN = {"csrf_token", "version", "password", "current", "new", "confirm"}


@dataclass
class World:
    """The test district with a published directive (a task of each kind for commune A, the written report
    submitted with a file, a pending request on the figures), a draft and a marked day."""

    tree: factories.Tree
    published: object
    draft: object
    tasks: dict
    submitted: object
    evidence: object
    request: object

    @property
    def users(self):
        return self.tree.users


def make_world(tree) -> World:
    """The objects every case points at, on 20/05/2022."""
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    published = factories.make_directive(tree.district, number="5/UBND-VP", subject="Chuyển đổi số")
    tasks = {}
    for label, kind in enumerate(("figures", "inventory", "written_report", "action"), start=1):
        requirement = factories.make_requirement(published, f"Yêu cầu {kind}", label=str(label), kind=kind)
        tasks[kind] = factories.make_task(requirement, tree.commune_a, date(2022, 6, 15),
                                          period="2022-05" if kind == "figures" else "")
    submitted = tasks["written_report"]
    submitted.state = "submitted"
    draft = factories.make_directive(tree.district, state="draft", number="6/UBND-VP")
    factories.make_requirement(draft, "Báo cáo kết quả")
    name, size = storage.save(b"%PDF-1.4\n%%EOF\n", suffix=".pdf")
    evidence = Evidence(task_id=submitted.id, filename="Báo cáo.pdf", stored_name=name, size=size,
                        sha256="0" * 64, content_type="application/pdf")
    request = TaskRequest(task_id=tasks["figures"].id, kind="extension", reason="Chờ số liệu",
                          proposed_on=date(2022, 6, 30))
    db.session.add_all([evidence, request, CalendarDay(day=date(2022, 5, 3), is_working=False)])
    db.session.commit()
    return World(tree, published, draft, tasks, submitted, evidence, request)


@dataclass
class Bad:
    """One bad input: who posts it where, and what the answer must show."""

    user: str | None  # a key of Tree.users, or None for nobody logged in
    data: Callable[[World], dict]
    url: Callable[[World], dict] = lambda w: {}
    field: str | None = None  # the message must sit beside this field
    message: str | None = None  # a part of the message
    status: int | None = None  # this status exactly (else one of ERROR_STATUSES)
    unkept: tuple = ()  # typed values that cannot be shown again (a choice that does not exist)
    csrf: bool = True
    files: bool = False


def csv_file(text: str, name: str = "tk.csv"):
    return (io.BytesIO(text.encode()), name)


USERS_CSV = ("username,full_name,email,role,unit,position,password\n"
             "mc3.xa-a,Lê Thị Cúc,cuc@x.example,unit_staff,xa-a,Công chức,mat-khau-moi-9\n"
             "mc3.xa-b,Trần Đức,duc@x.example,unit_staff,xa-khong-co,Công chức,mat-khau-moi-9\n")
FIGURES_CSV = ("unit,period,total,online_level3,online_level4,settled_online\n"
               "xa-a,2022-04,100,abc,5,3\n")


def ladder(**row):
    return {f"steps-0-{name}": value for name, value in row.items()}


def task_of(kind):
    return lambda w: {"task_id": w.tasks[kind].id}


def versioned(task_key):
    """The version of a task as the page showed it."""
    def data(w):
        task = w.submitted if task_key == "submitted" else w.tasks[task_key]
        return {"version": str(task.version)}
    return data


CASES: dict[str, list[Bad]] = {
    # The administrator's pages
    "admin.create_user": [
        Bad("admin", lambda w: {"username": "", "full_name": "Nguyễn Văn Bình", "email": "binh@xa-a.example",
                                "position": "Công chức", "role": "unit_staff", "unit_id": str(w.tree.commune_a.id),
                                "password": "mat-khau-moi-9"}, field="username", status=422),
        Bad("admin", lambda w: {"username": "binh.xa-a", "full_name": "Nguyễn Văn Bình", "role": "district_office",
                                "unit_id": str(w.tree.commune_a.id), "password": "mat-khau-moi-9"},
            field="role", message="không phù hợp", status=422),
        Bad("admin", lambda w: {"username": "binh.xa-a", "full_name": "Nguyễn Văn Bình", "email": "khong-phai-thu",
                                "role": "unit_staff", "unit_id": str(w.tree.commune_a.id), "password": "ngan"},
            field="email", status=422),
    ],
    "admin.import_users": [
        Bad("admin", lambda w: {}, field="file", status=422, files=True),
        Bad("admin", lambda w: {"file": csv_file(USERS_CSV)}, field="file", message="Dòng 3", status=422, files=True),
    ],
    "admin.edit_user": [
        Bad("admin", lambda w: {"unit_id": str(w.tree.commune_b.id), "role": "district_office"},
            url=lambda w: {"user_id": w.users["staff_b"].id}, field="role", message="không phù hợp", status=422),
        Bad("admin", lambda w: {"unit_id": "abc", "role": "unit_staff"},
            url=lambda w: {"user_id": w.users["staff_b"].id}, field="unit_id", status=422, unkept=("abc",)),
    ],
    "admin.reset_password": [
        Bad("admin", lambda w: {"password": ""}, url=lambda w: {"user_id": w.users["staff_b"].id},
            field="password", status=422),
        Bad("admin", lambda w: {"password": "ngan"}, url=lambda w: {"user_id": w.users["staff_b"].id},
            field="password", message="ít nhất 8 ký tự", status=422),
    ],
    "admin.toggle_active": [
        Bad("admin", lambda w: {}, url=lambda w: {"user_id": w.users["admin"].id}, message="tự khoá", status=422),
    ],
    "admin.add_calendar_day": [
        Bad("admin", lambda w: {"day": "31/02/2022", "is_working": "0", "note": "Nghỉ bù"}, field="day", status=422),
        Bad("admin", lambda w: {"day": "abc", "is_working": "1", "note": ""}, field="day", status=422),
        Bad("admin", lambda w: {"day": "", "is_working": "1", "note": "Làm bù"}, field="day", status=422),
    ],
    "admin.remove_calendar_day": [Bad("admin", lambda w: {}, url=lambda w: {"day_id": 999999}, status=404)],
    "admin.add_trusted_root": [
        Bad("admin", lambda w: {}, field="file", status=422, files=True),
        Bad("admin", lambda w: {"file": (io.BytesIO(b"khong phai chung thu"), "goc.cer")}, field="file",
            message="không phải chứng thư số", status=422, files=True),
    ],
    "admin.remove_trusted_root": [Bad("admin", lambda w: {}, url=lambda w: {"root_id": 999999}, status=404)],
    "admin.reverify_signatures": [Bad("admin", lambda w: {}, csrf=False, status=400)],  # its only input is the token
    "admin.resend_mail": [Bad("admin", lambda w: {}, url=lambda w: {"mail_id": 999999}, status=404)],
    "mergers.merge": [
        Bad("admin", lambda w: {"name": "Xã A B", "into": "huyen", "day": "20/05/2022", "parent": "",
                                "units": [str(w.tree.commune_a.id), str(w.tree.commune_b.id)]},
            field="into", message="đã có", status=422),
        Bad("admin", lambda w: {"name": "Xã A B", "into": "xa-a-b", "day": "31/02/2022",
                                "units": [str(w.tree.commune_a.id)]}, field="units", message="ít nhất hai",
            status=422),
        Bad("admin", lambda w: {"name": "Xã A B", "into": "xa-a-b", "day": "31/02/2022",
                                "units": [str(w.tree.commune_a.id), str(w.tree.commune_b.id)]}, field="day",
            status=422),
    ],
    # Logging in and out, one's password
    "auth.login": [
        Bad(None, lambda w: {"username": "mc.xa-a", "password": "sai-mat-khau"}, message="không đúng", status=401),
        Bad(None, lambda w: {"username": "", "password": ""}, field="username", status=422),
    ],
    "auth.logout": [Bad("staff_a", lambda w: {}, csrf=False, status=400)],  # its only input is the token
    "auth.change_password": [
        Bad("staff_a", lambda w: {"current": "sai", "new": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"},
            field="current", message="không đúng", status=422),
        Bad("staff_a", lambda w: {"current": factories.PASSWORD, "new": "mat-khau-moi-1", "confirm": "khac-han"},
            field="confirm", status=422),
    ],
    "auth.tokens": [
        Bad("staff_a", lambda w: {"label": ""}, field="label", status=422),
        Bad("staff_a", lambda w: {"label": "Phần mềm " * 10}, field="label", message="Tối đa 80 ký tự", status=422),
    ],
    "auth.revoke_token": [Bad("staff_a", lambda w: {}, url=lambda w: {"token_id": 999999}, status=404)],
    "auth.revoke_all_tokens": [Bad("staff_a", lambda w: {}, csrf=False, status=400)],  # its only input is the token
    # The office's ladders and figures
    "escalation.unit_policy": [
        Bad("office", lambda w: ladder(step_key="truoc-han", offset="abc", to="chair", email="y"),
            field="steps-0-offset", status=422),
        Bad("office", lambda w: ladder(step_key="x", offset="1"), message="ít nhất một bước", status=422),
    ],
    "escalation.directive_policy": [
        Bad("office", lambda w: ladder(step_key="sau-han", offset="-1.5", to="chair"),
            url=lambda w: {"directive_id": w.published.id}, field="steps-0-offset", status=422),
        Bad("office", lambda w: ladder(step_key="x", offset=""), url=lambda w: {"directive_id": w.published.id},
            message="ít nhất một bước", status=422),
    ],
    "reports.import_page": [
        Bad("office", lambda w: {}, field="file", status=422, files=True),
        Bad("office", lambda w: {"file": csv_file(FIGURES_CSV, "dvc.csv")}, field="file", message="Dòng 2",
            status=422, files=True),
        Bad("office", lambda w: {"file": (io.BytesIO(b"%PDF-1.4"), "dvc.pdf")}, field="file", status=415,
            files=True),
    ],
    "reports.set_target_page": [
        Bad("office", lambda w: {"period": "13/2022", "rate": "-5", "level3": "abc", "level4": ""},
            field="period", status=422),
        Bad("office", lambda w: {"period": "05/2022", "rate": "150"}, field="rate", status=422),
    ],
    # Directives (engineer B's pages)
    "directives.new": [
        Bad("office", lambda w: {"body": "", "number": "7/UBND-VP", "issued_on": "31/02/2022"},
            field="issued_on"),
        Bad("office", lambda w: {"file": (io.BytesIO(b"MZ\x90\x00"), "van-ban.exe"), "subject": "Về việc thử"},
            files=True),
    ],
    "directives.edit": [
        Bad("office", lambda w: {"version": str(w.draft.version), "number": "6/UBND-VP", "issued_on": "31/02/2022",
                                 "requirements-0-requirement_id": str(w.draft.requirements[0].id),
                                 "requirements-0-position": "1", "requirements-0-text": "Báo cáo kết quả",
                                 "requirements-0-kind": "action", "requirements-0-deadline_kind": "date",
                                 "requirements-0-deadline_date": "abc"},
            url=lambda w: {"directive_id": w.draft.id}, field="issued_on"),
    ],
    "directives.publish": [
        Bad("office", lambda w: {"scope": "list"}, url=lambda w: {"directive_id": w.draft.id}, field="unit_ids"),
    ],
    "directives.add_units": [
        Bad("office", lambda w: {}, url=lambda w: {"directive_id": w.published.id}, field="unit_ids"),
        Bad("office", lambda w: {"unit_ids": ["abc"]}, url=lambda w: {"directive_id": w.published.id},
            field="unit_ids", message="Lựa chọn không hợp lệ", status=422, unkept=("abc",)),
        Bad("office", lambda w: {"unit_ids": [str(2**40)]}, url=lambda w: {"directive_id": w.published.id},
            field="unit_ids", message="Đơn vị không hợp lệ", status=422, unkept=(str(2**40),)),
    ],
    "directives.change_deadline": [
        Bad("office", lambda w: {"deadline_kind": "date", "deadline_date": "31/02/2022"},
            url=lambda w: {"directive_id": w.published.id, "requirement_id": w.published.requirements[0].id},
            field="deadline_date"),
        Bad("office", lambda w: {"deadline_kind": "days", "deadline_number": "-3"},
            url=lambda w: {"directive_id": w.published.id, "requirement_id": w.published.requirements[0].id},
            field="deadline_number"),
    ],
    "directives.close": [Bad("office", lambda w: {}, url=lambda w: {"directive_id": w.draft.id}, status=409)],
    "directives.delete": [Bad("office", lambda w: {"confirm": "1"}, url=lambda w: {"directive_id": w.published.id},
                              status=409)],
    "directives.follow_up": [
        Bad("office", lambda w: {"period": "abc", "rule": "overdue"}, url=lambda w: {"directive_id": w.published.id},
            field="period"),
        Bad("office", lambda w: {"period": "05/2022", "rule": "list", "unit_ids": [str(2**40)]},
            url=lambda w: {"directive_id": w.published.id}, field="unit_ids", message="Đơn vị không hợp lệ",
            status=422, unkept=(str(2**40),)),
    ],
    "directives.wording": [Bad("office", lambda w: {"subject": "Tiếp tục {khong_co}"}, field="subject")],
    "directives.give_guidance": [
        Bad("leader", lambda w: {"guidance": "", "reach": "overdue"}, url=lambda w: {"directive_id": w.published.id},
            field="guidance", message="Vui lòng nhập nội dung", status=422),
        Bad("leader", lambda w: {"guidance": "Đề nghị khẩn trương hoàn thành", "reach": "chosen"},
            url=lambda w: {"directive_id": w.published.id}, field="guide_units", message="chọn ít nhất một đơn vị",
            status=422),
        Bad("office", lambda w: {"guidance": "Đề nghị khẩn trương hoàn thành", "reach": "overdue"},
            url=lambda w: {"directive_id": w.published.id}, field="reach", message="không có đơn vị nào",
            status=422),  # nothing is overdue on 20/05
        Bad("leader", lambda w: {"guidance": "Đề nghị báo cáo", "reach": "chosen", "guide_units": [str(2**40)]},
            url=lambda w: {"directive_id": w.published.id}, field="guide_units", message="Đơn vị không hợp lệ",
            status=422, unkept=(str(2**40),)),
    ],
    # Tasks (engineer A's pages)
    "tasks.save_work": [
        Bad("staff_a", lambda w: {**versioned("figures")(w), "total": "-5", "online_level3": "abc",
                                  "online_level4": "1", "settled_online": "1"}, url=task_of("figures"), field="total"),
        Bad("staff_a", lambda w: {**versioned("inventory")(w), "rows-0-device": "pc", "rows-0-quantity": "-2",
                                  "rows-0-condition": "working", "rows-0-proposal": "none", "rows-0-cost": "abc"},
            url=task_of("inventory"), field="rows-0-quantity"),
        Bad("staff_a", lambda w: {**versioned("submitted")(w), "difficulties": "Thiếu máy scan",
                                  "handin_note": "Nộp lần hai", "action": "submit"},
            url=lambda w: {"task_id": w.submitted.id}, status=409),
        Bad("staff_a", lambda w: {**versioned("action")(w), "note": "Đã tuyên truyền", "action": "save",
                                  "files": (io.BytesIO(b"MZ\x90\x00"), "chuong-trinh.exe")},
            url=task_of("action"), field="files", files=True),
    ],
    "tasks.withdraw": [Bad("staff_a", versioned("action"), url=task_of("action"), status=409)],
    "tasks.review": [
        Bad("office", lambda w: {**versioned("submitted")(w), "decision": "return", "comment": ""},
            url=lambda w: {"task_id": w.submitted.id}, field="comment", message="lý do"),
    ],
    "tasks.assign": [
        Bad("chair_a", lambda w: {"assignee_id": str(w.users["staff_b"].id)}, url=task_of("action"),
            field="assignee_id", unkept=("*",)),
    ],
    "tasks.comment": [Bad("staff_a", lambda w: {"body": ""}, url=task_of("action"), field="body")],
    "tasks.make_request": [
        Bad("staff_a", lambda w: {"kind": "extension", "reason": "", "proposed_on": "31/02/2022"},
            url=task_of("action"), field="reason"),
    ],
    "tasks.decide": [
        Bad("office", lambda w: {"decision": "grant", "new_due": "abc", "comment": "Đồng ý"},
            url=lambda w: {"task_id": w.tasks["figures"].id, "request_id": w.request.id}, field="new_due"),
        Bad("office", lambda w: {"decision": "refuse", "new_due": "", "comment": ""},
            url=lambda w: {"task_id": w.tasks["figures"].id, "request_id": w.request.id}, field="comment",
            message="lý do"),
    ],
    # The task page's resumable uploads (tus) answer a plain form post, which is no tus request, with a 400.
    "evidence.create_upload": [Bad("staff_a", lambda w: {}, url=task_of("action"), status=400,
                                   message="Tus-Resumable")],
    "tasks.remove_evidence": [
        Bad("staff_a", versioned("submitted"), url=lambda w: {"task_id": w.submitted.id,
                                                               "evidence_id": w.evidence.id}, status=409),
    ],
}


def _page_forms(app) -> set[str]:
    """Every endpoint that takes a POST from a page (the JSON API answers in JSON and is tested apart)."""
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if "POST" in rule.methods and not rule.rule.startswith("/api/")}


def test_every_page_form_has_a_case(app):
    forms = _page_forms(app)
    assert not forms - set(CASES), f"page forms without a bad-input case: {sorted(forms - set(CASES))}"
    assert not set(CASES) - forms, f"cases of routes that are gone: {sorted(set(CASES) - forms)}"


def _post(client, world: World, endpoint: str, bad: Bad):
    if bad.user:
        login(client, world.users[bad.user].username)
    data = bad.data(world)
    typed = dict(data)
    if bad.csrf:
        data["csrf_token"] = csrf_token(client, "/" if bad.user else "/login")
    with client.application.test_request_context():
        url = url_for(endpoint, **bad.url(world))
    kwargs = {"content_type": "multipart/form-data"} if bad.files else {}
    return client.post(url, data=data, **kwargs), typed


def _messages(html: str) -> list[str]:
    """The text of every error a page shows: beside fields, above forms, or as the error page's message."""
    found = re.findall(r'class="[^"]*\b(?:invalid-feedback|alert-danger|lead)\b[^"]*"[^>]*>([^<]*)', html)
    return [text.strip() for text in found if text.strip()]


def _control(html: str, name: str) -> tuple[str, int] | None:
    """The opening tag of the form control called `name`, and where the control ends."""
    matches = list(re.finditer(rf'<(input|select|textarea)\b[^>]*\bname="{re.escape(name)}"[^>]*>', html))
    if not matches:
        return None
    match = next((m for m in matches if "is-invalid" in m.group(0)), matches[0])  # another form may share the name
    end = match.end()
    if match.group(1) != "input":
        end = html.index(f"</{match.group(1)}>", end)
    return match.group(0), end


@pytest.mark.parametrize("endpoint, index", [(e, i) for e, cases in CASES.items() for i in range(len(cases))],
                         ids=lambda value: str(value))
def test_bad_input_shows_the_form_again(client, tree, endpoint, index):
    bad = CASES[endpoint][index]
    world = make_world(tree)
    response, typed = _post(client, world, endpoint, bad)
    html = response.get_data(as_text=True)
    where = f"{endpoint} #{index}: {response.status_code}"

    assert not 300 <= response.status_code < 400, f"{where}: a redirect answers bad input"
    assert "Location" not in response.headers, f"{where}: a redirect answers bad input"
    if bad.status:
        assert response.status_code == bad.status, where
    else:
        assert response.status_code in ERROR_STATUSES, where
    assert response.mimetype == "text/html" and html.lstrip().lower().startswith("<!doctype html"), where

    messages = _messages(html)
    assert messages, f"{where}: no message on the page"
    for text in messages:
        assert VIETNAMESE.search(text) and not ENGLISH.search(text), f"{where}: not Vietnamese: {text!r}"
    if bad.message:
        assert bad.message in html, f"{where}: {bad.message!r} not on the page; it says {messages}"

    if bad.field:
        control = _control(html, bad.field)
        assert control, f"{where}: the form control {bad.field!r} is not on the page"
        tag, end = control
        assert "is-invalid" in tag, f"{where}: {bad.field!r} is not marked invalid: {tag}"
        assert "invalid-feedback" in html[end:end + 1000], f"{where}: no message beside {bad.field!r}"

    if "*" not in bad.unkept:
        for name, value in typed.items():
            if isinstance(value, str) and value and name not in NEVER_SHOWN and value not in bad.unkept:
                assert str(escape(value)) in html, f"{where}: what was typed in {name!r} ({value!r}) is lost"
