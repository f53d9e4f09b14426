"""The admin's CSV import never stores an e-mail address that would break the mails sent to it: an address
typed over two lines (a quoted CSV cell keeps the line break) is refused, named with its line."""

import io

from app.auth.models import User
from app.extensions import db
from tests.conftest import csrf_token, login

HEADER = "username,full_name,email,role,unit,position,password\r\n"


def import_csv(client, text: str):
    return client.post("/admin/users/import", content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(client, "/admin/users"),
                             "file": (io.BytesIO(text.encode("utf-8")), "tai-khoan.csv")})


def user(username: str):
    db.session.rollback()
    return db.session.scalar(db.select(User).where(User.username == username))


def test_an_address_with_a_line_break_is_refused_beside_its_line(client, tree):
    login(client, "admin")
    refused = import_csv(client, HEADER
                         + "mc3.xa-a,Lê Thị Cúc,cuc@x.example,unit_staff,xa-a,Công chức,mat-khau-moi-9\r\n"
                         + 'mc3.xa-b,Trần Đức,"duc@x.example\r\nBcc: ai-do@y.example",unit_staff,xa-b,,'
                         + "mat-khau-moi-9\r\n")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Dòng 3: Địa chỉ thư “duc@x.example↵Bcc: ai-do@y.example” không hợp lệ" in page
    assert "không được có dấu cách hay xuống dòng" in page
    assert user("mc3.xa-a") is None and user("mc3.xa-b") is None  # one bad row rejects the file


def test_spaces_and_a_line_break_around_an_address_are_trimmed(client, tree):
    login(client, "admin")
    import_csv(client, HEADER + 'mc3.xa-a,Lê Thị Cúc," cuc@x.example\r\n",unit_staff,xa-a,Công chức,mat-khau-moi-9\r\n')
    assert "Đã nhập 1 tài khoản" in client.get("/admin/users").get_data(as_text=True)
    assert user("mc3.xa-a").email == "cuc@x.example"
