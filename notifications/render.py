"""What to say: one way to render a digest, in formal Chinese, as text, HTML and DingTalk markdown."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).with_name("templates")
DINGTALK_MAX_BYTES = 20_000
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    markdown: str


@functools.cache
def _env() -> Environment:
    # Built on first use (not at import) and kept: compiling the templates costs ~25 ms.
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html.j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
    )


def date_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


def subject_for(
    programme: str, kind: str, audience: str, items: list[dict[str, Any]], day: dt.date
) -> str:
    first = items[0]
    period = first["period_name"]
    if audience == "office":
        return f"【{programme}】逾期未报单位汇总（{day.month}月{day.day}日，{len(items)}项）"
    if audience == "leader":
        return f"【{programme}】督办提示：{first['unit_name']}{period}工作进展逾期未报"
    return {
        "request": f"【{programme}】关于报送{period}工作进展的通知",
        "reminder": f"【{programme}】提醒：{period}工作进展将于{first['due_text']}截止报送",
        "final": f"【{programme}】今日截止：请于今日报送{period}工作进展",
        "overdue": f"【{programme}】催报：{period}工作进展已逾期{first['overdue_workdays']}个工作日",
    }.get(kind, f"【{programme}】{period}工作进展")


def render_digest(
    *,
    programme: str,
    office_name: str,
    how_to_submit: str,
    kind: str,
    audience: str,
    salutation: str,
    items: list[dict[str, Any]],
    day: dt.date,
    light_changes: list[dict[str, Any]] | None = None,
) -> Rendered:
    """Render a digest of `items` (each one request, as `reporting.reminders.item_for` builds it)."""
    env = _env()
    subject = subject_for(programme, kind, audience, items, day)
    context = dict(
        subject=subject,
        salutation=salutation,
        kind=kind,
        audience=audience,
        items=items,
        office_name=office_name,
        how_to_submit=how_to_submit,
        today_text=date_text(day),
        max_overdue=max((i.get("overdue_workdays") or 0) for i in items),
        light_changes=light_changes or [],
    )
    text = env.get_template("digest.txt.j2").render(context)
    html = env.get_template("digest.html.j2").render(context)
    markdown = fit_markdown(env.get_template("digest.md.j2").render(context))
    return Rendered(subject, text, html, markdown)


def fit_markdown(markdown: str, limit: int = DINGTALK_MAX_BYTES) -> str:
    """DingTalk refuses messages over 20,000 bytes: trim at a line and say so."""
    if len(markdown.encode("utf-8")) <= limit:
        return markdown
    note = "\n\n……（内容过长已截断，完整内容见邮件）"
    budget = limit - len(note.encode("utf-8"))
    kept: list[str] = []
    used = 0
    for line in markdown.splitlines(keepends=True):
        size = len(line.encode("utf-8"))
        if used + size > budget:
            break
        kept.append(line)
        used += size
    return "".join(kept).rstrip() + note
