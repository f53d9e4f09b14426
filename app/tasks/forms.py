"""Forms of the task page: one per requirement kind, and the workflow buttons."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import FieldList, Form, FormField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.directives.forms import check_vn_date

NONNEGATIVE = NumberRange(min=0, message="Phải là số không âm.")
WHOLE = "Vui lòng nhập một số nguyên."
DEVICES = [("scanner", "Máy scan"), ("pc", "Máy vi tính"), ("printer", "Máy in"), ("other", "Thiết bị khác")]
CONDITIONS = [("working", "Hoạt động tốt"), ("needs_repair", "Cần sửa chữa"), ("broken", "Hỏng"), ("obsolete", "Lạc hậu")]
PROPOSALS = [("none", "Không đề xuất"), ("repair", "Sửa chữa"), ("buy_new", "Mua mới")]


def check_month(form, field) -> None:
    """A month as YYYY-MM or mm/yyyy."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])|(0?[1-9]|1[0-2])/\d{4}", (field.data or "").strip()):
        raise ValidationError("Tháng không hợp lệ: nhập theo dạng mm/yyyy, ví dụ 05/2022.")


def month_key(text: str) -> str:
    """``05/2022`` or ``2022-05`` as ``2022-05``."""
    text = text.strip()
    if "/" in text:
        month, year = text.split("/")
        return f"{year}-{int(month):02d}"
    return text


class VersionedForm(FlaskForm):
    """Every task form carries the version the user saw."""

    version = HiddenField()


class FiguresForm(VersionedForm):
    """The month's dossiers: received, online at level 3 / 4, settled online."""

    period = StringField("Tháng báo cáo (mm/yyyy)", validators=[DataRequired("Vui lòng nhập tháng."), check_month])
    total = IntegerField("Tổng số hồ sơ tiếp nhận", validators=[InputRequired(WHOLE), NONNEGATIVE])
    online_level3 = IntegerField("Tiếp nhận trực tuyến một phần (mức độ 3)", validators=[InputRequired(WHOLE), NONNEGATIVE])
    online_level4 = IntegerField("Tiếp nhận trực tuyến toàn trình (mức độ 4)", validators=[InputRequired(WHOLE), NONNEGATIVE])
    settled_online = IntegerField("Giải quyết trực tuyến", validators=[InputRequired(WHOLE), NONNEGATIVE])


class InventoryRow(Form):
    """One device line of the review."""

    device = SelectField("Thiết bị", choices=DEVICES)
    quantity = IntegerField("Số lượng", validators=[Optional(), NONNEGATIVE])
    condition = SelectField("Tình trạng", choices=CONDITIONS)
    proposal = SelectField("Đề xuất", choices=PROPOSALS)
    cost = IntegerField("Kinh phí dự kiến (đồng)", validators=[Optional(), NONNEGATIVE])


class InventoryForm(VersionedForm):
    """The equipment review with its proposals."""

    rows = FieldList(FormField(InventoryRow), min_entries=1)


class WrittenReportForm(VersionedForm):
    """Difficulties and proposals in words; the signed report is uploaded as evidence."""

    difficulties = TextAreaField("Khó khăn, vướng mắc", validators=[Optional(), Length(max=20000)])
    proposals = TextAreaField("Đề xuất, kiến nghị", validators=[Optional(), Length(max=20000)])


class ActionForm(VersionedForm):
    """What was done."""

    note = TextAreaField("Kết quả thực hiện", validators=[Optional(), Length(max=20000)])


class SubmitForm(VersionedForm):
    """Hand in, with an optional note."""

    note = TextAreaField("Ghi chú khi nộp", validators=[Optional(), Length(max=5000)])


class ReviewForm(VersionedForm):
    """Accept or return; returning needs a comment."""

    decision = RadioField("Kết quả duyệt", choices=[("accept", "Chấp nhận"), ("return", "Trả lại")], default="accept")
    comment = TextAreaField("Ý kiến", validators=[Optional(), Length(max=5000)])


class AssignForm(FlaskForm):
    """Who in the unit does the task."""

    assignee_id = SelectField("Giao cho", coerce=int, validate_choice=False)


class CommentForm(FlaskForm):
    """A comment, or a leader's guidance."""

    body = TextAreaField("Ý kiến", validators=[DataRequired("Vui lòng nhập nội dung."), Length(max=5000)])


class RequestForm(FlaskForm):
    """More time, or not applicable to the unit."""

    kind = RadioField("Đề nghị", choices=[("extension", "Gia hạn"), ("not_applicable", "Không thuộc phạm vi đơn vị")],
                      default="extension")
    reason = TextAreaField("Lý do", validators=[DataRequired("Vui lòng nêu lý do."), Length(max=5000)])
    proposed_on = StringField("Đề nghị gia hạn đến ngày (dd/mm/yyyy)", validators=[Optional(), check_vn_date])


class DecideForm(FlaskForm):
    """The office's answer to a request."""

    decision = RadioField("Quyết định", choices=[("grant", "Đồng ý"), ("refuse", "Không đồng ý")], default="grant")
    new_due = StringField("Hạn mới (dd/mm/yyyy, để trống nếu theo đề nghị)", validators=[Optional(), check_vn_date])
    comment = TextAreaField("Ý kiến", validators=[Optional(), Length(max=5000)])


class EvidenceForm(FlaskForm):
    """One or several evidence files."""

    files = MultipleFileField("Tài liệu minh chứng")


FORM_BY_KIND = {"figures": FiguresForm, "inventory": InventoryForm, "written_report": WrittenReportForm,
                "action": ActionForm}
