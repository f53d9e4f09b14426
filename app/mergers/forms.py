"""The merger page's form, and the rules for a new unit's code (slug) the API shares."""

from __future__ import annotations

import re

from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.auth.forms import REQUIRED
from app.core import clock
from app.core.dates import check_vn_date, parse_vn_date
from app.core.flow import PageForm
from app.core.limits import column_length
from app.mergers import preview
from app.units.models import Unit

#: A unit's code as logins carry it (``ct.son-hop``): lower-case letters without tones, digits, single hyphens.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_RULE = "Mã chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang, ví dụ: son-hop."
SLUG_MAX = column_length(Unit.slug)
NAME_MAX = column_length(Unit.name)
#: The most units one merger takes: real ones join two to five communes; the cap keeps a call's work bounded.
MAX_UNITS = 100


def taken_message(slug: str) -> str:
    """What a new unit's taken code is told (the service says the same)."""
    return f"Mã đơn vị {slug} đã có; hãy chọn mã khác cho đơn vị mới."


class MergeForm(PageForm):
    """A merger: the new unit's code, name, parent and day, the communes it takes, and who chairs it."""

    into = StringField("Mã đơn vị mới (slug)", validators=[
        DataRequired(REQUIRED), Length(max=SLUG_MAX, message="Dài quá %(max)d ký tự.")])
    name = StringField("Tên đơn vị mới", validators=[
        DataRequired(REQUIRED), Length(max=NAME_MAX, message="Dài quá %(max)d ký tự.")])
    parent = SelectField("Đơn vị cấp trên")
    day = StringField("Ngày sáp nhập (dd/mm/yyyy)", validators=[check_vn_date])
    units = SelectMultipleField("Các xã, phường sáp nhập", coerce=int)
    chair = SelectField("Chủ tịch UBND đơn vị mới", validate_choice=False)
    #: The preview's figures the confirm button was shown with (MergePreview.key).
    expect = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.communes = preview.standing_communes()
        self.units.choices = [(unit.id, unit.name) for unit in self.communes]
        self.parent.choices = [("", "Như các xã cũ (cùng cấp trên)")] + [
            (unit.slug, unit.name) for unit in preview.parent_choices()]

    def chosen(self) -> list[Unit]:
        """The communes ticked, by name."""
        ticked = set(self.units.data or [])
        return [unit for unit in self.communes if unit.id in ticked]

    def chairs(self) -> list[tuple[Unit, list]]:
        """Every standing commune's chairs, for the select (the page narrows it to those ticked)."""
        return preview.chairs_of(self.communes)

    def validate_into(self, field) -> None:
        """A code logins can carry, that no unit has."""
        slug = field.data = (field.data or "").strip()
        if not SLUG.fullmatch(slug):
            raise ValidationError(SLUG_RULE)
        if preview.slug_taken(slug):
            raise ValidationError(taken_message(slug))

    def validate_day(self, field) -> None:
        """Not a day ahead: a merger records what happened."""
        try:
            day = parse_vn_date(field.data)
        except ValueError:
            return  # check_vn_date has said why
        if day and day > clock.today():
            raise ValidationError("Ngày sáp nhập không được sau ngày hôm nay.")

    def validate_units(self, field) -> None:
        """Two communes at least, and not more than one merger takes."""
        count = len(set(field.data or []))
        if count < 2:
            raise ValidationError("Chọn ít nhất hai xã, phường để sáp nhập.")
        if count > MAX_UNITS:
            raise ValidationError(f"Mỗi lần sáp nhập tối đa {MAX_UNITS} đơn vị.")

    def validate_parent(self, field) -> None:
        """Chosen when the communes belong to different units."""
        if not field.data and len({unit.parent_id for unit in self.chosen()}) > 1:
            raise ValidationError("Các xã đã chọn thuộc các đơn vị cấp trên khác nhau: hãy chọn cấp trên "
                                  "của đơn vị mới.")

    def validate_chair(self, field) -> None:
        """One of the chosen communes' chairs, or none."""
        if field.data and field.data not in {p.username for _, people in preview.chairs_of(self.chosen())
                                             for p in people}:
            raise ValidationError("Hãy chọn một chủ tịch UBND của các xã được sáp nhập.")
