"""What to say: every message a unit, the office or the admin reads, rendered from
`templates/` through `render(kind, context)`, in formal Chinese, as text, HTML and DingTalk
markdown. Digests have their own templates (`digest.*.j2`); every other kind is a notice
(`notice.*.j2`) whose subject and paragraphs `kinds.j2` words."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from vocab import zh
from vocab.words import DIGEST_KINDS, MessageKind

TEMPLATES = Path(__file__).with_name("templates")
DINGTALK_MAX_BYTES = 20_000
# What DingTalk's markdown would read as markup or HTML in a text that came from a unit or a
# document: made literal.
_MD_LITERAL = str.maketrans(
    {"<": "&lt;", ">": "&gt;", "[": "［", "]": "］", "*": "\\*", "_": "\\_", "`": "\\`"}
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    markdown: str


@functools.cache
def _env() -> Environment:
    # Built on first use (not at import) and kept: compiling the templates costs ~25 ms.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html.j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
    )
    env.filters["md"] = markdown_literal
    return env


def markdown_literal(text: object) -> str:
    return str(text).translate(_MD_LITERAL)


@dataclass(frozen=True)
class Signature:
    """How the office signs: its name, who to call (联系人/电话), and the date, no weekday."""

    office_name: str
    contact_name: str = ""
    contact_phone: str = ""

    def context(self, day: dt.date, *, to_units: bool = True) -> dict[str, Any]:
        """The signature's part of a template's context; the office and the admin are not
        given the office's own contact."""
        line = contact_line(self.contact_name, self.contact_phone) if to_units else ""
        contact = {"line": line} if line else None
        return {"office_name": self.office_name, "contact": contact, "date_text": zh.date(day)}


def words(name: str, context: Mapping[str, Any]) -> str:
    """One phrase of `kinds.j2` (a calendar event's summary, a report's note) as plain text."""
    return str(getattr(_env().get_template("kinds.j2").module, name)(context)).strip()


def render(kind: str, context: Mapping[str, Any], signature: Signature, day: dt.date) -> Rendered:
    """The one way a message is worded. `context` is the digest's (see `render_digest`) or
    the notice's facts (vocab.messages.NoticePayload["facts"] with `programme` and
    `salutation`)."""
    if kind in DIGEST_KINDS:
        return render_digest(kind=kind, day=day, signature=signature, **context)
    return render_notice(kind, context, signature, day)


def render_notice(
    kind: str, context: Mapping[str, Any], signature: Signature, day: dt.date
) -> Rendered:
    name = "invite_" + context["method"] if kind == MessageKind.INVITE else str(kind)
    c = {**context, "office_name": signature.office_name, "markdown": False}
    subject = words(f"{name}_subject", c)
    layout = {
        "subject": subject,
        "salutation": context["salutation"],
        "paragraphs": _paragraphs(words(f"{name}_body", c)),
        "link": context.get("link"),
        "link_label": _link_label(name, c),
        "links": context.get("links") or [],
        **signature.context(day, to_units=kind not in (MessageKind.REPORT, MessageKind.ADMIN)),
    }
    env = _env()
    text = env.get_template("notice.txt.j2").render(layout)
    html = env.get_template("notice.html.j2").render(layout)
    layout["paragraphs"] = _paragraphs(words(f"{name}_body", {**c, "markdown": True}))
    markdown = fit_markdown(env.get_template("notice.md.j2").render(layout))
    return Rendered(subject, text, html, markdown)


def _link_label(name: str, c: Mapping[str, Any]) -> str:
    """What the personal link is called in this notice (kinds.j2 `<name>_link`, or 在线填报)."""
    macros = _env().get_template("kinds.j2").module
    label = getattr(macros, f"{name}_link", None)
    return str(label(c)).strip() if label is not None else "在线填报"


def _paragraphs(body: str) -> list[str]:
    return [p.strip() for p in body.split("\n\n") if p.strip()]


def contact_line(person: str | None, phone: str | None) -> str:
    """联系人：陈静，联系电话：0580-2280000 — the line every message to a unit carries."""
    if not person and not phone:
        return ""
    parts = ([f"联系人：{person}"] if person else []) + ([f"联系电话：{phone}"] if phone else [])
    return "，".join(parts)


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
    how_to_submit: str,
    kind: str,
    audience: str,
    salutation: str,
    items: list[dict[str, Any]],
    day: dt.date,
    signature: Signature,
    light_changes: list[dict[str, Any]] | None = None,
) -> Rendered:
    """Render a digest of `items` (each one request, as `reporting.reminders.item_for` builds it),
    signed with the office's contact line (`contact_line`) when it goes to a unit."""
    env = _env()
    subject = subject_for(programme, kind, audience, items, day)
    context = dict(
        subject=subject,
        salutation=salutation,
        kind=kind,
        audience=audience,
        items=items,
        how_to_submit=how_to_submit,
        today_text=zh.date_weekday(day),
        **signature.context(day, to_units=audience != "office"),
        linked=any(i.get("link") for i in items),
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
