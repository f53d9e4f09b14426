"""An account file not saved as UTF-8 is refused beside the file field, and nothing is stored."""

import io

from app.auth.models import User
from app.extensions import db
from tests.conftest import csrf_token, login


def test_a_csv_saved_in_another_encoding_is_refused_on_the_page(client, tree):
    login(client, "admin")
    csv = ("username,full_name,email,role,unit,position,password\n"
           "mc4.xa-a,Lê Thị Cúc,cuc@x.example,unit_staff,xa-a,Công chức,mat-khau-moi-9\n")
    refused = client.post("/admin/users/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/admin/users"), "file": (io.BytesIO(csv.encode("utf-16")), "tk.csv")})
    assert refused.status_code == 422
    assert "Tệp CSV phải được lưu với bảng mã UTF-8." in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(db.select(User).where(User.username == "mc4.xa-a")) is None
