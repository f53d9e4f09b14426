"""Numbers as Vietnamese people type them."""

import pytest

from app.core.numbers import format_whole, parse_decimal, parse_whole


@pytest.mark.parametrize("text, value", [("15.000.000", 15000000), ("15 000 000", 15000000), ("120", 120),
                                         ("1\u00a0200", 1200), ("", None)])
def test_whole_numbers_as_written(text, value):
    assert parse_whole(text) == value


@pytest.mark.parametrize("text", ["1.5", "15,000", "-3", "abc", "1.2345"])
def test_what_is_not_a_whole_number_is_refused(text):
    with pytest.raises(ValueError):
        parse_whole(text)


def test_decimal_comma_and_thousands():
    assert (parse_decimal("0,9"), parse_decimal("1.234,5"), parse_decimal("12,5 %"), parse_decimal("0.9")) == (
        0.9, 1234.5, 12.5, 0.9)
    assert format_whole(15000000) == "15.000.000"


@pytest.mark.parametrize("value, digits, shown", [
    (1234, 0, "1.234"), (1234567, 0, "1.234.567"), (22.5, 1, "22,5"), (22.45, 1, "22,5"), (2.5, 0, "3"),
    (0, 0, "0"), (-0.04, 1, "0,0"), (-1234.5, 1, "-1.234,5"), (1234, 1, "1.234,0"), (None, 0, "—"), ("", 1, "—")])
def test_vnnum_groups_thousands_with_dots_and_marks_decimals_with_a_comma(value, digits, shown):
    from app.core.numbers import vnnum

    assert vnnum(value, digits) == shown


@pytest.mark.parametrize("fraction, digits, shown", [
    (0.225, 1, "22,5\u00a0%"), (0.2245, 1, "22,5\u00a0%"), (1, 1, "100\u00a0%"), (0.5, 1, "50\u00a0%"),
    (0, 1, "0\u00a0%"), (1 / 3, 1, "33,3\u00a0%"), (1 / 3, 0, "33\u00a0%"), (0.005, 1, "0,5\u00a0%"), (None, 1, "—")])
def test_vnpercent_writes_a_share_as_a_percentage_the_vietnamese_way(fraction, digits, shown):
    """A whole percentage drops ",0"; a no-break space keeps "%" beside its number."""
    from app.core.numbers import vnpercent

    assert vnpercent(fraction, digits) == shown


def test_the_filters_are_there_for_templates(app):
    template = app.jinja_env.from_string("{{ 1234567|vnnum }} {{ 22.5|vnnum(1) }} {{ 0.225|vnpercent }} "
                                         "{{ none|vnpercent }} {{ 0.5|vnpercent(0) }}")
    assert template.render() == "1.234.567 22,5 22,5\u00a0% — 50\u00a0%"
