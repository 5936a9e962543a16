"""The unit's web form (issue 19): reading what the unit entered, the light of each task, and
the banner of what a 暂存 still lacks. The routes are in `duban.portal.units`; the rules are
`reporting.answers` (the same as the template's)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from reporting.completeness import NO_NEWS, Missing, banner
from reporting.excel import STATUSES
from reporting.lights import DEFAULT_WARN_WORKDAYS, task_light
from reporting.workbook import Details, ProgressLine, ValueLine
from reporting.workdays import WorkCalendar

MAX_TEXT = 2000
MAX_NAME = 50


def read_form(
    form: Mapping[str, Any], tasks: list[dict[str, Any]], targets: list[dict[str, Any]]
) -> tuple[list[ProgressLine], list[ValueLine], Details, dict[str, str]]:
    """What the unit entered, and the errors of form (not of completeness): a status not in
    the list, text too long, a value that is no number. `tasks` and `targets` (the page's
    rows) are updated with what was entered, so the page shows it again."""
    errors: dict[str, str] = {}
    progress: list[ProgressLine] = []
    for task in tasks:
        key = task["id"]
        got = {
            f: str(form.get(f"{f}_{key}", "")).strip()
            for f in ("status", "text", "problems", "next")
        }
        no_news = bool(form.get(f"no_news_{key}"))
        text = NO_NEWS if no_news and not got["text"] else got["text"]
        task.update(status=got["status"], text=text, problems=got["problems"], next=got["next"])
        if got["status"] and got["status"] not in STATUSES:
            errors[f"status_{key}"] = "请从列表中选择状态"
        if got["text"] and not got["status"]:
            errors[f"status_{key}"] = "填写了进展，请同时选择状态"
        for field, label in (("text", "本期进展"), ("problems", "存在问题"), ("next", "下步计划")):
            if len(got[field]) > MAX_TEXT:
                errors[f"{field}_{key}"] = f"{label}不超过 {MAX_TEXT} 字"
        if any((got["status"], text, got["problems"], got["next"])):
            progress.append(ProgressLine(key, got["status"], text, got["problems"], got["next"]))
    values: list[ValueLine] = []
    details = Details(
        filler=str(form.get("filler", "")).strip()[:MAX_NAME],
        phone=str(form.get("phone", "")).strip()[:40],
    )
    for target in targets:
        key = target["id"]
        raw = str(form.get(f"value_{key}", "")).strip()
        reason = str(form.get(f"reason_{key}", "")).strip()[:500]
        note = str(form.get(f"note_{key}", "")).strip()[:MAX_TEXT]
        target.update(value=raw, reason=reason, note=note)
        if not raw:
            if reason:
                details.reasons[key] = reason
            continue
        try:
            value = Decimal(raw.replace(",", "").replace("，", ""))
        except InvalidOperation:
            errors[f"value_{key}"] = "请填写数字"
            continue
        values.append(ValueLine(key, value, note))
    return progress, values, details, errors


def field_errors(items: Sequence[Missing]) -> dict[str, str]:
    """The missing items as errors beside their fields (status_12, text_12, reason_7 …)."""
    names = {"status": "status", "progress": "text", "problems": "problems", "value": "value"}
    errors: dict[str, str] = {}
    for item in items:
        name = f"{names[str(item.field)]}_{item.id}"
        errors[name] = "；".join(filter(None, (errors.get(name), item.message)))
    return errors


def banner_links(items: Sequence[Missing]) -> list[tuple[str, str]]:
    """(field anchor, 任务 二(一)1：未选择本期状态) for each missing item, for the banner."""
    names = {"status": "status", "progress": "text", "problems": "problems", "value": "value"}
    return [(f"{names[str(i.field)]}_{i.id}", str(i)) for i in items]


def draft_banner(items: Sequence[Missing]) -> str:
    """已暂存，尚未报送：2 项任务、1 项指标尚未填写完整 …"""
    return "已暂存，尚未计为报送。" + banner(items) + "，补全后再次提交即可完成报送。"


def lights(
    tasks: list[dict[str, Any]],
    due_dates: Mapping[int, dt.date | None],
    plan_end: dt.date,
    as_of: dt.date,
    cal: WorkCalendar,
    warn_workdays: int | None = None,
) -> None:
    """Put each task's light (绿/黄/红/办结) and its reason on the page's rows."""
    for task in tasks:
        light = task_light(
            due_dates.get(task["id"]),
            plan_end,
            as_of,
            cal,
            reported=task["status"] or None if task["status"] in STATUSES else None,
            warn_workdays=DEFAULT_WARN_WORKDAYS if warn_workdays is None else warn_workdays,
        )
        task.update(light=light.colour.value, light_word=light.word, light_reason=light.reason)
