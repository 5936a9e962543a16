"""Read a document copied in traditional script as simplified, one character for one.

Offsets stay those of the source because no character is added or removed. Only a document in
which traditional characters are common is converted: a simplified text keeps the few characters
the map knows (乾, 著) as written.
"""

from __future__ import annotations

from functools import cache

from tasks_catalog.paths import DATA_DIR

TRADITIONAL_SHARE = 0.03  # of the ideographs; simplified text has next to none


@cache
def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    text = (DATA_DIR / "ts_characters.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        for pair in line.split():
            table[ord(pair[0])] = pair[1]
    return table


def is_traditional(text: str) -> bool:
    table = _table()
    ideographs = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if not ideographs:
        return False
    traditional = sum(1 for ch in ideographs if ord(ch) in table)
    return traditional / len(ideographs) >= TRADITIONAL_SHARE


def to_simplified(text: str) -> str:
    """Return `text` in simplified script if it is written in traditional script."""
    return text.translate(_table()) if is_traditional(text) else text
