from __future__ import annotations

from decimal import Decimal

import pytest

from tasks_catalog.numbers import chinese_to_int, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [("二十", 20), ("两", 2), ("十五", 15), ("一百零五", 105), ("三千", 3000), ("一万二千", 12000)],
)
def test_chinese_numerals(text, value):
    assert chinese_to_int(text) == value


def test_arabic_with_decimals_and_thousands():
    assert parse_number("56.8") == Decimal("56.8")
    assert parse_number("1,000") == Decimal(1000)


def test_not_a_number_is_an_error():
    with pytest.raises(ValueError):
        chinese_to_int("标准")
