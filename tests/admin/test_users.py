"""The administrator's account page: create, import, disable, move, reset."""

import io

from app.auth.models import User
from app.extensions import db
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD


def user(username):
    db.session.rollback()
    return db.session.scalar(db.select(User).where(User.username == username))


def post(client, url, data, **kw):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/admin/users")}, **kw)


def test_admin_creates_a_user_who_can_log_in(client, tree):
    login(client, "admin")
    response = post(client, "/admin/users", {"username": "mc2.xa-a", "full_name": "Nguyễn Văn Bình",
                                             "email": "binh@xa-a.example", "role": "unit_staff",
                                             "unit_id": tree.commune_a.id, "password": "mat-khau-moi-9"})
    assert response.status_code == 302
    assert "Đã tạo tài khoản" in client.get("/admin/users").get_data(as_text=True)
    assert user("mc2.xa-a").unit_id == tree.commune_a.id
    other = client.application.test_client()
    assert login(other, "mc2.xa-a", "mat-khau-moi-9").status_code == 302


def test_role_must_fit_the_units_level(client, tree):
    login(client, "admin")
    refused = post(client, "/admin/users", {"username": "sai", "full_name": "X", "role": "district_office",
                                            "unit_id": tree.commune_a.id, "password": "mat-khau-moi-9"})
    assert refused.status_code == 422 and "không phù hợp" in refused.get_data(as_text=True)
    assert user("sai") is None


def test_csv_import_with_a_bad_row_stores_nothing(client, tree):
    login(client, "admin")
    csv = ("username,full_name,email,role,unit,position,password\n"
           "mc3.xa-a,Lê Thị Cúc,cuc@x.example,unit_staff,xa-a,Công chức,mat-khau-moi-9\n"
           "mc3.xa-b,Trần Đức,duc@x.example,unit_staff,xa-khong-co,Công chức,mat-khau-moi-9\n")
    refused = post(client, "/admin/users/import", {"file": (io.BytesIO(csv.encode()), "tk.csv")},
                   content_type="multipart/form-data")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Dòng 3" in page and "xa-khong-co" in page
    assert user("mc3.xa-a") is None


def test_csv_import_creates_every_row(client, tree):
    login(client, "admin")
    csv = ("username,full_name,email,role,unit,position,password\n"
           "mc3.xa-a,Lê Thị Cúc,cuc@x.example,unit_staff,xa-a,Công chức,mat-khau-moi-9\n"
           "bt3.xa-b,Trần Đức,duc@x.example,observer,xa-b,Bí thư,mat-khau-moi-9\n")
    post(client, "/admin/users/import", {"file": (io.BytesIO(csv.encode("utf-8-sig")), "tk.csv")},
         content_type="multipart/form-data")
    assert "Đã nhập 2 tài khoản" in client.get("/admin/users").get_data(as_text=True)
    assert user("bt3.xa-b").role == "observer"


def test_disable_move_and_reset(app, client, tree):
    login(client, "admin")
    victim = tree.users["staff_a"]
    theirs = app.test_client()
    login(theirs, "mc.xa-a")
    post(client, f"/admin/users/{victim.id}/active", {})
    assert user("mc.xa-a").active is False
    assert theirs.get("/").status_code == 302
    assert login(theirs, "mc.xa-a").status_code == 401
    post(client, f"/admin/users/{victim.id}/active", {})
    post(client, f"/admin/users/{victim.id}", {"unit_id": tree.commune_b.id, "role": "unit_chair"})
    moved = user("mc.xa-a")
    assert (moved.unit_id, moved.role, moved.active) == (tree.commune_b.id, "unit_chair", True)
    post(client, f"/admin/users/{victim.id}/password", {"password": "mat-khau-dat-lai"})
    assert login(theirs, "mc.xa-a", PASSWORD).status_code == 401
    assert login(theirs, "mc.xa-a", "mat-khau-dat-lai").status_code == 302


def test_admin_pages_do_not_exist_for_others(client, tree):
    login(client, "vanphong")
    assert client.get("/admin/users").status_code == 404
