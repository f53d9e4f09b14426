"""Log-in, password and API token forms."""

from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from app.core.flow import PageForm

REQUIRED = "Vui lòng nhập trường này."


class LoginForm(PageForm):
    """Username and password."""

    username = StringField("Tên đăng nhập", validators=[DataRequired(REQUIRED), Length(max=80)])
    password = PasswordField("Mật khẩu", validators=[DataRequired(REQUIRED), Length(max=200)])


class ChangePasswordForm(PageForm):
    """One's own password, with the current one as proof."""

    current = PasswordField("Mật khẩu hiện tại", validators=[DataRequired(REQUIRED)])
    new = PasswordField(
        "Mật khẩu mới", validators=[DataRequired(REQUIRED), Length(min=8, message="Mật khẩu phải có ít nhất 8 ký tự.")]
    )
    confirm = PasswordField(
        "Nhập lại mật khẩu mới", validators=[DataRequired(REQUIRED), EqualTo("new", message="Hai mật khẩu không khớp.")]
    )


class NewTokenForm(PageForm):
    """A name for a new API token, so the list says which program holds it."""

    label = StringField("Tên gợi nhớ (phần mềm dùng mã)", validators=[
        DataRequired(REQUIRED), Length(max=80, message="Tối đa 80 ký tự.")])
