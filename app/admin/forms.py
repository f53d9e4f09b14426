"""Forms of the account administration page."""

from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.auth.forms import REQUIRED
from app.auth.models import ROLES
from app.auth.services import MIN_PASSWORD
from app.core.dates import check_vn_date
from app.core.flow import PageForm

SHORT = Length(min=MIN_PASSWORD, message=f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")


def role_choices():
    return list(ROLES.items())


class CreateUserForm(PageForm):
    """A new account."""

    username = StringField("Tên đăng nhập", validators=[DataRequired(REQUIRED), Length(max=80)])
    full_name = StringField("Họ và tên", validators=[DataRequired(REQUIRED), Length(max=120)])
    email = EmailField("Thư điện tử", validators=[Optional(), Email("Địa chỉ thư không hợp lệ.")])
    position = StringField("Chức vụ", validators=[Optional(), Length(max=120)])
    role = SelectField("Vai trò", choices=role_choices())
    unit_id = SelectField("Đơn vị", coerce=int)
    password = PasswordField("Mật khẩu", validators=[DataRequired(REQUIRED), SHORT])


class ImportUsersForm(PageForm):
    """A CSV of accounts."""

    file = FileField("Tệp CSV", validators=[FileRequired("Vui lòng chọn tệp.")])


class MoveUserForm(PageForm):
    """Another unit and role for an account."""

    role = SelectField("Vai trò", choices=role_choices())
    unit_id = SelectField("Đơn vị", coerce=int)


class ResetPasswordForm(PageForm):
    """A new password set by the admin."""

    password = PasswordField("Mật khẩu mới", validators=[DataRequired(REQUIRED), SHORT])


class CalendarDayForm(PageForm):
    """A make-up working day or an extra day off."""

    day = StringField("Ngày (dd/mm/yyyy)", validators=[DataRequired(REQUIRED), check_vn_date])
    is_working = SelectField("Loại ngày", choices=[("0", "Ngày nghỉ thêm"), ("1", "Ngày làm bù (làm việc)")])
    note = StringField("Ghi chú", validators=[Optional(), Length(max=200)])


class TrustedRootForm(PageForm):
    """A root certificate to trust (PEM or DER)."""

    file = FileField("Tệp chứng thư gốc (.cer, .crt, .pem)", validators=[FileRequired("Vui lòng chọn tệp chứng thư.")])
