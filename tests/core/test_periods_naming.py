"""The shared month and unit-level wording: one rule each, as every page and document shows it."""

from types import SimpleNamespace

import pytest
from wtforms.validators import ValidationError

from app.core.periods import check_month, month_key, month_label
from app.units.models import Unit
from app.units.naming import leaders_recipient, level_word


def test_month_label_reads_a_month_and_leaves_other_periods():
    assert month_label("2022-05") == "05/2022"
    assert month_label("2022-Q2") == "2022-Q2"


@pytest.mark.parametrize("typed", ["05/2022", "5/2022", "2022-05", " 12/2021 "])
def test_check_month_takes_both_ways_of_writing_a_month(typed):
    check_month(None, SimpleNamespace(data=typed))
    assert month_key(typed) in {"2022-05", "2021-12"}


@pytest.mark.parametrize("typed", ["13/2022", "2022-13", "2022-5", "tháng 5", ""])
def test_check_month_refuses_anything_else(typed):
    with pytest.raises(ValidationError, match="mm/yyyy"):
        check_month(None, SimpleNamespace(data=typed))


@pytest.mark.parametrize(("name", "kind", "level"), [
    ("UBND huyện Tứ Kỳ", "district", "huyện"),
    ("UBND thị xã Kinh Môn", "district", "thị xã"),
    ("Thành phố Hải Dương", "district", "thành phố"),
    ("Hải Dương", "province", "tỉnh"),
    ("Xã Đại Sơn", "commune", "xã"),
])
def test_the_leaders_line_names_the_issuers_level(name, kind, level):
    assert level_word(Unit(name=name, kind=kind)) == level
    assert leaders_recipient(Unit(name=name, kind=kind)) == f"Chủ tịch, các PCT UBND {level}"


def test_a_department_answers_to_the_committee_above_it():
    province = Unit(name="Hải Dương", kind="province")
    assert level_word(Unit(name="Sở Nội vụ", kind="department", parent=province)) == "tỉnh"
