"""Forms of the report pages."""

from flask_wtf.file import FileField, FileRequired
from wtforms import DecimalField, StringField
from wtforms.validators import DataRequired, NumberRange, Optional

from app.core.flow import PageForm
from app.tasks.forms import check_month


class ImportForm(PageForm):
    """The one-stop software's monthly export."""

    file = FileField("Tệp số liệu (.csv hoặc .xlsx)", validators=[FileRequired("Vui lòng chọn tệp.")])


class TargetForm(PageForm):
    """The online-rate target of a month."""

    period = StringField("Tháng (mm/yyyy)", validators=[DataRequired("Vui lòng nhập tháng."), check_month])
    rate = DecimalField("Chỉ tiêu tỷ lệ trực tuyến (%)", places=1,
                        validators=[DataRequired("Vui lòng nhập chỉ tiêu."), NumberRange(0, 100, "Từ 0 đến 100 %%.")])
    level3 = DecimalField("Trong đó một phần, mức 3 (%)", places=1,
                          validators=[Optional(), NumberRange(0, 100, "Từ 0 đến 100 %%.")])
    level4 = DecimalField("Trong đó toàn trình, mức 4 (%)", places=1,
                          validators=[Optional(), NumberRange(0, 100, "Từ 0 đến 100 %%.")])
