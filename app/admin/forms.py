"""Forms of the account administration page."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.auth.forms import REQUIRED
from app.auth.models import ROLES


def role_choices():
    return list(ROLES.items())


class CreateUserForm(FlaskForm):
    """A new account."""

    username = StringField("Tên đăng nhập", validators=[DataRequired(REQUIRED), Length(max=80)])
    full_name = StringField("Họ và tên", validators=[DataRequired(REQUIRED), Length(max=120)])
    email = EmailField("Thư điện tử", validators=[Optional(), Email("Địa chỉ thư không hợp lệ.")])
    position = StringField("Chức vụ", validators=[Optional(), Length(max=120)])
    role = SelectField("Vai trò", choices=role_choices())
    unit_id = SelectField("Đơn vị", coerce=int)
    password = PasswordField("Mật khẩu", validators=[DataRequired(REQUIRED)])


class ImportUsersForm(FlaskForm):
    """A CSV of accounts."""

    file = FileField("Tệp CSV", validators=[FileRequired("Vui lòng chọn tệp.")])


class MoveUserForm(FlaskForm):
    """Another unit and role for an account."""

    role = SelectField("Vai trò", choices=role_choices())
    unit_id = SelectField("Đơn vị", coerce=int)


class ResetPasswordForm(FlaskForm):
    """A new password set by the admin."""

    password = PasswordField("Mật khẩu mới", validators=[DataRequired(REQUIRED)])


class ConfirmForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


class CalendarDayForm(FlaskForm):
    """A make-up working day or an extra day off."""

    day = StringField("Ngày (dd/mm/yyyy)", validators=[DataRequired(REQUIRED)])
    is_working = SelectField("Loại ngày", choices=[("0", "Ngày nghỉ thêm"), ("1", "Ngày làm bù (làm việc)")])
    note = StringField("Ghi chú", validators=[Optional(), Length(max=200)])
