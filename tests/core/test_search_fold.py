"""Searches ignore tone marks and case on SQLite and PostgreSQL alike: "tai son" finds "Xã Tái Sơn" on the
units page, the board's unit filter, the directives list and the admin's accounts; an empty result says so."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timezone

from flask_migrate import downgrade, upgrade
from sqlalchemy import bindparam, select, text

from app.auth.models import User
from app.core import clock
from app.core.text import fold, search_key
from app.directives import services as directive_services
from app.directives.models import Directive
from app.extensions import db
from app.seed.services import seed_demo
from app.tasks import fanout
from app.units.models import Unit
from app.units.queries import by_slug
from app.units.services import upsert_unit
from tests.conftest import login

PASSWORD = "demo-2022"


def _page(client, username: str, url: str) -> str:
    """The page as the user sees it (logged in on the first call)."""
    if getattr(client, "signed_in", None) != username:
        login(client, username, PASSWORD)
        client.signed_in = username
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _published() -> Directive:
    """The demo, and a numbered directive with a subject published to every commune."""
    seed_demo()
    clock.freeze(clock.parse_instant("2022-05-20T09:00:00"))
    office = db.session.scalar(select(User).where(User.username == "vanphong"))
    directive = directive_services.create_draft(office.unit, office, {
        "number": "602/UBND-VP", "subject": "V/v tăng cường vệ sinh môi trường, phòng chống dịch bệnh mùa hè",
        "requirements": [{"label": "1", "text": "Tổ chức tổng vệ sinh", "deadline": None}]})
    fanout.publish(directive, office, directive_services.target_units(directive, "all"))
    db.session.commit()
    return directive


def test_search_key_folds_tones_case_spacing_and_decomposed_marks():
    assert search_key("  Xã  Tái Sơn ") == "xa tai son"
    assert search_key(unicodedata.normalize("NFD", "ĐỒNG KẾT")) == "dong ket"
    assert search_key(None) == "" and fold("Hóa") == "hoa" and len(fold("Tứ Kỳ")) == len("Tứ Kỳ")


def test_units_page_finds_tai_son_without_tone_marks(client):
    seed_demo()
    db.session.commit()
    for typed in ("tai son", "TÁI SƠN", "xa  tai son", unicodedata.normalize("NFD", "Tái Sơn")):
        html = _page(client, "vanphong", f"/units?q={typed}")
        assert "Xã Tái Sơn" in html and "Xã Đại Sơn" not in html, typed
    empty = _page(client, "vanphong", "/units?q=tai son%")
    assert "Không tìm thấy đơn vị nào khớp với “tai son%”." in empty and "Xã Tái Sơn" not in empty


def test_board_unit_filter_ignores_tone_marks(client):
    directive = _published()
    url = f"/reports/directives/{directive.id}?unit="
    html = _page(client, "vanphong", url + "tai son")
    assert 'href="/reports/units/' in html and ">Xã Tái Sơn</a>" in html and ">Xã Đại Sơn</a>" not in html
    empty = _page(client, "vanphong", url + "son tai")
    assert "Không tìm thấy đơn vị nào khớp với “son tai”." in empty and ">Xã Tái Sơn</a>" not in empty


def test_directives_list_finds_number_and_subject_without_tone_marks(client):
    _published()
    for typed in ("ve sinh moi truong", "PHÒNG CHỐNG DỊCH", "602/ubnd"):
        assert "602/UBND-VP" in _page(client, "vanphong", f"/directives/?q={typed}"), typed
    assert "602/UBND-VP" in _page(client.application.test_client(), "ct.tai-son", "/directives/?q=phong chong dich")
    empty = _page(client, "vanphong", "/directives/?q=xay dung nong thon moi")
    assert "Không tìm thấy văn bản nào khớp với “xay dung nong thon moi”." in empty
    # The number and the subject are searched each on its own: no match runs from one into the other.
    assert "Không tìm thấy văn bản nào" in _page(client, "vanphong", "/directives/?q=ubnd-vp tang cuong")


def test_admin_finds_users_without_tone_marks(client):
    seed_demo()
    db.session.commit()
    html = _page(client, "admin", "/admin/users?q=chu tich ubnd xa tai son")
    assert ">ct.tai-son</a>" in html and ">mc.tai-son</a>" not in html
    assert ">chutich</a>" in _page(client, "admin", "/admin/users?q=VU THI HA")
    assert ">mc.tai-son</a>" in _page(client, "admin", "/admin/users?q=mc.tai-son@tuky")
    empty = _page(client, "admin", "/admin/users?q=nguyen van an")
    assert "Không tìm thấy tài khoản nào khớp với “nguyen van an”." in empty


def test_folded_columns_follow_renames(tree):
    unit, _ = upsert_unit("xa-a", "Xã Quang Phục", "commune", tree.district)
    user = tree.users["chair_a"]
    user.full_name, user.email = "Nguyễn Thị Hương", "Huong@Example.vn"
    db.session.commit()
    assert db.session.scalar(select(Unit.search_name).where(Unit.id == unit.id)) == "xa quang phuc"
    assert db.session.scalar(select(User.search_text).where(User.id == user.id)) == \
        "ct.xa-a\nnguyen thi huong\nhuong@example.vn"
    user.position = "Chủ tịch"  # a change elsewhere leaves the folded text as it was
    db.session.commit()
    assert "nguyen thi huong" in db.session.scalar(select(User.search_text).where(User.id == user.id))


def test_the_migration_folds_what_is_already_stored():
    downgrade(revision="a14d0c7e2b31")
    created = datetime(2022, 5, 20, tzinfo=timezone.utc)
    with db.engine.begin() as conn:
        district = conn.execute(text("INSERT INTO units (slug, name, kind, path) VALUES "
                                     "('tu-ky', 'UBND huyện Tứ Kỳ', 'district', '/') RETURNING id")).scalar_one()
        conn.execute(text("INSERT INTO users (username, full_name, role, unit_id, password_hash, active, alt_id, "
                          "created_at, demo) VALUES ('vanphong', 'Văn phòng huyện', 'district_office', :unit, 'x', "
                          ":yes, 'alt', :at, :no)").bindparams(bindparam("at", type_=db.DateTime(timezone=True))),
                     {"unit": district, "yes": True, "no": False, "at": created})
    upgrade()
    db.session.remove()
    assert by_slug("tu-ky").search_name == "ubnd huyen tu ky"
    assert db.session.scalar(select(User.search_text)) == "vanphong\nvan phong huyen\n"
