"""Input at the edge (issue 12, points 5, 6, 10 and 12): what no column can hold, what is not the type a field
wants, a period that is not a month, more items or lines than a directive or an inventory holds. Each is
refused in Vietnamese with a 400, 404 or 422 that names the field or the line, never a 500, never cut short
without a word, and nothing changes."""

from __future__ import annotations

import io
import json
from datetime import date
from types import SimpleNamespace

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.http import parse_options_header

from app.core import clock
from app.directives.models import Directive
from app.extensions import db
from app.indicators.models import MonthlyFigures
from app.tasks.models import Task
from tests import factories
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD
from tests.test_form_errors import _control
from tests.test_isolation import snapshot

HUGE = "1" + "0" * 24  # 25 digits
FIGURES_HEADER = "unit,period,total,online_level3,online_level4,settled_online\n"


def bearer(client, username: str = "vanphong") -> dict:
    token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).json["token"]
    return {"Authorization": f"Bearer {token}"}


def send_json(client, url: str, text: str, headers: dict):
    """A JSON body as a client writes it, byte for byte (a lone surrogate stays an escape)."""
    return client.post(url, data=text, content_type="application/json", headers=headers)


def post_page(client, url: str, data: dict, **kwargs):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/")}, **kwargs)


def fresh(model, row_id):
    db.session.rollback()
    return db.session.get(model, row_id)


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def world(tree):
    """Commune A's tasks of a published directive (figures, inventory, action, and a written report handed in),
    and a draft of the district; today is 10/06/2022."""
    clock.freeze(clock.parse_instant("2022-06-10T09:00:00"))
    directive = factories.make_directive(tree.district, number="9/UBND-VP")
    tasks = {}
    for label, kind in enumerate(("figures", "inventory", "action", "written_report"), start=1):
        requirement = factories.make_requirement(directive, f"Yêu cầu {kind}", label=str(label), kind=kind)
        tasks[kind] = factories.make_task(requirement, tree.commune_a, date(2022, 6, 15),
                                          period="2022-05" if kind == "figures" else "")
    tasks["written_report"].state = "submitted"
    draft = factories.make_directive(tree.district, state="draft", number="10/UBND-VP")
    factories.make_requirement(draft, "Báo cáo kết quả")
    db.session.commit()
    return SimpleNamespace(tree=tree, directive=directive, draft=draft, tasks={k: t.id for k, t in tasks.items()})


# 5. Numbers no column holds

@pytest.mark.parametrize("query", ["/api/v1/tasks?directive=99999999999999999999",
                                   "/api/v1/tasks?unit=9223372036854775808",
                                   "/api/v1/tasks?unit=%C2%B2",
                                   "/api/v1/reports/summary?directive=" + "9" * 5000,
                                   "/api/v1/reports/summary.xlsx?directive=100000000000000000000"])
def test_an_id_parameter_no_row_can_have_is_a_400_in_vietnamese(client, tree, query):
    response = client.get(query, headers=bearer(client))
    assert response.status_code == 400, query
    assert "Tham số" in response.json["error"]


def xlsx_of(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FIGURE_FILES = {
    "25 digits, CSV": (f"{FIGURES_HEADER}xa-a,2022-04,{HUGE},0,0,0\n".encode(), "dvc.csv", "quá lớn"),
    "above the column, CSV": (f"{FIGURES_HEADER}xa-a,2022-04,2147483648,0,0,0\n".encode(), "dvc.csv", "quá lớn"),
    "superscript two, CSV": (f"{FIGURES_HEADER}xa-a,2022-04,100,²,0,0\n".encode(), "dvc.csv", "số nguyên"),
    "25 digits, XLSX": (xlsx_of(FIGURES_HEADER.strip().split(","), ["xa-a", "2022-04", int(HUGE), 0, 0, 0]),
                        "dvc.xlsx", "quá lớn"),
    "superscript two, XLSX": (xlsx_of(FIGURES_HEADER.strip().split(","), ["xa-a", "2022-04", 100, "²", 0, 0]),
                              "dvc.xlsx", "số nguyên"),
}


@pytest.mark.parametrize("case", FIGURE_FILES)
def test_imported_figures_a_column_cannot_hold_are_refused_naming_the_line(app, client, tree, case):
    data, name, reason = FIGURE_FILES[case]
    response = client.post("/api/v1/indicators/import", headers=bearer(client), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), name)})
    assert response.status_code == 422, response.json
    assert "Dòng 2" in response.json["error"] and reason in response.json["error"]
    login(client, "vanphong")
    page = post_page(client, "/reports/figures/import", {"file": (io.BytesIO(data), name)},
                     content_type="multipart/form-data")
    assert page.status_code == 422 and "Dòng 2" in page.get_data(as_text=True)
    assert count(MonthlyFigures) == 0


def figures(**values) -> dict:
    return {"total": "15.000", "online_level3": "1.500", "online_level4": "500", "settled_online": "1.800", **values}


TOO_LARGE = "Số quá lớn: tối đa 2.147.483.647."
BAD_FIGURES = {HUGE: TOO_LARGE, "2.147.483.648": TOO_LARGE, "²": "Vui lòng nhập một số nguyên"}


def test_a_figure_the_column_cannot_hold_is_refused_beside_its_field_and_later_hand_ins_work(app, client, world):
    task_id = world.tasks["figures"]
    login(client, "mc.xa-a")
    before = snapshot(app)
    for value, message in BAD_FIGURES.items():
        refused = post_page(client, f"/tasks/{task_id}/work", {**figures(total=value), "action": "submit",
                                                                 "version": "1"})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422, value
        tag, end = _control(html, "total")
        assert "is-invalid" in tag and message in html[end:end + 1000], value
        assert value in tag  # what was typed is shown again
    assert snapshot(app) == before
    handed = post_page(client, f"/tasks/{task_id}/work", {**figures(), "action": "submit", "version": "1"})
    assert handed.status_code == 303 and fresh(Task, task_id).state == "submitted"
    office = app.test_client()
    login(office, "vanphong")
    accepted = post_page(office, f"/tasks/{task_id}/review", {"decision": "accept",
                                                               "version": fresh(Task, task_id).version})
    assert accepted.status_code == 303 and fresh(Task, task_id).state == "done"
    assert count(MonthlyFigures) == 1


def test_inventory_numbers_are_bounded_beside_their_field(app, client, world):
    login(client, "mc.xa-a")
    before = snapshot(app)
    row = {"rows-0-device": "pc", "rows-0-quantity": "2", "rows-0-condition": "broken", "rows-0-proposal": "buy_new",
           "rows-0-cost": HUGE}
    refused = post_page(client, f"/tasks/{world.tasks['inventory']}/work", {**row, "action": "save", "version": "1"})
    html = refused.get_data(as_text=True)
    tag, end = _control(html, "rows-0-cost")
    assert refused.status_code == 422 and "is-invalid" in tag
    assert "Số quá lớn: tối đa 1.000.000.000.000." in html[end:end + 1000]
    assert snapshot(app) == before


def test_figures_through_the_api_are_bounded_like_the_form(app, client, world):
    auth = bearer(client, "mc.xa-a")
    before = snapshot(app)
    for total, reason in ((10**25, "quá lớn"), (2**31, "quá lớn"), ("²", "số nguyên")):
        body = {"figures": {"total": total, "online_level3": 0, "online_level4": 0, "settled_online": 0}}
        response = client.post(f"/api/v1/tasks/{world.tasks['figures']}/submit", headers=auth, json=body)
        assert response.status_code == 422 and reason in response.json["error"], total
    assert snapshot(app) == before


def _task_calls(world) -> dict:
    """Where each API text field goes: (user, url, field, other fields)."""
    return {
        "note": ("mc.xa-a", f"/api/v1/tasks/{world.tasks['action']}/submit", {}),
        "comment": ("vanphong", f"/api/v1/tasks/{world.tasks['written_report']}/review", {"decision": "return"}),
        "number": ("vanphong", "/api/v1/directives", {"body": "1. Giao các xã rà soát hồ sơ."}),
        "subject": ("vanphong", "/api/v1/directives", {"body": "1. Giao các xã rà soát hồ sơ."}),
        "body": ("vanphong", "/api/v1/directives", {}),
    }


NOT_TEXT = [("note", 5), ("note", {"a": 1}), ("note", "\ud800"), ("note", "a\x00b"), ("note", "x" * 5001),
            ("comment", 7), ("comment", ["Sai"]), ("comment", "\udfff"), ("comment", "x" * 5001),
            ("number", 123), ("number", "\ud800"), ("number", "1/" + "X" * 500),
            ("subject", ["Về việc"]), ("subject", "\ud800"), ("subject", "Về việc " * 300),
            ("body", 1), ("body", "1. Giao các xã \ud800")]


@pytest.mark.parametrize("field, value", NOT_TEXT, ids=lambda v: repr(v)[:20])
def test_a_text_field_that_is_not_text_a_column_holds_is_a_422_naming_it(app, client, world, field, value):
    user, url, others = _task_calls(world)[field]
    auth = bearer(client, user)
    before = snapshot(app)
    response = send_json(client, url, json.dumps({**others, field: value}), auth)
    assert response.status_code == 422, response.json
    assert f'"{field}"' in response.json["error"]
    assert snapshot(app) == before


@pytest.mark.parametrize("body, field", [('{"version": Infinity}', "version"), ('{"version": NaN}', "version"),
                                         ('{"figures": {"total": -Infinity}}', "figures")])
def test_a_number_that_is_none_is_a_422_naming_its_field(app, client, world, body, field):
    auth = bearer(client, "mc.xa-a")
    before = snapshot(app)
    response = send_json(client, f"/api/v1/tasks/{world.tasks['figures']}/submit", body, auth)
    assert response.status_code == 422 and f'"{field}"' in response.json["error"]
    assert snapshot(app) == before


def test_a_surrogate_in_a_field_name_is_refused_too(client, world):
    response = send_json(client, "/api/v1/directives", '{"body": "1. Giao.", "\\ud800": 1}', bearer(client))
    assert response.status_code == 422 and "Trường" in response.json["error"]


def edit_form(draft) -> dict:
    """The draft form with its one requirement row, as the page posts it."""
    fields = {"requirement_id": str(draft.requirements[0].id), "position": "1", "text": "Báo cáo kết quả",
              "kind": "action", "deadline_kind": "none", "deadline_from": "issue", "lead_unit_id": "0"}
    return {"version": str(draft.version), "number": draft.number,
            **{f"requirements-0-{name}": value for name, value in fields.items()}}


def test_an_unknown_lead_unit_is_refused_and_nothing_changes(app, client, world):
    elsewhere = factories.make_unit("huyen-khac", "UBND huyện Khác", "district").id  # another district's unit
    form = edit_form(world.draft)
    db.session.commit()
    login(client, "vanphong")
    before = snapshot(app)
    url = f"/directives/{world.draft.id}/edit"
    for lead in ("999999", str(elsewhere)):
        refused = post_page(client, url, {**form, "requirements-0-lead_unit_id": lead})
        assert refused.status_code == 422 and f"không tìm thấy đơn vị mã {lead}" in refused.get_data(as_text=True)
    huge = post_page(client, url, {**form, "requirements-0-lead_unit_id": str(10**20),
                                   "requirements-0-cooperating_unit_ids": str(10**20)})
    html = huge.get_data(as_text=True)
    assert huge.status_code == 422 and "Đơn vị không hợp lệ" in html
    assert "is-invalid" in _control(html, "requirements-0-lead_unit_id")[0]
    assert snapshot(app) == before
    chosen = post_page(client, url, {**form, "requirements-0-lead_unit_id": str(world.tree.commune_a.id)})
    assert chosen.status_code == 302
    assert fresh(Directive, world.draft.id).requirements[0].lead_unit_id == world.tree.commune_a.id


def test_unit_ids_no_row_can_have_are_refused_by_the_api(app, client, world):
    auth = bearer(client)
    before = snapshot(app)
    for units in ([10**20], [2**63], "group:²", f"group:{10**20}", [True]):
        response = client.post(f"/api/v1/directives/{world.draft.id}/publish", headers=auth, json={"units": units})
        assert response.status_code == 422 and response.json["error"], units
    follow = client.post(f"/api/v1/directives/{world.directive.id}/follow-up", headers=auth,
                         json={"period": "2022-05", "name": [10**20]})
    assert follow.status_code == 422 and '"name"' in follow.json["error"]
    assert snapshot(app) == before


def test_page_forms_refuse_unit_ids_no_row_can_have(app, client, world):
    login(client, "vanphong")
    before = snapshot(app)
    publish = post_page(client, f"/directives/{world.draft.id}/publish", {"scope": "list", "unit_ids": str(10**20)})
    follow = post_page(client, f"/directives/{world.directive.id}/follow-up",
                       {"period": "05/2022", "rule": "list", "unit_ids": str(10**20)})
    added = post_page(client, f"/directives/{world.directive.id}/units", {"unit_ids": str(10**20)})
    assert publish.status_code == 422 and "mã đơn vị không hợp lệ" in publish.get_data(as_text=True)
    assert follow.status_code == 422 and "Đơn vị không hợp lệ." in follow.get_data(as_text=True)
    assert added.status_code == 422 and "Đơn vị không hợp lệ." in added.get_data(as_text=True)
    chair = app.test_client()
    login(chair, "ct.xa-a")
    assigned = post_page(chair, f"/tasks/{world.tasks['action']}/assign", {"assignee_id": str(10**20)})
    assert assigned.status_code == 400
    assert snapshot(app) == before


# 6. Downloads: the period is a month, the file's name one parameter

@pytest.mark.parametrize("period", ["x\"; filename*=UTF-8''evil.html", "2022-05\r\nX-Evil: 1", "2022-05\n",
                                    "tháng 5", "2022-13", "2022-5"])
def test_a_period_that_is_not_a_month_is_a_400_in_vietnamese(client, tree, period):
    login(client, "vanphong")
    for url in ("/reports/figures.xlsx", "/reports/figures"):
        response = client.get(url, query_string={"period": period})
        assert response.status_code == 400, (url, period)
        assert "YYYY-MM" in response.get_data(as_text=True)
        assert "Content-Disposition" not in response.headers and "X-Evil" not in response.headers


def test_every_download_names_its_file_in_one_parameter(client, world):
    from app.core import storage

    directive = fresh(Directive, world.directive.id)
    hostile = "x\"; filename*=UTF-8''evil.html"
    directive.source_filename = hostile  # the name of an uploaded original is the uploader's to choose
    directive.source_stored_name, _ = storage.save(b"%PDF-1.4\n%%EOF\n", suffix=".pdf")
    db.session.commit()
    login(client, "vanphong")
    auth = bearer(client)
    downloads = {"/reports/figures.xlsx?period=2022-05": "so-lieu-2022-05.xlsx",
                 "/reports/compliance.xlsx": "bao-cao-dinh-ky.xlsx",
                 f"/reports/directives/{directive.id}/board.xlsx": f"bang-theo-doi-{directive.id}.xlsx",
                 f"/reports/directives/{directive.id}/report.docx": f"bao-cao-{directive.id}.docx",
                 f"/directives/{directive.id}/document.docx": f"van-ban-{directive.id}.docx",
                 f"/directives/{directive.id}/source": hostile,
                 "/api/v1/reports/summary.xlsx": "tong-hop.xlsx",
                 f"/api/v1/reports/directive/{directive.id}.docx": f"bao-cao-{directive.id}.docx",
                 f"/api/v1/directives/{directive.id}.docx": f"van-ban-{directive.id}.docx"}
    for url, name in downloads.items():
        response = client.get(url, headers=auth if url.startswith("/api/") else {})
        assert response.status_code == 200, url
        assert parse_options_header(response.headers["Content-Disposition"]) == ("attachment", {"filename": name}), url


def test_the_figures_workbook_of_this_month_when_none_is_asked(client, tree):
    login(client, "vanphong")
    response = client.get("/reports/figures.xlsx")
    month = clock.today().strftime("%Y-%m")
    assert response.status_code == 200
    assert parse_options_header(response.headers["Content-Disposition"])[1] == {"filename": f"so-lieu-{month}.xlsx"}


# 10. Nothing cut short without a word

def items(count: int) -> str:
    return "\n".join(f"{i}. Giao UBND các xã thực hiện nội dung số {i}." for i in range(1, count + 1))


def test_items_past_99_are_requirements_of_their_own(client, tree):
    response = client.post("/api/v1/directives", headers=bearer(client), json={"body": items(150)})
    assert response.status_code == 201
    requirements = response.json["requirements"]
    assert [r["label"] for r in requirements] == [str(i) for i in range(1, 151)]
    assert requirements[-1]["text"] == "Giao UBND các xã thực hiện nội dung số 150."


def test_a_directive_with_more_requirements_than_it_holds_is_refused_not_cut(app, client, tree):
    auth = bearer(client)
    login(client, "vanphong")
    before = snapshot(app)
    api = client.post("/api/v1/directives", headers=auth, json={"body": items(301)})
    assert api.status_code == 422 and "Văn bản có 301 yêu cầu; tối đa 300" in api.json["error"]
    many = client.post("/api/v1/directives", headers=auth, json={"body": items(3000)})
    assert many.status_code == 422 and "tối đa 300" in many.json["error"]
    page = post_page(client, "/directives/new", {"body": items(3000)})
    html = page.get_data(as_text=True)
    tag, end = _control(html, "body")
    assert page.status_code == 422 and "tối đa 300" in html[end:end + 1000]
    assert snapshot(app) == before


def test_a_number_or_subject_longer_than_its_column_is_refused_beside_its_field(app, client, world):
    long_number, long_subject = "1/" + "X" * 498, "Về việc " * 300
    login(client, "vanphong")
    before = snapshot(app)
    for field, value, message in (("number", long_number, "Dài quá 80 ký tự"),
                                  ("subject", long_subject, "Dài quá 2000 ký tự")):
        new = post_page(client, "/directives/new", {"body": items(2), field: value})
        edit = post_page(client, f"/directives/{world.draft.id}/edit", {**edit_form(world.draft), field: value})
        for response in (new, edit):
            html = response.get_data(as_text=True)
            tag, end = _control(html, field)
            assert response.status_code == 422 and "is-invalid" in tag and message in html[end:end + 1000], field
    published = fresh(Directive, world.directive.id)
    registered = post_page(client, f"/directives/{world.draft.id}/publish",
                           {"scope": "all", "number": long_number, "issued_on": "10/06/2022", "confirm": "1"})
    assert registered.status_code == 422 and "Dài quá 80 ký tự" in registered.get_data(as_text=True)
    assert published.number == "9/UBND-VP"
    assert snapshot(app) == before


def test_a_cited_number_longer_than_its_column_is_refused_not_stored(app, client, tree):
    auth = bearer(client)
    before = snapshot(app)
    body = f"Thực hiện Công văn số 5/{'A' * 100} của UBND tỉnh.\n1. Giao các xã rà soát hồ sơ."
    response = client.post("/api/v1/directives", headers=auth, json={"body": body})
    assert response.status_code == 422 and "tối đa 80 ký tự" in response.json["error"]
    assert snapshot(app) == before


# 12. An inventory holds 200 lines, by every path

def test_an_inventory_of_more_lines_than_it_holds_is_refused_not_cut(app, client, world):
    task_id = world.tasks["inventory"]
    login(client, "mc.xa-a")
    before = snapshot(app)
    rows = {f"rows-{i}-{name}": value for i in range(201)
            for name, value in (("device", "pc"), ("quantity", "1"), ("condition", "working"), ("proposal", "none"))}
    for action in ("save", "submit"):
        refused = post_page(client, f"/tasks/{task_id}/work", {**rows, "action": action, "version": "1"})
        assert refused.status_code == 422, action
        assert "Bảng rà soát có 201 dòng; tối đa 200 dòng" in refused.get_data(as_text=True)
    assert snapshot(app) == before
    del rows["rows-200-device"], rows["rows-200-quantity"], rows["rows-200-condition"], rows["rows-200-proposal"]
    saved = post_page(client, f"/tasks/{task_id}/work", {**rows, "action": "save", "version": "1"})
    assert saved.status_code == 303 and len(fresh(Task, task_id).data["inventory"]) == 200


@pytest.mark.parametrize("path", ["/?page=99999999999999999999", "/?per_page=99999999999999999999",
                                  "/?directive=99999999999999999999", "/?page=" + "9" * 5000])
def test_list_parameters_beyond_64_bits_show_the_list_not_a_500(client, path):
    """Found after the edge work: the page number and the inbox's directive filter went to the database as is."""
    factories.make_tree()
    db.session.commit()
    login(client, "mc.xa-a")
    assert client.get(path).status_code == 200


def test_a_token_request_with_a_lone_surrogate_is_refused_not_a_500(client):
    response = client.post("/api/v1/auth/token", data='{"username": "\\ud800", "password": "x"}',
                           content_type="application/json")
    assert response.status_code in (400, 422) and "error" in response.json
