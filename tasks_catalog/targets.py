"""Find numeric targets in policy text: 新增国家标准 50 项以上, 平均制定周期缩短至 15 个月以内, and
the rows of indicator tables that PDF extraction flattened into lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from tasks_catalog.numbers import parse_number
from tasks_catalog.text import Piece, is_ideograph, map_char

MEASURES = "万件|万人|亿元|个月|%|项|家|个|件|名|所|座|条|次|天|分|人|吨"
COUNT_MEASURES = {"项", "家", "个", "件", "名", "所", "座", "条", "次", "人", "万件", "万人"}
LEVEL_MEASURES = {"%", "个月", "天", "分"}
POST_CMP = {"以上": ">=", "不少于": ">=", "以内": "<=", "以下": "<=", "不超过": "<=", "左右": "≈"}
PRE_CMP = {
    "不低于": ">=",
    "不少于": ">=",
    "至少": ">=",
    "不超过": "<=",
    "不高于": "<=",
    "控制在": "<=",
    "缩短至": "<=",
    "缩短到": "<=",
    "降低到": "<=",
    "降至": "<=",
    "超过": ">",
    "达到": ">=",
    "提高到": ">=",
    "提升至": ">=",
    "提高至": ">=",
    "达": ">=",
}
NUM = r"\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+"
TARGET_RE = re.compile(
    rf"(?P<pre>{'|'.join(sorted(PRE_CMP, key=len, reverse=True))})?"
    rf"(?P<num>{NUM})(?:(?:至|—|－|-|~|到)(?P<num2>{NUM}))?"
    rf"(?P<measure>{MEASURES})"
    rf"(?P<post>{'|'.join(POST_CMP)})?"
)
HORIZON = re.compile(r"(?:到|至)(?P<year>20\d\d)年|“十四五”(?:期间|时期|末)?|每年|力争|争取")
VERBS = (
    "新增",
    "制修订",
    "制订",
    "制定",
    "培育",
    "承担",
    "建设",
    "创建",
    "认定",
    "发布",
    "组建",
    "建成",
    "新建",
    "创",
    "打造",
    "实施",
    "搭建",
    "累计",
)
LEADING_NOISE = re.compile(
    r"^(?:、|其中|到20\d\d年|至20\d\d年|“十四五”(?:期间|时期)?|每年|力争|争取|全市|全省|全区|基本)+"
)
TRAILING_NOISE = re.compile(
    r"(?:累计|达到|达|保持|为|实现|缩短至|缩短到|提高到|提升至|提高至|控制在|降至|的)+$"
)
NOT_A_TARGET = re.compile(r"给予|补助|奖励|资助|万元|排名")


@dataclass
class FoundTarget:
    name: str
    value: Decimal
    value_max: Decimal | None
    measure: str
    cmp: str
    kind: str
    per_year: bool
    year: int | None
    baseline: Decimal | None
    baseline_year: int | None
    span: tuple[int, int]


def kind_for(name: str, measure: str, pre: str | None) -> str:
    if "累计" in name:
        return "cumulative"
    if "新增" in name:
        return "increment"
    if measure in LEVEL_MEASURES or re.search(r"(?:率|比例|比重|周期|满意度|指数)$", name):
        return "level"
    if pre in ("达到", "达"):
        return "cumulative"
    return "increment"


def _clean_name(raw: str) -> str:
    name = LEADING_NOISE.sub("", raw.strip("，、；：。 "))
    return TRAILING_NOISE.sub("", name).strip("，、；：。 “")


def _verb_prefix(name: str) -> str:
    """新增主导或参与制修订国际标准 → 新增主导或参与制修订 (what a following list item inherits)."""
    best = -1
    for verb in VERBS:
        i = name.rfind(verb)
        if i >= 0:
            best = max(best, i + len(verb))
    return name[:best] if best > 0 else ""


def in_sentence(piece: Piece, default_year: int | None) -> list[FoundTarget]:
    """Return the targets stated in one paragraph of cleaned text."""
    found: list[FoundTarget] = []
    text = piece.text
    paragraph_year = default_year
    for sentence in re.finditer(r"[^。；]+[。；]?", text):
        s_text, s_start = sentence.group(), sentence.start()
        horizon = HORIZON.search(s_text)
        if horizon and horizon.group("year"):
            paragraph_year = int(horizon.group("year"))  # holds for the sentences after it too
        year = paragraph_year
        previous: FoundTarget | None = None
        for clause in re.finditer(r"[^，。；]+", s_text):
            c_text, c_start = clause.group(), clause.start()
            if NOT_A_TARGET.search(c_text):
                continue
            cursor = 0
            for m in TARGET_RE.finditer(c_text):
                if _is_year_or_ordinal(c_text, m):
                    continue
                has_cmp = bool(m.group("pre") or m.group("post") or m.group("num2"))
                arabic = m.group("num")[0].isdigit()
                signal = has_cmp or horizon or "新增" in c_text[: m.start()]
                if not signal or (not arabic and not has_cmp):
                    continue
                before = c_text[cursor : m.start()]
                after = c_text[m.end() :] if cursor == 0 else ""
                raw_name = before
                name = _clean_name(before)
                if (
                    (not name or name == _verb_prefix(name))
                    and after
                    and not TARGET_RE.search(after)
                ):
                    raw_name = before + after
                    name = _clean_name(raw_name)  # 新增 20 项国家标准 → 新增国家标准
                if not name:
                    cursor = m.end()
                    continue
                if previous and not _verb_prefix(name) and before.lstrip().startswith("、"):
                    name = _verb_prefix(previous.name) + name
                pre, post = m.group("pre"), m.group("post")
                cmp = POST_CMP.get(post or "") or PRE_CMP.get(pre or "") or "="
                value = parse_number(m.group("num"))
                value_max = parse_number(m.group("num2")) if m.group("num2") else None
                if value_max is not None and cmp == "=":
                    cmp = ">="
                start = s_start + c_start + cursor
                end = s_start + c_start + m.end()
                previous = FoundTarget(
                    name=name,
                    value=value,
                    value_max=value_max,
                    measure=m.group("measure"),
                    cmp=cmp,
                    kind=kind_for(raw_name, m.group("measure"), pre),
                    per_year="每年" in c_text,
                    year=year,
                    baseline=None,
                    baseline_year=None,
                    span=piece.span(start, end),
                )
                found.append(previous)
                cursor = m.end()
            if "零的突破" in c_text:
                name = _clean_name(c_text.split("实现零的突破")[0])
                span = piece.span(s_start + c_start, s_start + c_start + len(c_text))
                found.append(
                    FoundTarget(
                        name,
                        Decimal(1),
                        None,
                        "项",
                        ">=",
                        "increment",
                        False,
                        year,
                        None,
                        None,
                        span,
                    )
                )
    return found


def _is_year_or_ordinal(text: str, m: re.Match[str]) -> bool:
    before = text[: m.start()]
    after = text[m.end() :]
    return (
        before.endswith("第")
        or after.startswith("年")
        or (m.group("measure") == "分" and not m.group("post"))
    )


# --- tables ------------------------------------------------------------------------------

TABLE_UNITS = "万件|家|%|项|件|个|分"
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
        base = m.group("base")
        found.append(
            FoundTarget(
                name=raw_name.strip(),
                value=Decimal(m.group("target")),
                value_max=None,
                measure=measure,
                cmp=POST_CMP.get(cmp_word, "="),
                kind=kind,
                per_year=False,
                year=year,
                baseline=None if base == "-" else Decimal(base),
                baseline_year=None if base == "-" else baseline_year,
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
