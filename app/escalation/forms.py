"""The ladder form: a row per step."""

from wtforms import BooleanField, FieldList, Form, FormField, IntegerField, SelectMultipleField, StringField
from wtforms.validators import Optional, ValidationError

from app.core.flow import PageForm, VietnameseMeta
from app.escalation.ladder import AUDIENCES, OFFSET_MESSAGE, offset_allowed

AUDIENCE_CHOICES = list(AUDIENCES.items())


def within_bounds(_form, field) -> None:
    """The ladder's bounds on an offset, said beside the field (validate_ladder holds the same rule)."""
    if field.data is not None and not offset_allowed(field.data):
        raise ValidationError(OFFSET_MESSAGE)


class StepForm(Form):
    """One step: when (days from the due date, negative before), who, how."""

    Meta = VietnameseMeta

    step_key = StringField("Mã bước", validators=[Optional()])
    offset = IntegerField("Số ngày so với hạn (âm là trước hạn)", validators=[Optional(), within_bounds])
    working_days = BooleanField("Tính ngày làm việc")
    to = SelectMultipleField("Gửi cho", choices=AUDIENCE_CHOICES)
    cc = SelectMultipleField("Đồng gửi (Cc)", choices=AUDIENCE_CHOICES)
    email = BooleanField("Gửi thư điện tử (bỏ chọn: chỉ hiển thị trên hệ thống)", default=True)


class LadderForm(PageForm):
    """The whole ladder; empty rows are ignored."""

    steps = FieldList(FormField(StepForm), min_entries=0)


def form_rows(ladder: list[dict], spare: int = 2) -> list[dict]:
    """The stored ladder as form rows, plus spare empty rows to add steps."""
    rows = [{"step_key": s["key"], "offset": s["offset"], "working_days": s.get("working_days"), "to": s["to"],
             "cc": s.get("cc", []), "email": "email" in s.get("channels", ["email"])} for s in ladder]
    return rows + [{"email": True}] * spare


def ladder_from(form: LadderForm) -> list[dict]:
    """Form rows back to ladder steps (rows without recipients are left out)."""
    return [{"key": row.step_key.data or f"buoc{index}", "offset": row.offset.data,
             "working_days": row.working_days.data, "to": row.to.data, "cc": row.cc.data,
             "channels": ["email"] if row.email.data else ["in_app"]}
            for index, row in enumerate(form.steps, start=1) if row.to.data]
