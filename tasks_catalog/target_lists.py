"""One clause, several targets: A和B分别达到65%和55%, A、B均达到45%, 建设A、B、C示范基地各10万亩,
二氧化硫、氮氧化物和挥发性有机物等主要污染物排放总量比2015年分别下降15%、10%和26%."""

from __future__ import annotations

import re

OPEN, CLOSE = "（", "）"
SHARED = re.compile(
    r"(?P<subjects>.+?)(?P<word>分别|均|各)(?P<verb>[^\d零一二两三四五六七八九十]{0,4})(?P<nums>\d.*)$"
)


def _split(text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == OPEN
        depth -= ch == CLOSE
        if depth == 0 and ch in "、和":
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def split_shared(clause: str) -> list[tuple[str, re.Match[str]]] | None:
    """Return (name, number match) per target of a shared-verb clause; None for any other."""
    from tasks_catalog.targets import TARGET_RE, verb_prefix

    m = SHARED.match(clause)
    if m is None:
        return None
    numbers = [
        n for n in TARGET_RE.finditer(clause, m.start("nums")) if n.group("num")[0].isdigit()
    ]
    if not numbers:
        return None
    subjects, tail = _subjects(m.group("subjects"))
    verb = m.group("verb")
    if m.group("word") == "分别" and len(numbers) == len(subjects) > 1:
        pairs = list(zip(subjects, numbers, strict=True))
    elif m.group("word") in ("均", "各") and len(numbers) == 1 and len(subjects) > 1:
        pairs = [(s, numbers[0]) for s in subjects]
    else:
        return None
    prefix = verb_prefix(subjects[0])
    names = []
    for i, (subject, number) in enumerate(pairs):
        name = subject if i == 0 or not prefix else prefix + subject
        names.append((f"{name}{tail}{verb}".strip("，、 "), number))
    return names


def _subjects(text: str) -> tuple[list[str], str]:
    """二氧化硫（SO2）、氮氧化物（NOX）和挥发性有机物（VOCs）等主要污染物排放总量比2015年 →
    ([二氧化硫（SO2）, 氮氧化物（NOX）, 挥发性有机物（VOCs）], 排放总量比2015年)."""
    text = re.sub(r"^(?:到20\d\d年|全市|全省|全区|其中)+", "", text)
    head, sep, tail = text.partition("等")
    if sep:
        tail = re.sub(r"^(?:主要|重点)?[\u4e00-\u9fff]{0,4}?(?=排放|指标|产量|面积|总量)", "", tail)
        return _split(head), tail
    return _split(text), ""
