"""Forms of the task page: one per requirement kind, and the workflow buttons."""

from __future__ import annotations

import re

from wtforms import FieldList, Form, FormField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.core.dates import check_vn_date
from app.core.flow import PageForm
from app.core.limits import is_id
from app.core.numbers import WholeNumberField
from app.indicators.services import FIGURE_MAX

NONNEGATIVE = NumberRange(min=0, message="Phải là số không âm.")
WHOLE = "Vui lòng nhập một số nguyên."
DEVICES = [("scanner", "Máy scan"), ("pc", "Máy vi tính"), ("printer", "Máy in"), ("other", "Thiết bị khác")]
CONDITIONS = [("working", "Hoạt động tốt"), ("needs_repair", "Cần sửa chữa"), ("broken", "Hỏng"),
              ("obsolete", "Lạc hậu")]
PROPOSALS = [("none", "Không đề xuất"), ("repair", "Sửa chữa"), ("buy_new", "Mua mới")]
#: The most lines an inventory holds, by every path (page, API, services): more made the task page take 24 s.
MAX_INVENTORY_ROWS = 200
#: The longest note, comment or reason (and the longest report text), for forms and the API alike.
NOTE_MAX = 5000
TEXT_MAX = 20000
#: When a unit's figures differ from the row imported from the one-stop software, the office picks one.
FIGURES_CHOICES = [("task", "Dùng số liệu đơn vị báo cáo"), ("import", "Giữ số liệu nhập từ phần mềm một cửa")]


def too_many_rows(count: int) -> str:
    """Why an inventory of `count` lines is refused."""
    return (f"Bảng rà soát có {count} dòng; tối đa {MAX_INVENTORY_ROWS} dòng. "
            "Gộp các thiết bị cùng loại, cùng tình trạng vào một dòng.")


class VersionedForm(PageForm):
    """Every task form carries the version the user saw."""

    version = HiddenField()


class WorkForm(VersionedForm):
    """What every kind's form shares: the note for the office when handing in (files come from request.files)."""

    handin_note = TextAreaField("Ghi chú khi nộp", validators=[Optional(), Length(max=NOTE_MAX)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: Messages for what is not a plain field ("files", "rows"), shown in place on the page.
        self.place_errors: dict[str, str] = {}


class FiguresForm(WorkForm):
    """The period's dossiers: received, online at level 3 / 4, settled online (the period is the task's own)."""

    total = WholeNumberField("Tổng số hồ sơ tiếp nhận", validators=[InputRequired(WHOLE), NONNEGATIVE],
                             maximum=FIGURE_MAX)
    online_level3 = WholeNumberField("Tiếp nhận trực tuyến một phần (mức độ 3)",
                                     validators=[InputRequired(WHOLE), NONNEGATIVE], maximum=FIGURE_MAX)
    online_level4 = WholeNumberField("Tiếp nhận trực tuyến toàn trình (mức độ 4)",
                                     validators=[InputRequired(WHOLE), NONNEGATIVE], maximum=FIGURE_MAX)
    settled_online = WholeNumberField("Giải quyết trực tuyến", validators=[InputRequired(WHOLE), NONNEGATIVE],
                                      maximum=FIGURE_MAX)


class InventoryRow(Form):
    """One device line of the review."""

    device = SelectField("Thiết bị", choices=DEVICES)
    quantity = WholeNumberField("Số lượng", validators=[Optional(), NONNEGATIVE])
    condition = SelectField("Tình trạng", choices=CONDITIONS)
    proposal = SelectField("Đề xuất", choices=PROPOSALS)
    cost = WholeNumberField("Kinh phí dự kiến (đồng)", validators=[Optional(), NONNEGATIVE])


class InventoryForm(WorkForm):
    """The equipment review with its proposals, one line per device (at most MAX_INVENTORY_ROWS)."""

    rows = FieldList(FormField(InventoryRow), min_entries=1, max_entries=MAX_INVENTORY_ROWS)

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        """Fill the fields, counting every line sent: the list keeps only the first MAX_INVENTORY_ROWS, and
        more must be refused, not dropped."""
        formdata = self.meta.wrap_formdata(self, formdata)
        self.sent_rows = len({key.split("-")[1] for key in (formdata or {}) if re.fullmatch(r"rows-\d+-\w+", key)})
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        """The lines' own checks, and no more lines than an inventory holds."""
        valid = super().validate(extra_validators)
        if self.sent_rows > MAX_INVENTORY_ROWS:
            self.place_errors["rows"] = too_many_rows(self.sent_rows)
            return False
        return valid


class WrittenReportForm(WorkForm):
    """Difficulties and proposals in words; the signed report is uploaded as evidence."""

    difficulties = TextAreaField("Khó khăn, vướng mắc", validators=[Optional(), Length(max=TEXT_MAX)])
    proposals = TextAreaField("Đề xuất, kiến nghị", validators=[Optional(), Length(max=TEXT_MAX)])


class ActionForm(WorkForm):
    """What was done."""

    note = TextAreaField("Kết quả thực hiện", validators=[Optional(), Length(max=TEXT_MAX)])


class SubmitForm(VersionedForm):
    """Hand in, with an optional note."""

    note = TextAreaField("Ghi chú khi nộp", validators=[Optional(), Length(max=NOTE_MAX)])


class ReviewForm(VersionedForm):
    """Accept or return, by one of two buttons (nothing pre-chosen); returning needs a reason."""

    decision = StringField("Kết quả duyệt", validators=[AnyOf(("accept", "return"),
                                                                 "Chọn “Chấp nhận” hoặc “Trả lại”.")])
    # No Optional(): it would stop the chain before the check that a return says why.
    comment = TextAreaField("Ý kiến (bắt buộc khi trả lại)", validators=[Length(max=NOTE_MAX)])
    figures_choice = RadioField("Số liệu chính thức của kỳ", choices=FIGURES_CHOICES, validators=[Optional()],
                                validate_choice=False)

    def validate_comment(self, field) -> None:
        """A return says why, so the unit knows what to redo."""
        if self.decision.data == "return" and not (field.data or "").strip():
            raise ValidationError("Vui lòng ghi rõ lý do trả lại để đơn vị biết cần làm lại gì.")


class AssignForm(PageForm):
    """Who in the unit does the task."""

    assignee_id = SelectField("Giao cho", coerce=int, validate_choice=False)

    def validate_assignee_id(self, field) -> None:
        """An id a user can have: a larger number never reaches the database."""
        if not is_id(field.data):
            raise ValidationError("Người được giao không hợp lệ.")


class CommentForm(PageForm):
    """A comment, or a leader's guidance."""

    body = TextAreaField("Ý kiến", validators=[DataRequired("Vui lòng nhập nội dung."), Length(max=NOTE_MAX)])


class RequestForm(PageForm):
    """More time, or not applicable to the unit."""

    kind = RadioField("Đề nghị", choices=[("extension", "Gia hạn"), ("not_applicable", "Không thuộc phạm vi đơn vị")],
                      default="extension")
    reason = TextAreaField("Lý do", validators=[DataRequired("Vui lòng nêu lý do."), Length(max=NOTE_MAX)])
    proposed_on = StringField("Đề nghị gia hạn đến ngày (dd/mm/yyyy)", validators=[Optional(), check_vn_date])


class DecideForm(PageForm):
    """The office's answer to a request."""

    decision = RadioField("Quyết định", choices=[("grant", "Đồng ý"), ("refuse", "Không đồng ý")], default="grant")
    new_due = StringField("Hạn mới (dd/mm/yyyy, để trống nếu theo đề nghị)", validators=[Optional(), check_vn_date])
    comment = TextAreaField("Ý kiến", validators=[Optional(), Length(max=NOTE_MAX)])


FORM_BY_KIND = {"figures": FiguresForm, "inventory": InventoryForm, "written_report": WrittenReportForm,
                "action": ActionForm}
