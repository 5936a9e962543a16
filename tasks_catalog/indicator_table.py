"""Indicator tables flattened by PDF extraction: 指标, 单位, <year> 实绩, <year> 目标.

A table's target has no comparator word where it means "at least" for a quantity that should
rise and "at most" for one that should fall (a cycle time, 发生率); an explicit 以上/以内 wins.
"""

from __future__ import annotations

import re
from decimal import Decimal

from tasks_catalog.targets import LEVEL_MEASURES, POST_CMP, FoundTarget, falls
from tasks_catalog.text import Piece, is_ideograph, map_char

TABLE_UNITS = "万件|家|%|项|件|个月|个|分|天|工作日"
ROW_RE = re.compile(
    rf"(?P<name>\S.*?)\s+(?P<measure>{TABLE_UNITS})\s+(?P<base>\d+(?:\.\d+)?|-)\s+"
    rf"(?P<target>\d+(?:\.\d+)?)\s*(?P<cmp>以\s*上|以\s*内)?"
)
CATEGORY = re.compile(r"^(?:[\u4e00-\u9fff]{2}建设)+")


def in_table(lines: list[tuple[str, int]]) -> list[FoundTarget]:
    """Return the rows of an indicator table (指标, 单位, <year> 实绩, <year> 目标) as targets.

    `lines` are the table's source lines with their offsets, caption first.
    """
    joined = Piece()
    for raw, base in lines:
        if joined.text:
            joined.add(" ", base)
        joined.extend(_raw_spaces(raw, base))
    text = _join_ideographs(joined)
    years = re.findall(r"(20\d\d)\s*年\s*(?:实绩|目标)", text.text)
    header_end = max((m.end() for m in re.finditer(r"目\s*标", text.text[:200])), default=0)
    if len(years) < 2:
        return []
    baseline_year, year = int(years[0]), int(years[1])
    found = []
    for m in ROW_RE.finditer(text.text, header_end):
        raw_name = CATEGORY.sub("", m.group("name").strip())
        kind = None
        for word, k in (("累计", "cumulative"), ("新增", "increment")):
            if re.search(rf"[（(]{word}[)）]", raw_name):
                kind = k
                raw_name = re.sub(rf"[（(]{word}[)）]", "", raw_name)
        measure = m.group("measure")
        if kind is None:
            kind = "level" if measure in LEVEL_MEASURES else "cumulative"
        cmp_word = (m.group("cmp") or "").replace(" ", "")
        base_text = m.group("base")
        found.append(
            FoundTarget(
                name=raw_name.strip(),
                value=Decimal(m.group("target")),
                value_max=None,
                measure=measure,
                cmp=POST_CMP.get(cmp_word) or ("<=" if falls(raw_name) else ">="),
                kind=kind,
                per_year=False,
                year=year,
                baseline=None if base_text == "-" else Decimal(base_text),
                baseline_year=None if base_text == "-" else baseline_year,
                span=text.span(m.start(), m.end()),
            )
        )
    return found


def _raw_spaces(raw: str, base: int) -> Piece:
    """Map characters of a table line but keep its spaces: they separate the columns."""
    piece = Piece()
    for i in range(len(raw)):
        ch = map_char(raw, i)
        if ch in "（）":  # tables write (%) and (累计) half-width as often as full-width
            ch = "(" if ch == "（" else ")"
        piece.add(" " if ch.isspace() else ch, base + i)
    return piece


def _join_ideographs(piece: Piece) -> Piece:
    """Collapse runs of spaces; drop a space between two ideographs (a name broken by a line)."""
    out = Piece()
    t = piece.text
    for i, ch in enumerate(t):
        if ch == " ":
            if out.text.endswith(" ") or not out.text:
                continue
            nxt = next((c for c in t[i + 1 :] if c != " "), "")
            if is_ideograph(out.text[-1]) and is_ideograph(nxt):
                continue
        out.add(ch, piece.offsets[i])
    return out
