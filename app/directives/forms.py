"""Forms of the directive pages: intake, the draft's header and requirements, publishing."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.core.dates import check_vn_date
from app.core.flow import PageForm
from app.core.limits import column_length, is_id
from app.core.periods import check_month
from app.directives.form_rules import deadline_problem
from app.directives.models import REQUIREMENT_KINDS, Directive, Requirement

#: Deadline forms the office can choose, mapped to rule objects by `deadline_rule`.
DEADLINE_CHOICES = [
    ("none", "Không có thời hạn"),
    ("date", "Trước ngày (cố định)"),
    ("days", "Số ngày (tính từ ngày ban hành hoặc ngày nhận)"),
    ("working_days", "Số ngày làm việc (tính từ ngày ban hành hoặc ngày nhận)"),
    ("months", "Số tháng (tính từ ngày ban hành hoặc ngày nhận)"),
    ("monthly", "Định kỳ hằng tháng, vào ngày"),
    ("quarterly", "Định kỳ hằng quý, ngày của tháng cuối quý"),
    ("yearly", "Định kỳ hằng năm (ngày, tháng)"),
    ("weekly", "Định kỳ hằng tuần"),
    ("daily", "Hằng ngày (ngày làm việc)"),
]


def fits(attribute) -> Length:
    """A length check as long as the model's column (``Directive.number``: 80), said in Vietnamese."""
    return Length(max=column_length(attribute), message="Dài quá %(max)d ký tự.")


#: The longest subject (trích yếu) taken, by forms and the API: a line or two in practice; the column is unbounded.
SUBJECT_MAX = 2000
SUBJECT_LENGTH = Length(max=SUBJECT_MAX, message="Dài quá %(max)d ký tự.")


def check_ids(form, field) -> None:
    """Units chosen are ids a row can have (0 is "none"): a larger number is refused before the database."""
    values = field.data if isinstance(field.data, list) else [field.data]
    if any(value not in (None, 0) and not is_id(value) for value in values):
        raise ValidationError("Đơn vị không hợp lệ.")


class NewDirectiveForm(PageForm):
    """A directive typed in, or a file to read."""

    file = FileField("Tệp văn bản (.docx, .pdf, .txt hoặc ảnh quét)")
    body = TextAreaField("Hoặc dán nội dung văn bản")
    number = StringField("Số, ký hiệu (nếu khác với văn bản)", validators=[Optional(), fits(Directive.number)])
    issued_on = StringField("Ngày ban hành (dd/mm/yyyy)", validators=[Optional(), check_vn_date])
    subject = StringField("Trích yếu", validators=[Optional(), SUBJECT_LENGTH])


#: What a relative deadline counts from; the issue date falls back to the day received when there is none.
ANCHOR_CHOICES = [("issue", "Ngày ban hành"), ("receipt", "Ngày đơn vị nhận")]


class DeadlineFields:
    """Checks a deadline row as a whole (a date for "Trước ngày", a number for "Số ngày"), beside its field."""

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then the rule they make together."""
        valid = super().validate(extra_validators)
        if valid and self.deadline_applies():
            problem = deadline_problem(self.deadline_kind.data, self.deadline_date.data, self.deadline_number.data)
            if problem:
                getattr(self, problem[0]).errors.append(problem[1])
                return False
        return valid

    def deadline_applies(self) -> bool:
        """Whether this row's deadline is used (a removed or empty requirement row's is not)."""
        return True


class RequirementForm(DeadlineFields, Form):
    """One requirement row of the draft form."""

    requirement_id = HiddenField()
    position = IntegerField("Thứ tự", validators=[Optional()])
    item_label = StringField("Số mục", validators=[Optional(), fits(Requirement.label)])
    text = TextAreaField("Nội dung")
    kind = SelectField("Loại", choices=list(REQUIREMENT_KINDS.items()))
    deadline_kind = SelectField("Thời hạn", choices=DEADLINE_CHOICES)
    deadline_date = StringField("Ngày", validators=[Optional(), check_vn_date])
    deadline_number = IntegerField("Số ngày/tháng, hoặc ngày trong tháng",
                                   validators=[Optional(), NumberRange(0, 3650, "Số không hợp lệ.")])
    deadline_from = SelectField("Tính từ", choices=ANCHOR_CHOICES, validate_choice=False)
    evidence_wanted = StringField("Minh chứng cần nộp", validators=[Optional()])
    lead_unit_id = SelectField("Đơn vị chủ trì", coerce=int, validate_choice=False, validators=[check_ids])
    cooperating_unit_ids = SelectMultipleField("Đơn vị phối hợp", coerce=int, validate_choice=False,
                                               validators=[check_ids])
    remove = BooleanField("Xoá")

    def deadline_applies(self) -> bool:
        """A removed row, or the blank row left for a new requirement, is not checked."""
        return not self.remove.data and bool((self.text.data or "").strip())


class DraftForm(PageForm):
    """The draft's header and its requirements; `version` catches a concurrent edit."""

    version = HiddenField()
    number = StringField("Số, ký hiệu", validators=[Optional(), fits(Directive.number)])
    issued_on = StringField("Ngày ban hành (dd/mm/yyyy)", validators=[Optional(), check_vn_date])
    issuer_name = StringField("Cơ quan ban hành", validators=[Optional(), fits(Directive.issuer_name)])
    place = StringField("Địa danh", validators=[Optional(), fits(Directive.place)])
    subject = TextAreaField("Trích yếu", validators=[Optional(), SUBJECT_LENGTH])
    addressees = TextAreaField("Kính gửi (mỗi dòng một nơi)", validators=[Optional()])
    recipients = TextAreaField("Nơi nhận (mỗi dòng một nơi)", validators=[Optional()])
    signer_title = StringField("Chức vụ người ký", validators=[Optional(), fits(Directive.signer_title)])
    signer_name = StringField("Người ký", validators=[Optional(), fits(Directive.signer_name)])
    requirements = FieldList(FormField(RequirementForm), min_entries=0)


class PublishForm(PageForm):
    """Which units the tasks go to; confirmed (`confirm` = 1) with the registry's number and date."""

    scope = RadioField("Giao cho", choices=[("all", "Tất cả đơn vị trực thuộc"), ("named", "Các đơn vị được nêu tên"),
                                            ("group", "Một nhóm đã lưu"), ("list", "Chọn đơn vị")], default="all")
    group_id = SelectField("Nhóm", coerce=int, validate_choice=False, validators=[Optional(), check_ids])
    unit_ids = SelectMultipleField("Đơn vị", coerce=int, validate_choice=False, validators=[check_ids])
    save_as = StringField("Lưu danh sách đã chọn thành nhóm (tên nhóm)", validators=[
        Optional(), Length(max=120, message="Tên nhóm dài quá %(max)d ký tự.")])
    number = StringField("Số, ký hiệu (theo sổ văn bản đi)", validators=[fits(Directive.number)])
    issued_on = StringField("Ngày ban hành (dd/mm/yyyy)", validators=[check_vn_date])
    unnumbered = BooleanField("Ban hành không có số, ngày")
    confirm = HiddenField()

    def validate_number(self, field) -> None:
        """Confirming without a number needs the box ticked, so it is never by accident."""
        if self.confirm.data == "1" and not self.unnumbered.data and not (field.data or "").strip():
            raise ValidationError("Nhập số, ký hiệu, hoặc đánh dấu “Ban hành không có số, ngày”.")

    def validate_issued_on(self, field) -> None:
        """Confirming without a date needs the box ticked too."""
        if self.confirm.data == "1" and not self.unnumbered.data and not (field.data or "").strip():
            raise ValidationError("Nhập ngày ban hành, hoặc đánh dấu “Ban hành không có số, ngày”.")


class DeadlineForm(DeadlineFields, PageForm):
    """A new deadline for one requirement of a published directive; `confirm` = 1 once its effect was shown."""

    deadline_kind = SelectField("Thời hạn", choices=DEADLINE_CHOICES)
    deadline_date = StringField("Ngày", validators=[Optional(), check_vn_date])
    deadline_number = IntegerField("Số", validators=[Optional(), NumberRange(0, 3650, "Số không hợp lệ.")])
    deadline_from = SelectField("Tính từ", choices=ANCHOR_CHOICES, validate_choice=False)
    confirm = HiddenField()


class AddUnitsForm(PageForm):
    """More units for a published directive; `confirm` = 1 once the count was shown."""

    unit_ids = SelectMultipleField("Đơn vị", coerce=int, validate_choice=False, validators=[check_ids])
    confirm = HiddenField()


class DeleteForm(PageForm):
    """Deleting a draft; `confirm` = 1 once asked."""

    confirm = HiddenField()


class FollowUpForm(PageForm):
    """Which units the follow-up names, for which month."""

    period = StringField("Tháng số liệu (mm/yyyy)", validators=[DataRequired("Vui lòng nhập tháng.")])
    rule = RadioField("Nêu tên các đơn vị", choices=[("below_target", "Chưa đạt chỉ tiêu DVCTT"),
                                                    ("overdue", "Còn nhiệm vụ quá hạn"),
                                                    ("missed_report", "Không gửi báo cáo định kỳ"),
                                                    ("list", "Chọn đơn vị")], default="below_target")
    unit_ids = SelectMultipleField("Đơn vị", coerce=int, validate_choice=False, validators=[check_ids])

    def validate_period(self, field) -> None:
        """mm/yyyy or YYYY-MM."""
        check_month(self, field)


class GuidanceForm(PageForm):
    """Guidance on a whole directive: the text, and whether it goes to the overdue units or to units chosen."""

    guidance = TextAreaField("Nội dung ý kiến chỉ đạo")  # checked by the service, which says why beside it
    reach = RadioField("Gửi đến", default="overdue",
                       choices=[("overdue", "Các đơn vị còn nhiệm vụ quá hạn"), ("chosen", "Các đơn vị chọn")])
    guide_units = SelectMultipleField("Đơn vị nhận", coerce=int, validate_choice=False, validators=[check_ids])
    #: One filling of the form: sent twice, the guidance is given once.
    token = HiddenField()
