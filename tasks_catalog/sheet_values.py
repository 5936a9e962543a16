"""The values in a 任务分工表's cells: units (canonical names, 待确认 marks), deadlines (by the
extractor's resolver), numbers, comparators and kinds, written as text and read back from what an
office typed, with full-width digits, aliases and synonyms. A value that cannot be read raises
CellError saying what to write instead."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tasks_catalog import deadlines
from tasks_catalog.directory import AmbiguousUnit, Directory, DirectoryUnit, UnknownUnit
from tasks_catalog.schema import Cmp, Kind, Plan, Role, UnitRef

PROPOSED_MARK = "（待确认）"
NONE_SHOWN = "（无）"
CMP_WORDS: dict[Cmp, str] = {
    Cmp.AT_LEAST: "不低于",
    Cmp.AT_MOST: "不高于",
    Cmp.EQUAL: "等于",
    Cmp.ABOVE: "高于",
    Cmp.ABOUT: "约",
}
KIND_WORDS: dict[Kind, str] = {Kind.INCREMENT: "新增", Kind.CUMULATIVE: "累计", Kind.LEVEL: "水平"}
# what else an office writes for them
_CMP_SAID: dict[Cmp, tuple[str, ...]] = {
    Cmp.AT_LEAST: ("≥", "≧", "不少于", "大于等于", "至少", "达到"),
    Cmp.AT_MOST: ("≤", "≦", "不超过", "不多于", "小于等于", "以内"),
    Cmp.EQUAL: ("==",),
    Cmp.ABOVE: ("大于", "超过"),
    Cmp.ABOUT: ("~", "约为", "左右"),
}
_KIND_SAID: dict[Kind, tuple[str, ...]] = {
    Kind.INCREMENT: ("增量", "新增量"),
    Kind.CUMULATIVE: ("累计值", "存量", "总量"),
    Kind.LEVEL: ("水平值", "比率", "比例", "率"),
}
_CMP_SYNONYMS: dict[str, Cmp] = {
    said: cmp for cmp, words in _CMP_SAID.items() for said in (cmp, CMP_WORDS[cmp], *words)
}
_KIND_SYNONYMS: dict[str, Kind] = {
    said: kind for kind, words in _KIND_SAID.items() for said in (KIND_WORDS[kind], *words)
}
_FULL_WIDTH_DIGITS = {0xFF10 + d: str(d) for d in range(10)}
_MARK = re.compile(r"[（(]\s*待确认\s*[)）]\s*$")
_NAME_SEPARATORS = "、，,；;/／\n\t "
_NUMBER = r"\d+(?:\.\d+)?"
_SIGNED = r"-?\d+(?:\.\d+)?"
_GOAL = re.compile(rf"(?P<every>每年)?(?P<v>{_NUMBER})(?:[-–—~～至到](?P<max>{_NUMBER}))?%?")


class CellError(ValueError):
    """What is wrong with one cell's text, as sentences the office can act on."""

    def __init__(self, *messages: str):
        self.messages = list(messages)
        super().__init__("；".join(messages))


@dataclass(frozen=True)
class Context:
    """What reading a cell needs beyond its text."""

    directory: Directory
    jurisdiction: str
    doc_year: int
    end_year: int
    host: str | None


def context_for(plan: Plan, directory: Directory) -> Context:
    return Context(directory, plan.jurisdiction, doc_year(plan), plan.end_year, plan.host)


def doc_year(plan: Plan) -> int:
    """The year a deadline without one (6月底前) falls in: the document's, from its number."""
    found = re.search(r"[〔\[［(（](20\d\d)[〕\]］)）]", plan.doc_number or "")
    return int(found.group(1)) if found else plan.start_year


def clean(text: str) -> str:
    """The text as compared and stored: one newline convention, no surrounding blanks."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def number_text(value: Decimal) -> str:
    """50, 99.49, 4000: no exponent, no trailing zeros."""
    return format(value.normalize(), "f")


def _ascii(text: str) -> str:
    """Full-width digits, letters and signs as typed with a Chinese input method, made plain."""
    return unicodedata.normalize("NFKC", text).replace(" ", "")


# --- units -------------------------------------------------------------------------------


def units_text(units: list[UnitRef]) -> str:
    return "、".join(u.name + (PROPOSED_MARK if u.proposed else "") for u in units)


def _split_names(text: str) -> list[str]:
    """Names separated by 、，；/ or blanks, but not inside brackets: 各县（市、区）政府 is one."""
    names, current, depth = [], "", 0
    for char in text:
        if char in "（(":
            depth += 1
        elif char in "）)":
            depth = max(depth - 1, 0)
        if char in _NAME_SEPARATORS and depth == 0:
            names.append(current)
            current = ""
        else:
            current += char
    return [n.strip() for n in [*names, current] if n.strip()]


def resolve_unit(name: str, ctx: Context) -> DirectoryUnit:
    """The directory unit `name` denotes, trying the other kind of brackets as typed."""
    swapped = name.translate(str.maketrans("()（）", "（）()"))
    try:
        return ctx.directory.resolve(name, ctx.jurisdiction)
    except UnknownUnit:
        if swapped == name:
            raise
        try:
            return ctx.directory.resolve(swapped, ctx.jurisdiction)
        except LookupError:
            raise UnknownUnit(name, ctx.jurisdiction, []) from None


def _unit_problem(name: str, exc: LookupError, ctx: Context) -> str:
    if isinstance(exc, AmbiguousUnit):
        return f"“{name}”可能是{'、'.join(exc.candidates)}中的任何一个；请填写单位全称"
    closest: list[str] = []
    for suggestion in getattr(exc, "suggestions", []):
        try:
            canonical = ctx.directory.resolve(suggestion, ctx.jurisdiction).name
        except LookupError:  # an alias several units share: show it as it is
            canonical = suggestion
        if canonical not in closest:
            closest.append(canonical)
    if closest:
        return f"“{name}”不是已知单位，最接近的是：{'、'.join(closest)}；请填写单位全称或简称"
    return f"“{name}”不是已知单位；请填写“单位名录”表中的单位全称或简称"


def parse_units(text: str, role: Role, ctx: Context) -> list[UnitRef]:
    """Units named in a cell, canonical, in order; a name may hold 、 (各镇人民政府、街道办事处)."""
    parts = _split_names(text)
    units: list[UnitRef] = []
    problems: list[str] = []
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):  # the longest run of parts that names one unit
            joined = "、".join(parts[i:j])
            bare = _MARK.sub("", joined).strip()
            try:
                unit = resolve_unit(bare, ctx)
            except LookupError as exc:
                if j == i + 1:
                    problems.append(_unit_problem(bare, exc, ctx))
                continue
            units.append(UnitRef(name=unit.name, role=role, proposed=bool(_MARK.search(joined))))
            break
        i = j
    seen: set[str] = set()
    for ref in units:
        if ref.name in seen:
            problems.append(f"“{ref.name}”填写了两次；每个单位只填一次")
        seen.add(ref.name)
    if problems:
        raise CellError(*problems)
    return units


def parse_owner(text: str, ctx: Context) -> str | None:
    if not text:
        if ctx.host is None:
            raise CellError("请填写责任单位（本计划没有默认的责任单位）")
        return None
    units = parse_units(text, Role.LEAD, ctx)
    if len(units) > 1:
        raise CellError("责任单位只填一个单位")
    return units[0].name


# --- deadlines ---------------------------------------------------------------------------


def deadline_text(value: tuple[str | None, dt.date | None]) -> str:
    return value[0] or ""


def show_deadline(value: tuple[str | None, dt.date | None]) -> str:
    text, due = value
    if not text:
        return "（未规定）"
    return f"{text}（{due.year}年{due.month}月{due.day}日）" if due else text


def parse_deadline(text: str, ctx: Context) -> tuple[str | None, dt.date | None]:
    """The deadline as written and the day it ends, by the extractor's own resolver."""
    if not text:
        return None, None
    flat = re.sub(r"\s+", "", text.translate(_FULL_WIDTH_DIGITS))
    whole = deadlines.CLAUSE_DEADLINE.fullmatch(flat) or re.fullmatch(
        r"(?:到|至)?20\d\d年(?:底|末)?前?", flat
    )
    due = deadlines.due_date(flat, ctx.doc_year) if whole else None
    if whole and (due is not None or deadlines.OPEN_ENDED.fullmatch(flat)):
        return flat, due
    raise CellError(f"完成时限“{text}”无法识别，请写成“{ctx.end_year}年底前”“6月底前”或“长期坚持”")


# --- numbers and words --------------------------------------------------------------------


def parse_decimal(text: str, what: str, example: str = "50") -> Decimal | None:
    if not text:
        return None
    flat = _ascii(text).replace(",", "")
    try:
        if re.fullmatch(_SIGNED, flat):
            return Decimal(flat)
    except InvalidOperation:
        pass
    raise CellError(f"{what}应为数字，例如 {example}")


def parse_year(text: str, what: str, ctx: Context, required: bool) -> int | None:
    flat = _ascii(text).removesuffix("年")
    if not flat and not required:
        return None
    if re.fullmatch(r"(19|20)\d\d", flat):
        return int(flat)
    raise CellError(f"{what}应为四位年份，例如 {ctx.end_year}")


Goal = tuple[Decimal, Decimal | None, bool]  # value, value_max, per_year


def goal_text(goal: Goal) -> str:
    value, value_max, per_year = goal
    text = number_text(value) + (f"–{number_text(value_max)}" if value_max is not None else "")
    return f"每年 {text}" if per_year else text


def parse_goal(text: str, ctx: Context) -> Goal:
    found = _GOAL.fullmatch(_ascii(text).replace(",", ""))
    if not found:
        raise CellError("目标值应为数字，例如 50 或 10–20；每年都要达到的写“每年 10”")
    value = Decimal(found.group("v"))
    value_max = Decimal(found.group("max")) if found.group("max") else None
    if value_max is not None and value_max < value:
        raise CellError(f"目标值区间应从小到大，例如 {found.group('max')}–{found.group('v')}")
    return value, value_max, bool(found.group("every"))


def parse_cmp(text: str, ctx: Context) -> Cmp:
    found = _CMP_SYNONYMS.get(_ascii(text))
    if found is None:
        raise CellError(f"比较应为{'、'.join(CMP_WORDS.values())}之一")
    return found


def parse_kind(text: str, ctx: Context) -> Kind:
    found = _KIND_SYNONYMS.get(_ascii(text))
    if found is None:
        raise CellError("类型应为新增（规划期内新增）、累计（期末累计达到）或水平（比率、水平值）")
    return found


def parse_ref(text: str, ctx: Context) -> str:
    ref = _ascii(text)
    if not ref:
        raise CellError("请填写序号，例如 二(一)1")
    return ref


def parse_measure(text: str, ctx: Context) -> str:
    if not text:
        raise CellError("请填写计量单位，例如 项、家、%")
    return _ascii(text)


def required_text(what: str) -> Callable[[str, Context], str]:
    def parse(text: str, ctx: Context) -> str:
        if not text:
            raise CellError(f"请填写{what}")
        return text

    return parse


def optional_number(value: Decimal | None) -> str:
    return "" if value is None else number_text(value)


def optional_year(value: int | None) -> str:
    return "" if value is None else str(value)
