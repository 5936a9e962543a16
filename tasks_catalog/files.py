"""Read and write catalog files (YAML), keeping the line of every value for error messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tasks_catalog.schema import Plan

Path_ = tuple[str | int, ...]


@dataclass
class Problem:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass
class Located:
    """Plain data from a YAML file and the line (1-based) of each path in it."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path)


def _to_data(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        return {k.value: _to_data(v, (*path, k.value), lines) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(v, (*path, i), lines) for i, v in enumerate(node.value)]
    return yaml.SafeLoader("").construct_object(node)


def read_located(path: Path) -> Located:
    """Parse `path`; raise CatalogFileError with the line of a YAML syntax error."""
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise CatalogFileError(
            [
                Problem(
                    str(path),
                    line,
                    "",
                    f"不是有效的 YAML，请检查缩进和冒号 (not valid YAML: {getattr(exc, 'problem', exc)})",
                )
            ]
        ) from None
    lines: dict[Path_, int] = {}
    data = _to_data(node, (), lines) if node is not None else None
    return Located(data, lines)


class CatalogFileError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def read_plan(path: Path) -> tuple[Plan, Located]:
    """Return the plan in `path` and its line map; raise CatalogFileError naming file, line, field."""
    located = read_located(path)
    if not isinstance(located.data, dict):
        raise CatalogFileError(
            [
                Problem(
                    str(path),
                    1,
                    "",
                    "文件应为一个计划：含 slug、title、tasks、targets 等字段 (expected a mapping)",
                )
            ]
        )
    try:
        return Plan.model_validate(located.data), located
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            problems.append(
                Problem(
                    str(path), located.line_of(loc), _field_name(loc, located.data), zh_error(err)
                )
            )
        raise CatalogFileError(problems) from None


def zh_error(err: Any) -> str:
    """A schema error in the office's words, the validator's English after it for IT."""
    kind, ctx, msg = err.get("type", ""), err.get("ctx") or {}, err.get("msg", "")
    if kind == "value_error":
        return str(msg).removeprefix("Value error, ")
    words = {
        "missing": "缺少此项，请补上",
        "extra_forbidden": "不认识的字段，请检查拼写或删除此项",
        "enum": f"应为以下之一：{ctx.get('expected', '')}",
        "literal_error": f"应为以下之一：{ctx.get('expected', '')}",
        "int_parsing": "应为整数",
        "int_from_float": "应为整数",
        "decimal_parsing": "应为数字",
        "float_parsing": "应为数字",
        "bool_parsing": "应为 true 或 false",
        "string_type": "应为文字",
        "list_type": "应为列表",
        "dict_type": "应为若干“名称: 值”",
        "string_pattern_mismatch": "格式不符",
        "string_too_short": "不能为空",
        "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
        "date_parsing": "应为日期（YYYY-MM-DD）",
        "greater_than": f"应大于 {ctx.get('gt', '')}",
        "greater_than_equal": f"应不小于 {ctx.get('ge', '')}",
        "less_than_equal": f"应不大于 {ctx.get('le', '')}",
    }
    zh = words.get(kind)
    return f"{zh} ({msg})" if zh else str(msg)


def _field_name(loc: Path_, data: Any) -> str:
    """tasks[3].units[0].name, with the task's ref where there is one: tasks[二(一)1].units[0].name."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int):
            label = str(key)
            if isinstance(node, list) and key < len(node) and isinstance(node[key], dict):
                label = str(node[key].get("ref") or node[key].get("code") or key)
            parts[-1] = f"{parts[-1]}[{label}]" if parts else f"[{label}]"
            node = node[key] if isinstance(node, list) and key < len(node) else None
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts)


# --- writing ---------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    as_int = value == value.to_integral_value()
    return dumper.represent_scalar(
        "tag:yaml.org,2002:int" if as_int else "tag:yaml.org,2002:float",
        str(int(value)) if as_int else format(value.normalize(), "f"),
    )


def _tuple(dumper: yaml.SafeDumper, value: tuple[Any, ...]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(value), flow_style=True)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(tuple, _tuple)
_Dumper.add_multi_representer(StrEnum, lambda dumper, value: _str(dumper, value.value))


def plan_to_yaml(plan: Plan, header: str = "") -> str:
    data = plan.model_dump(mode="python", exclude_none=True, exclude_defaults=False)
    for task in data["tasks"]:
        for unit in task["units"]:
            if not unit.get("proposed"):
                unit.pop("proposed", None)
    for target in data["targets"]:
        if not target.get("per_year"):
            target.pop("per_year", None)
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return header + text
