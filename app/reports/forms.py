"""Forms of the report pages."""

from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, NumberRange, Optional

from app.core.flow import PageForm
from app.core.numbers import DecimalNumberField
from app.core.periods import check_month


class ImportForm(PageForm):
    """The one-stop software's monthly export."""

    file = FileField("Tệp số liệu (.csv hoặc .xlsx)", validators=[FileRequired("Vui lòng chọn tệp.")])


class TargetForm(PageForm):
    """The online-rate target of a month."""

    period = StringField("Tháng (mm/yyyy)", validators=[DataRequired("Vui lòng nhập tháng."), check_month])
    rate = DecimalNumberField("Chỉ tiêu tỷ lệ trực tuyến (%)",
                              validators=[DataRequired("Vui lòng nhập chỉ tiêu."),
                                          NumberRange(0, 100, "Từ 0 đến 100 %%.")])
    level3 = DecimalNumberField("Trong đó một phần, mức 3 (%)",
                                validators=[Optional(), NumberRange(0, 100, "Từ 0 đến 100 %%.")])
    level4 = DecimalNumberField("Trong đó toàn trình, mức 4 (%)",
                                validators=[Optional(), NumberRange(0, 100, "Từ 0 đến 100 %%.")])
