"""Numbers as policy text writes them: 50, 56.8, 二十, 两, 1—2, 一百二十."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
CHINESE_NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS)


def chinese_to_int(text: str) -> int:
    """Return the value of a Chinese numeral (二十 → 20, 十五 → 15, 一百零五 → 105).

    Raises ValueError for text that is not a numeral.
    """
    if not text or any(ch not in CHINESE_NUMERAL_CHARS for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch == "万":
            section = (section + (digit or 0)) * 10000
            total, section, digit = total + section, 0, None
        else:
            section += (1 if digit is None else digit) * UNITS[ch]
            digit = None
    return total + section + (digit or 0)


def parse_number(text: str) -> Decimal:
    """Return Arabic or Chinese `text` as a Decimal; raise ValueError when it is neither."""
    cleaned = text.replace(",", "").replace(" ", "")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return Decimal(chinese_to_int(cleaned))
