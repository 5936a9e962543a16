"""Find the responsible-unit clause of a task and split it into units and roles.

Forms seen in real documents (after `text.clean_line` made the brackets full-width):
（责任单位：A、B）  〔责任单位：A，各县（区）政府〕  （牵头单位：A；配合单位：B）
（A牵头，B配合）  〔A牵头，B等按职责分工负责〕
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN, CLOSE = "（〔", "）〕"
# A clause must name one of these to count as a units clause.
CLAUSE_WORDS = ("责任单位", "牵头单位", "配合单位", "牵头", "责任部门", "主办单位", "协办单位")
COLLECTIVE_HINTS = (
    "按职责分工负责",
    "各县",
    "各区",
    "各镇",
    "各功能区",
    "功能区管委会",
    "各有关",
    "相关部门",
)
SEPARATORS = re.compile(r"[、，；]")
LEAD_LABEL = re.compile(r"^(?:责任单位|责任部门|牵头单位|主办单位)：")
SUPPORT_LABEL = re.compile(r"^(?:配合单位|协办单位|参与单位)：")


@dataclass(frozen=True)
class UnitMention:
    name: str
    role: str  # lead | support


@dataclass(frozen=True)
class Clause:
    start: int  # index of the opening bracket in the paragraph text
    end: int  # index after the closing bracket
    units: tuple[UnitMention, ...]


def find_clause(text: str) -> Clause | None:
    """Return the last bracketed units clause in `text`, or None."""
    for start in range(len(text) - 1, -1, -1):
        if text[start] not in OPEN:
            continue
        end = _matching_close(text, start)
        if end is None:
            continue
        inner = text[start + 1 : end - 1]
        if _is_units_clause(inner):
            return Clause(start, end, parse_units(inner))
    return None


def _matching_close(text: str, start: int) -> int | None:
    depth = 0
    for i in range(start, len(text)):
        if text[i] in OPEN:
            depth += 1
        elif text[i] in CLOSE:
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _is_units_clause(inner: str) -> bool:
    if LEAD_LABEL.match(inner) or SUPPORT_LABEL.match(inner):
        return True
    # （A牵头，B配合）: a short list ending in a role word, no sentence inside.
    return "牵头" in inner and "。" not in inner and len(inner) < 200


def _split(inner: str) -> list[str]:
    """Split on 、，； but not inside nested brackets such as 各县（区）政府."""
    parts, depth, cur = [], 0, ""
    for ch in inner:
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth -= 1
        if depth == 0 and SEPARATORS.match(ch):
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def parse_units(inner: str) -> tuple[UnitMention, ...]:
    """Return the units of a clause in order, the lead(s) first as written.

    Without an explicit role the first listed unit leads and the others support (the usual
    rule, which documents also state as 列第一位者为牵头单位).
    """
    mentions: list[UnitMention] = []
    explicit = False
    for segment in _split_segments(inner):
        segment_role = "?"
        if m := SUPPORT_LABEL.match(segment):
            segment_role, segment, explicit = "support", segment[m.end() :], True
        elif m := LEAD_LABEL.match(segment):
            if segment.startswith("牵头单位"):
                segment_role, explicit = "lead", True
            segment = segment[m.end() :]
        pending: list[str] = []  # names waiting for a trailing role word: A、B牵头
        for name in _split(segment):
            role, name = _trailing_role(name)
            if role is None:
                pending.append(name)
                continue
            explicit = True
            mentions += [UnitMention(p, role) for p in pending]
            pending = []
            if name:
                mentions.append(UnitMention(name, role))
        mentions += [UnitMention(p, segment_role) for p in pending]
    if not explicit:
        return tuple(
            UnitMention(m.name, "lead" if i == 0 else "support") for i, m in enumerate(mentions)
        )
    return tuple(UnitMention(m.name, "support" if m.role == "?" else m.role) for m in mentions)


def _split_segments(inner: str) -> list[str]:
    """（牵头单位：A；配合单位：B） has labelled segments; split before each later label."""
    return re.split(
        r"[；，](?=(?:责任单位|责任部门|牵头单位|主办单位|配合单位|协办单位|参与单位)：)", inner
    )


def _trailing_role(name: str) -> tuple[str | None, str]:
    """市科技局牵头 → ('lead', '市科技局'); B等按职责分工负责 → ('support', 'B') plus a placeholder."""
    for word, role in (
        ("牵头负责", "lead"),
        ("牵头", "lead"),
        ("配合", "support"),
        ("协助", "support"),
    ):
        if name.endswith(word) and len(name) > len(word):
            return role, name[: -len(word)].strip()
    m = re.match(r"^(.+?)等(?:部门|单位)?按职责分工负责$", name)
    if m:
        return "support", m.group(1)
    return None, name


def is_collective(name: str) -> bool:
    return any(h in name for h in COLLECTIVE_HINTS)
