"""A document's title, number, issuer, jurisdiction, years and lead rule."""

from __future__ import annotations

import re

from tasks_catalog.text import Line, clean_line

TITLE = re.compile(r"^[^《]*关于.+(?:意见|规划|方案|通知|办法|计划|决定|细则|要点|分解|清单|措施)$")
# A title without 关于: 相山区城管局2024年第四季度重点工作任务完成情况, 潮州市…实施方案（2019-2020年）
PLAIN_TITLE = re.compile(
    r"^[^，。：:；|]{4,60}(?:方案|规划|计划|要点|清单|情况|分解|意见)(?:（[^（）]{1,16}）)?$"
)
QUOTED = re.compile(r"《([^》]+(?:方案|规划|意见|计划|要点|清单))》")
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}〔(?:19|20)\d\d〕\d+号")
# What may stand before a number but is no part of it: 通知舟政办发〔2026〕12号, 文号：…
NUMBER_PREFIX_NOISE = re.compile(r"^.*(?:通知|文号|关于|印发|的|号|见|：|、|》)")
LEAD_RULE = re.compile(
    r"[^。，（〔]*(?:列第一位|排名第一|排在首位|排在第一位)[^。）〕]*(?:牵头单位|牵头部门|牵头|汇总单位)[^。）〕]*"
)
TITLE_RANGE = re.compile(r"[（(](20\d\d)\s*[-—－─–至]\s*(20\d\d)年?[）)]")
ISSUED = re.compile(
    r"〔(20\d\d)〕|^(20\d\d)年\d{1,2}月\d{1,2}日$|(?:发布|发文|生成|发表)(?:日期|时间)[：:|\s]*(20\d\d)"
)
FIVE_YEAR = {"十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
JURISDICTIONS = (
    ("舟山", "zhoushan"),
    ("嘉兴", "jiaxing"),
    ("城厢", "chengxiang"),
    ("浙江", "zhejiang"),
)


def find_title(lines: list[tuple[str, int]]) -> str | None:
    """Return the document's own title from its first lines, joining a title broken in two."""
    cleaned = [clean_line(raw, base).piece.text for raw, base in lines[:40]]
    cleaned = [re.sub(r"[（(][^（）()]*〔\d{4}〕\d+号[）)]$", "", c) for c in cleaned if c]
    for i, line in enumerate(cleaned):
        if TITLE.match(line) and len(line) < 120:
            return line
        for j in (1, 2):
            joined = "".join(cleaned[i : i + j + 1])
            if i + j < len(cleaned) and "关于" in line and TITLE.match(joined):
                return joined
    return next((line for line in cleaned[:12] if PLAIN_TITLE.match(line)), None)


def doc_number(lines: list[tuple[str, int]]) -> str | None:
    """The document's own number: a line of its own, after 文号, or in the title; never a
    number cited after a 《title》."""
    texts = [clean_line(raw, base).piece.text for raw, base in lines[:40]]
    for text in texts:
        flat = re.sub(r"[\s|：:]", "", text)
        for m in DOC_NUMBER.finditer(flat):
            before = flat[: m.start()]
            if before.endswith(("》（", "》")) or "》（" in flat[max(0, m.start() - 2) : m.start()]:
                continue
            cut = m.group().index("〔")
            number = NUMBER_PREFIX_NOISE.sub("", m.group()[:cut]) + m.group()[cut:]
            alone = flat == m.group() or (flat.startswith(number) and len(flat) <= len(number) + 2)
            labelled = before.endswith("文号") or "文号" in before[-12:]
            in_title = flat.endswith(("）", ")")) and "关于" in flat
            if alone or labelled or in_title:
                return number
    return None


def doc_year(paras: list[Line], title: str) -> int | None:
    """The year the document was issued, from its number, signature date or publication line."""
    for p in paras[:60]:
        for m in ISSUED.finditer(p.piece.text.replace(" ", "")):
            return int(next(g for g in m.groups() if g))
    year = re.search(r"(20\d\d)年", title)
    return int(year.group(1)) if year else None


def years(text: str, title: str, issued: int | None) -> tuple[int, int]:
    flat = re.sub(r"\s+", "", text)
    span = re.search(r"规划期限为(20\d\d)[-—－至](20\d\d)年", flat) or TITLE_RANGE.search(title)
    if span:
        return int(span.group(1)), int(span.group(2))
    for word, period in FIVE_YEAR.items():
        if word in title or (word in flat[:3000] and word != "十五五"):
            return period
    single = re.search(r"(20\d\d)年", title)
    if single:
        return int(single.group(1)), int(single.group(1))
    horizon = [int(y) for y in re.findall(r"(?:到|至)(20\d\d)年", flat)]
    horizon = [y for y in horizon if issued is None or issued <= y <= issued + 15]
    if not horizon:
        year = issued or 2025
        return year, year
    end = min((y for y in horizon if y < 2030), default=max(horizon))
    mentioned = [int(y) for y in re.findall(r"(20\d\d)年", flat) if 2000 <= int(y) <= end]
    start = issued if issued and issued <= end else min(mentioned, default=end)
    return start, end


def jurisdiction(title: str, text: str) -> str:
    code = next((c for word, c in JURISDICTIONS if word in title), None)
    return code or next((c for word, c in JURISDICTIONS if word in text[:3000]), "unknown")


def lead_rule(text: str) -> str | None:
    rule = LEAD_RULE.search(text)
    return rule.group().strip() if rule else None
