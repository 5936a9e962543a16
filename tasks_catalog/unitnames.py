"""Unit names as documents list them: split a list, tell a unit from a phrase, spot collectives."""

from __future__ import annotations

import re

OPEN, CLOSE = "（〔", "）〕"
SUFFIXES = (
    "局",
    "委",
    "办",
    "部",
    "厅",
    "署",
    "院",
    "会",
    "队",
    "所",
    "中心",
    "政府",
    "公司",
    "单位",
    "部门",
    "机构",
    "组",
    "处",
    "科",
    "室",
    "站",
    "联",
    "社",
    "中央",
    "银行",
    "府",
    "街道",
    "镇",
    "乡",
    "街办",
    "海关",
    "支队",
    "团",
    "集团",
    "指挥部",
    "管委会",
    "党委",
    "工委",
    "法院",
    "馆",
    "台",
)
# Words of a sentence, never of a name: （技工院校内由人力资源社会保障行政部门负责） is a remark.
NOT_IN_NAMES = re.compile(r"[由的要将对按为是把从向应并即如]|以下|上述")
TRAILING_ETC = re.compile(r"(?:等有关部门|等相关部门|等部门|等单位|等)$")
COLLECTIVE_HINTS = (
    "按职责分工负责",
    "各县",
    "各区",
    "各镇",
    "各市",
    "各省",
    "各街",
    "各功能区",
    "各开发区",
    "功能区管委会",
    "各有关",
    "有关部门",
    "有关单位",
    "相关部门",
    "相关单位",
    "相关市",
    "成员单位",
    "市直各",
    "市级部门",
)


def _bare(name: str) -> str:
    """The name without a trailing bracket: 各街办（新区） → 各街办."""
    while name and name[-1] in CLOSE:
        depth, i = 0, len(name) - 1
        while i >= 0:
            depth += name[i] in CLOSE
            depth -= name[i] in OPEN
            if depth == 0:
                break
            i -= 1
        name = name[:i].rstrip() if i > 0 else name[:-1]
    return name


def has_unit_suffix(name: str) -> bool:
    return _bare(name).endswith(SUFFIXES)


def looks_like_unit(name: str) -> bool:
    return 2 <= len(name) <= 30 and has_unit_suffix(name) and not NOT_IN_NAMES.search(name)


def _split_top(text: str, separators: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch in OPEN
        depth -= ch in CLOSE
        if depth == 0 and ch in separators:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def split_names(text: str) -> list[str]:
    """A、B及C等和各省级人民政府 → [A, B, C, 各省级人民政府]; 公安、交通部门 → [公安部门, 交通部门];
    各县、区人民政府（管委会） stays one collective."""
    text = re.sub(r"等(?:和|及)", "、", text.strip())
    raw = _split_top(text.replace("及", "、"), "、")
    names: list[str] = []
    for part in raw:
        part = TRAILING_ETC.sub("", part).strip()
        if names and names[-1].startswith("各") and not has_unit_suffix(names[-1]):
            names[-1] = f"{names[-1]}、{part}"  # 各县、区人民政府
        elif part:
            names.append(part)
    if names and names[-1].endswith("部门"):
        names = [n if has_unit_suffix(n) or n.startswith("各") else n + "部门" for n in names]
    return names


def is_collective(name: str) -> bool:
    return any(h in name for h in COLLECTIVE_HINTS)
