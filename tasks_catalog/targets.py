"""Find numeric targets in policy text: 新增国家标准 50 项以上, 平均制定周期缩短至 15 个月以内,
增长7%, 稳定在6287万亩以上, 力争突破2200家, 分别下降15%、10%和26% (one target each)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from tasks_catalog.numbers import parse_number
from tasks_catalog.target_lists import split_shared
from tasks_catalog.text import Piece

MEASURES = (
    "万亿元|亿元|万千瓦|千瓦|万吨|万亩|万平方米|平方米|公里|万人次|人次|万件|万人|万户|万个|万套"
    "|个工作日|工作日|个百分点|个月|微克每立方米|微克/立方米|小时|%|项|家|个|件|名|所|座|条|次|天"
    "|分|人|吨|户|套|部|台|辆|艘|处|种|张|场"
)
LEVEL_MEASURES = {
    "%",
    "个月",
    "天",
    "分",
    "微克每立方米",
    "微克/立方米",
    "工作日",
    "个工作日",
    "小时",
    "个百分点",
}
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
    "下降到": "<=",
    "超过": ">",
    "突破": ">",
    "达到": ">=",
    "提高到": ">=",
    "提升至": ">=",
    "提高至": ">=",
    "提升到": ">=",
    "达": ">=",
}
NUM = r"\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+"
TARGET_RE = re.compile(
    rf"(?P<pre>{'|'.join(sorted(PRE_CMP, key=len, reverse=True))})?"
    rf"(?P<num>{NUM})(?:(?:至|—|－|-|~|到)(?P<num2>{NUM}))?"
    rf"(?P<measure>{MEASURES})"
    rf"(?P<post>{'|'.join(POST_CMP)})?"
)
HORIZON = re.compile(
    r"(?:到|至)(?P<year>20\d\d)年(?!\d{1,2}月\d)"
    r"|^(?:20\d\d年?[—－-]+)?(?P<lead_year>20\d\d)年(?!\d|以来|起|开始|度|以前)|\d{1,2}月(?:底|末)前"
    r"|确保(?P<sure_year>20\d\d)年|“十四五”(?:期间|时期|末)?|每年|力争|争取"
)
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
    "推广",
    "开工",
    "建立",
    "开展",
)
LEADING_NOISE = re.compile(
    r"^(?:、|（[一二三四五六七八九十]+）|\d{1,3}[.、](?!\d)|其中|到20\d\d年(?:底|末)?(?:前)?|至20\d\d年|20\d\d年|“十四五”(?:期间|时期)?|每年|力争|争取"
    r"|全市|全省|全区|基本|确保|目标|\d{1,2}月底前)+"
)
TRAILING_NOISE = re.compile(
    r"(?:累计|达到|达|保持|为|实现|缩短至|缩短到|提高到|提升至|提高至|控制在|降至|稳定在|保持在|的"
    r"|力争|争取|确保)+$"
)
NOT_A_TARGET = re.compile(r"给予|补助|奖励|资助|万元|排名|选择|选取|涉及|约\d|强企业|（含）|一般为")
# 每5年修订1次, 每年调整1次: how often something is done, not a target
FREQUENCY = re.compile(r"每\d*[年月季周]\D{0,12}\d+次")
FALLING = re.compile(
    r"周期|时间|时长|时限|发生率|死亡率|失业率|能耗|排放|浓度|事故|天数$|成本|下降"
)


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


def falls(name: str) -> bool:
    """A quantity that should go down (a cycle time, an accident rate)."""
    return bool(FALLING.search(name)) and "优良" not in name


def kind_for(name: str, measure: str, pre: str | None) -> str:
    if "累计" in name:
        return "cumulative"
    if "新增" in name or re.search(r"(?:^|\s)新建", name):
        return "increment"
    if measure in LEVEL_MEASURES or re.search(r"(?:率|比例|比重|周期|满意度|指数)$", name):
        return "level"
    if re.search(r"稳定在|保持在|保持|产量|面积$", name):
        return "level"
    if pre in ("达到", "达", "突破", "超过"):
        return "cumulative"
    return "increment"


def _clean_name(raw: str) -> str:
    name = LEADING_NOISE.sub("", raw.strip("，、；：。 "))
    return TRAILING_NOISE.sub("", name).strip("，、；：。 “")


def verb_prefix(name: str) -> str:
    """新增主导或参与制修订国际标准 → 新增主导或参与制修订 (what a following list item inherits)."""
    best = -1
    for verb in VERBS:
        i = name.rfind(verb)
        if i >= 0:
            best = max(best, i + len(verb))
    return name[:best] if best > 0 else ""


def _year_of(horizon: re.Match[str] | None) -> int | None:
    if horizon is None:
        return None
    year = horizon.group("year") or horizon.group("lead_year") or horizon.group("sure_year")
    return int(year) if year else None


def in_sentence(
    piece: Piece, default_year: int | None, in_table: bool = False
) -> list[FoundTarget]:
    """Return the targets stated in one paragraph of cleaned text (or one cell of a task table,
    where every number of the task is a target for the document's year)."""
    found: list[FoundTarget] = []
    paragraph_year = default_year
    signal = in_table
    for sentence in re.finditer(r"[^。；]+[。；]?", piece.text):
        s_text, s_start = sentence.group(), sentence.start()
        horizon = HORIZON.search(s_text)
        # a paragraph that names its horizon states targets in its later sentences too
        paragraph_year = _year_of(horizon) or paragraph_year
        signal = signal or bool(horizon)
        previous: FoundTarget | None = None
        context = ""  # the clause before: 继续推进既有住宅增设电梯，12月底前开工建设200部
        for clause in re.finditer(r"[^，。；]+", s_text):
            c_text = clause.group()
            if NOT_A_TARGET.search(c_text) or FREQUENCY.search(c_text):
                context = c_text
                continue
            offset = s_start + clause.start()
            for target in _in_clause(c_text, signal, paragraph_year, previous):
                if target.name == verb_prefix(target.name) and context:
                    target.name = _clean_name(context) + target.name
                target.span = piece.span(offset + target.span[0], offset + target.span[1])
                found.append(target)
                previous = target
            context = c_text
    return found


def _in_clause(
    c_text: str, signal: bool, year: int | None, previous: FoundTarget | None
) -> list[FoundTarget]:
    shared = split_shared(c_text)
    if shared is not None:
        return [_target(n, c_text, m, year, (0, len(c_text))) for n, m in shared]
    found: list[FoundTarget] = []
    cursor = 0
    for m in TARGET_RE.finditer(c_text):
        if _is_year_or_ordinal(c_text, m):
            continue
        has_cmp = bool(m.group("pre") or m.group("post") or m.group("num2"))
        arabic = m.group("num")[0].isdigit()
        before = c_text[cursor : m.start()]
        listed = previous is not None and before.lstrip().startswith(("、", "和"))
        if not (has_cmp or signal or listed or "新增" in before) or (not arabic and not has_cmp):
            continue
        raw_name, name = before, _clean_name(before)
        after = _after(c_text, m)
        joined = before.rstrip().endswith(("和", "、", "及"))
        share = m.group("measure") == "%" and after.startswith("的")  # 50%的城市社区建成…
        if share:
            after = after[1:]
        short = len(name) <= 2  # 首批100个示范社区全面建成
        if (not name or name == verb_prefix(name) or joined or share or short) and after:
            # 新增 20 项国家标准 → 新增国家标准; 建设50所A和150个B → 建设A, 建设B
            head = verb_prefix(previous.name) if joined and previous else name
            head = verb_prefix(head) if share else head
            raw_name = before + after
            name = _clean_name(head + after)
        if not name:
            cursor = m.end()
            continue
        if previous and not verb_prefix(name) and before.lstrip().startswith("、"):
            name = verb_prefix(previous.name) + name
        target = _target(name, raw_name, m, year, (cursor, m.end()))
        if target.cmp == "=" and re.search(r"达到[^，]{0,20}的$", before):
            target.cmp = ">="  # 达到全市街（镇）总数的80%
        found.append(target)
        previous, cursor = target, m.end()
    if "零的突破" in c_text:
        name = _clean_name(c_text.split("实现零的突破")[0])
        span = (0, len(c_text))
        found.append(
            FoundTarget(
                name, Decimal(1), None, "项", ">=", "increment", False, year, None, None, span
            )
        )
    return found


def _after(c_text: str, m: re.Match[str]) -> str:
    """The words after a number up to the next one: 150个骨干专业（群） → 骨干专业（群）."""
    nxt = TARGET_RE.search(c_text, m.end())
    after = c_text[m.end() : nxt.start() if nxt else len(c_text)]
    return re.sub(r"[和、及]$", "", after.strip()).strip()


def _target(
    name: str, raw_name: str, m: re.Match[str], year: int | None, span: tuple[int, int]
) -> FoundTarget:
    pre, post = m.group("pre"), m.group("post")
    cmp = POST_CMP.get(post or "") or PRE_CMP.get(pre or "") or "="
    value_max = parse_number(m.group("num2")) if m.group("num2") else None
    if value_max is not None and cmp == "=":
        cmp = ">="
    return FoundTarget(
        name=name,
        value=parse_number(m.group("num")),
        value_max=value_max,
        measure=m.group("measure"),
        cmp=cmp,
        kind=kind_for(f"{name} {raw_name}", m.group("measure"), pre),
        per_year="每年" in raw_name or "每年" in m.string[: m.start()],
        year=year,
        baseline=None,
        baseline_year=None,
        span=span,
    )


def _is_year_or_ordinal(text: str, m: re.Match[str]) -> bool:
    before, after = text[: m.start()], text[m.end() :]
    return (
        before.endswith("第")
        or after.startswith(("年", "强"))
        or (m.group("measure") == "分" and not m.group("post"))
    )


def deduplicated(found: list[FoundTarget]) -> list[FoundTarget]:
    seen: set[tuple[object, ...]] = set()
    out = []
    for t in found:
        key = (t.name, t.value, t.measure, t.cmp, t.year)
        if key not in seen:
            seen.add(key)
            out.append(t)
    return out


def in_table(lines: list[tuple[str, int]]) -> list[FoundTarget]:
    from tasks_catalog.indicator_table import in_table as rows

    return rows(lines)
