"""Forms of the directive pages: intake, the draft's header and requirements, publishing."""

from __future__ import annotations

from datetime import date, datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, Form, FieldList, FormField, HiddenField, IntegerField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from app.directives.models import REQUIREMENT_KINDS

#: Deadline forms the office can choose, mapped to rule objects by `deadline_rule`.
DEADLINE_CHOICES = [
    ("none", "Không có thời hạn"),
    ("date", "Trước ngày (cố định)"),
    ("days", "Số ngày kể từ ngày ban hành"),
    ("working_days", "Số ngày làm việc kể từ ngày ban hành"),
    ("months", "Số tháng kể từ ngày ban hành"),
    ("monthly", "Định kỳ hằng tháng, vào ngày"),
    ("quarterly", "Định kỳ hằng quý, ngày của tháng cuối quý"),
    ("yearly", "Định kỳ hằng năm (ngày, tháng)"),
    ("weekly", "Định kỳ hằng tuần"),
    ("daily", "Hằng ngày (ngày làm việc)"),
]


def parse_vn_date(text: str | None) -> date | None:
    """A date typed as dd/mm/yyyy or sent by a date picker as yyyy-mm-dd; ValueError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def check_vn_date(form, field) -> None:
    """WTForms check: a readable date, or nothing."""
    try:
        parse_vn_date(field.data)
    except ValueError:
        raise ValidationError("Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy, ví dụ 15/06/2022.") from None


class NewDirectiveForm(FlaskForm):
    """A directive typed in, or a file to read."""

    file = FileField("Tệp văn bản (.docx, .pdf, .txt hoặc ảnh quét)")
    body = TextAreaField("Hoặc dán nội dung văn bản")
    number = StringField("Số, ký hiệu (nếu khác với văn bản)", validators=[Optional()])
    issued_on = StringField("Ngày ban hành (dd/mm/yyyy)", validators=[Optional(), check_vn_date])
    subject = StringField("Trích yếu", validators=[Optional()])


class RequirementForm(Form):
    """One requirement row of the draft form."""

    requirement_id = HiddenField()
    position = IntegerField("Thứ tự", validators=[Optional()])
    item_label = StringField("Số mục", validators=[Optional()])
    text = TextAreaField("Nội dung")
    kind = SelectField("Loại", choices=list(REQUIREMENT_KINDS.items()))
    deadline_kind = SelectField("Thời hạn", choices=DEADLINE_CHOICES)
    deadline_date = StringField("Ngày", validators=[Optional(), check_vn_date])
    deadline_number = IntegerField("Số ngày/tháng, hoặc ngày trong tháng",
                                   validators=[Optional(), NumberRange(0, 3650, "Số không hợp lệ.")])
    evidence_wanted = StringField("Minh chứng cần nộp", validators=[Optional()])
    lead_unit_id = SelectField("Đơn vị chủ trì", coerce=int, validate_choice=False)
    cooperating_unit_ids = SelectMultipleField("Đơn vị phối hợp", coerce=int, validate_choice=False)
    remove = BooleanField("Xoá")


class DraftForm(FlaskForm):
    """The draft's header and its requirements; `version` catches a concurrent edit."""

    version = HiddenField()
    number = StringField("Số, ký hiệu", validators=[Optional()])
    issued_on = StringField("Ngày ban hành (dd/mm/yyyy)", validators=[Optional(), check_vn_date])
    issuer_name = StringField("Cơ quan ban hành", validators=[Optional()])
    place = StringField("Địa danh", validators=[Optional()])
    subject = TextAreaField("Trích yếu", validators=[Optional()])
    addressees = TextAreaField("Kính gửi (mỗi dòng một nơi)", validators=[Optional()])
    recipients = TextAreaField("Nơi nhận (mỗi dòng một nơi)", validators=[Optional()])
    signer_title = StringField("Chức vụ người ký", validators=[Optional()])
    signer_name = StringField("Người ký", validators=[Optional()])
    requirements = FieldList(FormField(RequirementForm), min_entries=0)


class PublishForm(FlaskForm):
    """Which units the tasks go to."""

    scope = RadioField("Giao cho", choices=[("all", "Tất cả đơn vị trực thuộc"), ("named", "Các đơn vị được nêu tên"),
                                            ("group", "Một nhóm đã lưu"), ("list", "Chọn đơn vị")], default="all")
    group_id = SelectField("Nhóm", coerce=int, validate_choice=False, validators=[Optional()])
    unit_ids = SelectMultipleField("Đơn vị", coerce=int, validate_choice=False)
    save_as = StringField("Lưu danh sách đã chọn thành nhóm (tên nhóm)", validators=[Optional()])


class DeadlineForm(FlaskForm):
    """A new deadline for one requirement of a published directive."""

    deadline_kind = SelectField("Thời hạn", choices=DEADLINE_CHOICES)
    deadline_date = StringField("Ngày", validators=[Optional(), check_vn_date])
    deadline_number = IntegerField("Số", validators=[Optional(), NumberRange(0, 3650, "Số không hợp lệ.")])


class AddUnitsForm(FlaskForm):
    """More units for a published directive."""

    unit_ids = SelectMultipleField("Đơn vị", coerce=int, validate_choice=False)


class ConfirmForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


class FollowUpForm(FlaskForm):
    """Which units the follow-up names, for which month."""

    period = StringField("Tháng số liệu (mm/yyyy)", validators=[DataRequired("Vui lòng nhập tháng.")])
    rule = RadioField("Nêu tên các đơn vị", choices=[("below_target", "Chưa đạt chỉ tiêu DVCTT"),
                                                    ("overdue", "Còn nhiệm vụ quá hạn"),
                                                    ("missed_report", "Không gửi báo cáo định kỳ"),
                                                    ("list", "Chọn đơn vị")], default="below_target")
    unit_ids = SelectMultipleField("Đơn vị", coerce=int, validate_choice=False)

    def validate_period(self, field) -> None:
        """mm/yyyy or YYYY-MM."""
        from app.tasks.forms import check_month

        check_month(self, field)
