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
