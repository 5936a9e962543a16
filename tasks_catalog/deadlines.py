"""Deadlines as documents write them, and the day each one ends.

`2024年底前` → 2024-12-31, `6月底前` → the 30 June of the document's year, `2019年上半年` →
2019-06-30, `三季度` → 30 September, `到2020年，` → 2020-12-31; `持续推进`, `长期坚持` have no day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from tasks_catalog.numbers import chinese_to_int

_Y = r"(?:(?P<y>20\d\d)年)?"
_DAY = r"(?P<m>\d{1,2})月(?:份)?(?:(?P<d>\d{1,2})日|(?P<part>底|末|中旬|上旬|下旬))?"
_QUARTER = r"(?:第)?(?P<q>[一二三四1-4])季度(?:末|底)?"
_HALF = r"(?P<half>上半年|下半年)"
_YEAR_END = r"(?P<ye>年底|年末|年内|底|末)"
OPEN_ENDED = re.compile(r"长期坚持|持续推进|长期推进|持续开展|长期开展|长期|持续|常态化推进")
WHEN = re.compile(
    rf"(?P<every>每年)?{_Y}(?:{_DAY}|{_QUARTER}|{_HALF}|{_YEAR_END})(?P<before>前|以前|之前)?"
    rf"(?P<done>完成|全面完成|基本完成|见效)?"
)
# A whole part of a unit clause: （牵头单位：A；责任单位：B，6月底完成）
CLAUSE_DEADLINE = re.compile(
    rf"(?:(?:于|在)?(?:{WHEN.pattern})|{OPEN_ENDED.pattern})(?:[前内])?(?:完成|到位)?"
)
# In a task's text only forms that say "by then": …前, …完成, 到2020年，…
IN_TEXT = re.compile(
    r"(?:20\d\d年)?\d{1,2}月(?:\d{1,2}日|底|末|中旬|上旬|下旬)?(?:前|以前)"
    r"|20\d\d年(?:底|末|年底|上半年|下半年)前?"
    r"|(?:20\d\d年)?\d{1,2}月(?:底|末)完成"
    r"|(?<![\u4e00-\u9fff])(?:到|至)20\d\d年(?:底|末)?(?:前)?(?=，)"
    r"|(?<=[，。；])(?:到|至)20\d\d年(?:底|末)?(?:前)?(?=，)"
)
CAMPAIGN = re.compile(
    r"(?:时间|期限|时限)为?(?:20\d\d年)?\d{1,2}月\d{1,2}日?(?:起)?至(?P<end>(?:20\d\d年)?\d{1,2}月\d{1,2}日)"
)
QUARTER_END = {1: 3, 2: 6, 3: 9, 4: 12}


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def due_date(deadline: str, doc_year: int | None) -> dt.date | None:
    """Return the last day of the period `deadline` names; None when open-ended or the year is
    unknown."""
    text = deadline.replace(" ", "")
    if bare := re.fullmatch(r"(?:到|至)?(20\d\d)年(?:底|末)?(?:前)?", text):
        return dt.date(int(bare.group(1)), 12, 31)
    m = WHEN.search(text)
    if m is None or (OPEN_ENDED.fullmatch(text) and not re.search(r"\d", text)):
        return None
    year = int(m.group("y")) if m.group("y") else doc_year
    if year is None:
        return None
    if m.group("m"):
        month = int(m.group("m"))
        if not 1 <= month <= 12:
            return None
        day = m.group("d")
        part = m.group("part")
        if day:
            return dt.date(year, month, min(int(day), calendar.monthrange(year, month)[1]))
        if part == "上旬":
            return dt.date(year, month, 10)
        if part == "中旬":
            return dt.date(year, month, 20)
        return _month_end(year, month)
    if m.group("q"):
        q = m.group("q")
        quarter = int(q) if q.isdigit() else chinese_to_int(q)
        return _month_end(year, QUARTER_END[quarter])
    if m.group("half") == "上半年":
        return dt.date(year, 6, 30)
    if m.group("half") or m.group("ye") or m.group("y"):
        return dt.date(year, 12, 31)
    return None


def resolve(deadline: str | None, doc_year: int | None) -> tuple[str | None, dt.date | None]:
    if not deadline:
        return None, None
    return deadline, due_date(deadline, doc_year)


def in_text(text: str, doc_year: int | None) -> str | None:
    """Return the deadline a task's text sets: the latest of its "by then" phrases."""
    found = [m.group() for m in IN_TEXT.finditer(text.replace(" ", ""))]
    if not found:
        return None
    dated = [(due_date(f, doc_year), i, f) for i, f in enumerate(found)]
    known = [d for d in dated if d[0] is not None]
    if known:
        return max(known)[2]
    return found[-1]


def campaign_end(text: str) -> str | None:
    """The end of a document-wide action period (此次专项行动时间为…至2017年2月28日)."""
    m = CAMPAIGN.search(text.replace(" ", ""))
    return m.group("end") if m else None
