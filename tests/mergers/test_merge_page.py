"""The administrator's merger page (issue 18): the first press says how much would change and stores nothing; the
confirm button merges and lands on the unit list; a mistake shows the form again, as typed, with why beside the
field; to anyone else the page does not exist."""

import re

from sqlalchemy import func, select

from app.auth.models import User
from app.core import clock
from app.extensions import db
from app.seed.services import seed_demo
from app.tasks.models import Task
from app.units.models import Unit
from app.units.queries import by_slug
from tests.conftest import csrf_token, login
from tests.factories import make_unit
from tests.mergers.test_merge import OLD, first_task, published_and_worked
from tests.test_isolation import snapshot

URL = "/units/merge"
PREVIEW = "Sẽ gộp 12 nhiệm vụ đang thực hiện của 3 xã thành 4 nhiệm vụ; 9 tài khoản chuyển sang đơn vị mới."


def typed(**changes) -> dict:
    """The form as the office fills it for Tái Sơn, Quang Phục and Đại Hợp."""
    return {"name": "Xã Sơn Hợp", "into": "son-hop", "parent": "", "day": "01/06/2022",
            "units": [str(by_slug(slug).id) for slug in OLD], "chair": "ct.quang-phuc", **changes}


def as_admin(client) -> str:
    login(client, "admin", "demo-2022")
    return csrf_token(client, URL)


def post(client, token: str, **data):
    return client.post(URL, data={"csrf_token": token, **data})


def previewed(client, runner) -> tuple[str, str]:
    """The demo worked on, the admin signed in and the merger previewed: the form's token and the preview's
    stamp that "Xác nhận" sends back."""
    published_and_worked(client, runner)
    token = as_admin(client)
    preview = post(client, token, **typed()).get_data(as_text=True)
    return token, re.search(r'name="expect" value="([^"]+)"', preview).group(1)


def beside(html: str, name: str) -> str:
    """The control called `name` (marked invalid) and the text just after it: where its message must be. For the
    list of communes, the box that holds it (the message sits under the list, inside the box)."""
    if name == "units":
        box = re.search(r'<div class="unit-picker border rounded p-2 border-danger".*?data-unit-count', html, re.S)
        assert box, "the list of communes is not marked invalid"
        return box.group(0)[-600:]
    match = re.search(rf'<(?:input|select)\b[^>]*\bname="{name}"[^>]*\bis-invalid\b[^>]*>|'
                      rf'<(?:input|select)\b[^>]*\bis-invalid\b[^>]*\bname="{name}"[^>]*>', html)
    assert match, f"{name} is not marked invalid"
    end = html.index("</select>", match.end()) if match.group(0).startswith("<select") else match.end()
    return html[end:end + 1000]


def test_the_first_press_says_how_much_changes_and_stores_nothing(app, client, runner):
    published_and_worked(client, runner)
    token = as_admin(client)
    form = client.get(URL).get_data(as_text=True)
    assert "Xã Tái Sơn" in form and 'name="units"' in form and "Xem trước" in form
    before = snapshot(app)
    answer = post(client, token, **typed())
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and PREVIEW in page
    assert "Xác nhận sáp nhập" in page and "Xã Quang Phục" in page and "ct.quang-phuc" in page
    assert snapshot(app) == before


def test_the_confirm_button_merges_and_lands_on_the_unit_list(client, runner):
    token, expect = previewed(client, runner)
    answer = post(client, token, **typed(), expect=expect, action="confirm")
    assert answer.status_code == 302 and answer.location.endswith("/units")
    units_page = client.get("/units?q=son hop").get_data(as_text=True)
    assert "Đã sáp nhập Xã Đại Hợp, Xã Quang Phục, Xã Tái Sơn thành Xã Sơn Hợp" in units_page
    assert "12 nhiệm vụ đang thực hiện gộp thành 4; 9 tài khoản chuyển sang đơn vị mới." in units_page
    db.session.rollback()
    unit = by_slug("son-hop")
    assert db.session.scalar(select(func.count()).select_from(Task).where(Task.unit_id == unit.id)) == 4
    assert all(by_slug(slug).merged_into_id == unit.id for slug in OLD)
    assert db.session.scalar(select(User).where(User.username == "ct.quang-phuc")).role == "unit_chair"


def test_figures_that_moved_since_the_preview_are_shown_again_not_merged(app, client, runner):
    token, expect = previewed(client, runner)
    db.session.execute(db.update(User).where(User.username == "mc.ha-ky").values(unit_id=by_slug("tai-son").id))
    db.session.commit()  # an account joined Tái Sơn meanwhile: 10 accounts would move, not 9
    before = snapshot(app)
    answer = post(client, token, **typed(), expect=expect, action="confirm")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409 and "Số liệu đã thay đổi từ lúc xem trước" in page
    assert "10 tài khoản chuyển sang đơn vị mới" in page
    assert snapshot(app) == before


def test_edit_brings_the_form_back_as_typed(client, runner):
    seed_demo()
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-06-01T09:00:00"))
    token = as_admin(client)
    page = post(client, token, **typed(), action="edit").get_data(as_text=True)
    assert 'value="son-hop"' in page and 'value="Xã Sơn Hợp"' in page and 'value="01/06/2022"' in page
    for slug in OLD:
        assert re.search(rf'value="{by_slug(slug).id}"[^>]* checked', page), slug
    assert re.search(r'<option value="ct.quang-phuc" selected', page)


def test_a_mistake_shows_the_form_again_as_typed_with_why_beside_its_field(app, client, runner):
    seed_demo()
    make_unit("xa-xa", "Xã Xa", "commune", make_unit("huyen-khac", "UBND huyện Khác", "district"))
    db.session.commit()
    clock.freeze(clock.parse_instant("2022-06-01T09:00:00"))
    token = as_admin(client)
    before = snapshot(app)
    cases = [
        (typed(into="tu-ky"), "into", "Mã đơn vị tu-ky đã có"),
        (typed(into="Sơn Hợp"), "into", "chữ thường không dấu"),
        (typed(name=""), "name", "Vui lòng nhập"),
        (typed(day="31/02/2022"), "day", "dd/mm/yyyy"),
        (typed(day="02/06/2022"), "day", "không được sau ngày hôm nay"),
        (typed(units=[str(by_slug("tai-son").id)], chair=""), "units", "ít nhất hai"),
        (typed(units=[str(by_slug("tai-son").id), str(by_slug("xa-xa").id)], chair=""), "parent",
         "cấp trên khác nhau"),
        (typed(chair="ct.ha-ky"), "chair", "chủ tịch UBND của các xã được sáp nhập"),
    ]
    for data, name, message in cases:
        answer = post(client, token, **data)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 422 and "Location" not in answer.headers, (name, answer.status_code)
        assert message in beside(page, name), (name, message)
        for key in ("name", "into", "day"):
            if data[key]:
                assert f'value="{data[key]}"' in page, (name, key)
        for unit_id in data["units"]:
            assert re.search(rf'value="{unit_id}"[^>]* checked', page), (name, unit_id)
    assert snapshot(app) == before


def test_a_slug_taken_between_the_preview_and_the_confirm_is_said_beside_it(client, runner):
    token, expect = previewed(client, runner)
    make_unit("son-hop", "Xã Sơn Hợp (khác)", "commune", by_slug("tu-ky"))
    db.session.commit()
    answer = post(client, token, **typed(), expect=expect, action="confirm")
    assert answer.status_code == 422 and "Mã đơn vị son-hop đã có" in beside(answer.get_data(as_text=True), "into")
    db.session.rollback()
    assert first_task("tai-son").state == "submitted" and by_slug("tai-son").merged_into_id is None


def test_to_anyone_but_the_admin_the_page_does_not_exist(app, client):
    seed_demo()
    db.session.commit()
    units = db.session.scalar(select(func.count()).select_from(Unit))
    for username in ("vanphong", "chutich", "ct.tai-son", "mc.tai-son"):
        browser = app.test_client()
        login(browser, username, "demo-2022")
        token = csrf_token(browser, "/")
        assert browser.get(URL).status_code == 404, username
        assert post(browser, token, **typed(), action="confirm").status_code == 404, username
        if username == "vanphong":
            assert "Sáp nhập đơn vị" not in browser.get("/units").get_data(as_text=True)
    login(client, "admin", "demo-2022")
    assert 'href="/units/merge"' in client.get("/units").get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Unit)) == units
