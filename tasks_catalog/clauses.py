"""Find the responsible-unit clauses of a task and split them into units and roles.

Forms seen in real documents (after `text.clean_line` made the brackets full-width and turned
【】 and [ ] into 〔〕):
（责任单位：A、B）  〔责任单位：A，各县（区）政府〕  （牵头单位：A；配合单位：B）  （牵头单位：A责任单位：B）
（A牵头，B配合）  （A、B分别牵头）  （A牵头，B、C参与，D负责落实。以下均需D落实，不再列出）
（A会同有关部门负责）  （A指导，B负责落实）  （A、B、C等负责，列第一位者为牵头单位，下同）
（A、B等和各省级人民政府负责）  （牵头单位：A；责任单位：B，6月底完成）
A clause names units; its notes (下同, 列第一位者…, 不再列出) are not units, a deadline in it is
the task's, and a note such as 以下均需D落实，不再列出 adds D to this task and every later one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks_catalog import unitnames
from tasks_catalog.deadlines import CLAUSE_DEADLINE

OPEN, CLOSE = "（〔", "）〕"
LABELS = {
    "牵头单位": "lead",
    "牵头部门": "lead",
    "主办单位": "lead",
    "主责单位": "lead",
    "责任单位": "responsible",
    "责任部门": "responsible",
    "落实单位": "responsible",
    "配合单位": "support",
    "配合部门": "support",
    "协办单位": "support",
    "参与单位": "support",
    "协助单位": "support",
}
LABEL = re.compile(rf"({'|'.join(LABELS)})：")
# Role words after a group of names, longest first. "main" is 负责/指导: the lead where the
# clause also names supporters, otherwise the first listed leads.
ROLE_WORDS = (
    ("分别牵头负责", "lead"),
    ("分别牵头", "lead"),
    ("牵头负责", "lead"),
    ("牵头督导", "lead"),
    ("牵头落实", "lead"),
    ("牵头", "lead"),
    ("按职责分工负责", "main"),
    ("按职责负责", "main"),
    ("负责落实", "carry"),
    ("参与", "support"),
    ("配合", "support"),
    ("协助", "support"),
    ("协办", "support"),
    ("共同负责", "main"),
    ("负责", "main"),
    ("指导", "main"),
    ("落实", "carry"),
)
LEAD_RULE_NOTE = re.compile(r"列第一位|排在第一位|排名第一|排在首位|排序第一")
NOTE = re.compile(r"^(?:下同|不再列出|不再做分工|不再分工|不再重复列出|以下同)$")
DEFAULT_NOTE = re.compile(r"(?:以下|下同|不再列出|不再做分工|不再重复)")
DEFAULT_UNITS = re.compile(
    r"(?:均需|均由|均涉及|均要求|需)(?P<units>[^，。；]+?)(?:负责落实|落实|负责|参与|配合)?"
    r"(?:[，。；]|$)"
)


@dataclass(frozen=True)
class UnitMention:
    name: str
    role: str  # lead | support


@dataclass(frozen=True)
class Clause:
    start: int  # index of the opening bracket in the paragraph text
    end: int  # index after the closing bracket
    units: tuple[UnitMention, ...]
    deadline: str | None = None
    defaults: tuple[str, ...] = ()  # units the clause sets for every later task
    lead_rule: str | None = None


def find_clauses(text: str) -> list[Clause]:
    """Return the bracketed units clauses in `text`, in order."""
    found: list[Clause] = []
    i = 0
    while i < len(text):
        if text[i] in OPEN:
            end = _matching_close(text, i)
            if end is not None:
                clause = _clause_at(text, i, end)
                if clause is not None:
                    found.append(clause)
                    i = end
                    continue
        i += 1
    return found


def find_clause(text: str) -> Clause | None:
    """Return the last bracketed units clause in `text`, or None."""
    found = find_clauses(text)
    return found[-1] if found else None


def _clause_at(text: str, start: int, end: int) -> Clause | None:
    inner = text[start + 1 : end - 1]
    before = text[:start].rstrip()
    after = text[end:].lstrip()
    at_sentence_end = (
        not before or before[-1] in "。；！？：）〕" or not after or after[0] in "。；（〔"
    )
    if not at_sentence_end and not LABEL.match(inner):
        return None
    return parse_clause(inner, start, end)


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


def split_top(text: str, separators: str) -> list[str]:
    """Split on `separators` outside nested brackets (各县（市、区）政府 stays whole)."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth -= 1
        if depth == 0 and ch in separators:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


@dataclass
class _Group:
    names: list[str]
    role: str | None  # lead | support | main | carry | responsible | None


def parse_clause(inner: str, start: int = 0, end: int = 0) -> Clause | None:
    """Return the clause `inner` (without brackets) states, or None if it names no units."""
    sentences = split_top(inner, "。")
    if not sentences:
        return None
    groups, deadline, lead_rule, defaults = _groups(sentences[0])
    for note in sentences[1:]:
        defaults += _defaults(note)
        if LEAD_RULE_NOTE.search(note):
            lead_rule = note
    units = _roles(groups)
    if not units or not _looks_like_units(groups, bool(LABEL.search(sentences[0]))):
        return None
    return Clause(start, end, units, deadline, tuple(defaults), lead_rule)


def _groups(sentence: str) -> tuple[list[_Group], str | None, str | None, list[str]]:
    groups: list[_Group] = []
    deadline = lead_rule = None
    defaults: list[str] = []
    label_role: str | None = None
    for part in split_top(LABEL.sub(r"；\1：", sentence), "，；"):
        if NOTE.match(part):
            continue
        if LEAD_RULE_NOTE.search(part):
            lead_rule = part
            continue
        if CLAUSE_DEADLINE.fullmatch(part):
            deadline = part
            continue
        if DEFAULT_NOTE.search(part) and (found := _defaults(part)):
            defaults += found
            continue
        if m := LABEL.match(part):
            label_role, part = LABELS[m.group(1)], part[m.end() :]
        groups += [g for g in _group(part, label_role) if g.names]
    return groups, deadline, lead_rule, defaults


def _group(part: str, label_role: str | None) -> list[_Group]:
    """One part of a clause: names and the role word after them (A会同B负责 is two groups)."""
    part = part.removeprefix("由").strip()
    if "会同" in part and part.endswith("负责"):
        head, _, rest = part[: -len("负责")].partition("会同")
        return [
            _Group(unitnames.split_names(head), "main"),
            _Group(unitnames.split_names(rest), "support"),
        ]
    role = label_role
    for word, word_role in ROLE_WORDS:
        if part.endswith(word) and len(part) > len(word):
            rest = part[: -len(word)]
            if (
                word.startswith("按职责")
                and unitnames.is_collective(rest)
                and not re.search(r"[、，]|等$", rest)
            ):
                return [
                    _Group([part], word_role)
                ]  # 市级部门按职责分工负责: the phrase is the collective
            part, role = rest, word_role
            break
    return [_Group(unitnames.split_names(part), role)]


def _defaults(note: str) -> list[str]:
    m = DEFAULT_UNITS.search(note)
    if not m or not DEFAULT_NOTE.search(note):
        return []
    return unitnames.split_names(m.group("units"))


def _looks_like_units(groups: list[_Group], labelled: bool) -> bool:
    """A labelled clause names units whatever they are called (舟山海关); without a label most
    names must end like a unit's and none may read like a sentence."""
    names = [n for g in groups for n in g.names]
    if not names or any(
        unitnames.NOT_IN_NAMES.search(n.removesuffix("按职责分工负责")) or len(n) > 30
        for n in names
    ):
        return False
    if labelled:
        return True
    if not any(g.role for g in groups):
        return False  # （场所）, （浙江）: a remark, not an assignment
    return sum(unitnames.has_unit_suffix(n) for n in names) * 2 >= len(names)


def _roles(groups: list[_Group]) -> tuple[UnitMention, ...]:
    """Decide each group's role; the first listed leads where the text marks no lead."""
    kinds = {g.role for g in groups}
    has_lead = "lead" in kinds
    has_support = bool(kinds & {"support", "carry"})
    mentions: list[UnitMention] = []
    for g in groups:
        role = g.role
        if role == "responsible":
            role = "support" if has_lead else None
        elif role == "main":
            role = "support" if has_lead else ("lead" if has_support else None)
        elif role == "carry":
            role = "support" if len(groups) > 1 else None
        mentions += [UnitMention(n, role or "?") for n in g.names]
    if not any(m.role == "lead" for m in mentions):
        mentions = [
            UnitMention(m.name, "lead" if i == 0 else "support") for i, m in enumerate(mentions)
        ]
    return tuple(UnitMention(m.name, "support" if m.role == "?" else m.role) for m in mentions)


def is_collective(name: str) -> bool:
    return unitnames.is_collective(name)
