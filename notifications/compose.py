"""What the dispatcher sends for an outbox row: the message composed just before it goes
(re-checking that it is still wanted), its attachments, and the calendar invites."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Notification, OfficeContact, Request
from notifications.channels import Outgoing
from notifications.invites import calendar_of, deadline_event
from notifications.mail import Attachment, build_email
from notifications.render import Rendered, Signature, render, words
from vocab.words import DIGEST_KINDS, MessageKind
from vocab.zh import SHANGHAI

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ICS_NAME = "报送截止日程.ics"


def ics_type(method: str) -> str:
    """The invite's MIME type: UTF-8 said (Chinese summaries), and its method, as RFC 6047 asks."""
    return f"text/calendar; charset=utf-8; method={method}"


def template_name(item: dict[str, Any]) -> str:
    """The attached template as a unit files it: 2025年第三季度工作进展报送表（ZS-…）.xlsx."""
    return f"{item['period_name']}工作进展报送表（{item['code']}）.xlsx"


@dataclass(frozen=True)
class MessageConfig:
    programme: str = "标准强市建设"
    office_name: str = "标准强市建设领导小组办公室"
    office_email: str = "office@duban.invalid"
    mail_domain: str = "duban.invalid"
    how_to_submit: str = "交至领导小组办公室"
    contact_name: str = ""  # 联系人 every message signs with
    contact_phone: str = ""  # 联系电话
    max_attempts: int = 5
    lease_seconds: int = 600  # a claimed row returns to pending if its dispatcher died

    @property
    def signature(self) -> Signature:
        return Signature(self.office_name, self.contact_name, self.contact_phone)


def still_wanted(session: Session, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the items whose request still awaits a submission (checked at the moment of sending)."""
    ids = [i["request_id"] for i in items]
    pending = set(
        session.scalars(select(Request.id).where(Request.id.in_(ids), Request.status == "pending"))
    )
    return [i for i in items if i["request_id"] in pending]


def plain_html(text: str) -> str:
    """A plain-text message as the e-mail's HTML part: escaped (an error or a receipt may quote
    what somebody typed), line breaks kept."""
    return "<p>" + html.escape(text).replace("\n", "<br>\n") + "</p>"


def compose(
    session: Session,
    row: Notification,
    config: MessageConfig,
    now: dt.datetime,
    templates: Callable[[dict[str, Any]], Path | None] | None = None,
) -> Outgoing | None:
    """Return the message to send for `row`, or None when nothing in it is wanted any more."""
    payload = row.payload
    attachments: list[Attachment] = []
    if row.kind in DIGEST_KINDS:
        items = still_wanted(session, payload["items"])
        if not items:
            return None
        audience = payload["audience"]
        context = {
            "programme": config.programme,
            "how_to_submit": config.how_to_submit,
            "audience": audience,
            "salutation": payload["salutation"],
            "items": items,
            "light_changes": payload.get("light_changes") or [],
        }
        day = dt.date.fromisoformat(payload["day"])
        rendered = render(row.kind, context, config.signature, day)
        if audience == "liaison":
            attachments = _liaison_attachments(items, payload, config, now, templates)
    elif row.kind == MessageKind.INVITE:
        invite = _invite(row, session, config, now)
        if invite is None:
            return None
        rendered, attachments = invite
    else:
        rendered = _notice(row, config, now)
        for a in row.attachments:
            path = Path(a["path"])
            if path.exists():
                attachments.append(
                    Attachment(a.get("filename", path.name), path.read_bytes(), a["mimetype"])
                )
    email = build_email(
        key=row.key,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        sender=(config.office_name, config.office_email),
        to=[
            (
                payload.get("salutation", row.channel),
                f"{row.channel.replace(':', '.')}@{config.mail_domain}",
            )
        ],
        attachments=attachments,
        when=now,
        domain=config.mail_domain,
    )
    already = frozenset(payload.get("delivered_to", []))
    return Outgoing(
        row.key, row.channel, row.kind, rendered.subject, email, rendered.markdown, already
    )


def _notice(row: Notification, config: MessageConfig, now: dt.datetime) -> Rendered:
    payload = row.payload
    if "facts" not in payload:  # queued before notices were rendered here: sent as written
        text = payload["text"]
        return Rendered(row.subject, text, payload.get("html") or plain_html(text), text)
    context = {
        **payload["facts"],
        "programme": config.programme,
        "salutation": payload["salutation"],
        "link": payload.get("link"),
    }
    return render(row.kind, context, config.signature, now.astimezone(SHANGHAI).date())


def notice_subject(kind: str, facts: dict[str, Any], config: MessageConfig) -> str:
    """The subject a notice will carry (the outbox keeps it beside the facts)."""
    c = {**facts, "programme": config.programme, "office_name": config.office_name}
    return words(f"{kind}_subject", c)


def event_for(
    item: Mapping[str, Any], config: MessageConfig, now: dt.datetime, cancelled: bool = False
) -> Any:
    """The VEVENT of one request's deadline: stable UID, SEQUENCE from the request."""
    return deadline_event(
        uid=f"{item['code']}@{config.mail_domain}",
        sequence=int(item.get("sequence", 0)),
        summary=words("calendar_summary", {**item, "programme": config.programme}),
        description=words("calendar_description", item),
        due_on=dt.date.fromisoformat(item["due_on"]),
        alarm_on=dt.date.fromisoformat(item.get("alarm_on", item["due_on"])),
        organizer_email=config.office_email,
        organizer_name=config.office_name,
        attendee_email=f"{item['unit_id']}@{config.mail_domain}",
        attendee_name=item["unit_name"],
        stamp=now,
        cancelled=cancelled,
    )


def _liaison_attachments(
    items: list[dict[str, Any]],
    payload: dict[str, Any],
    config: MessageConfig,
    now: dt.datetime,
    templates: Callable[[dict[str, Any]], Path | None] | None = None,
) -> list[Attachment]:
    attachments = []
    for item in items:
        path = templates(item) if templates is not None else Path(item["template"])
        if path is not None and path.exists():
            attachments.append(Attachment(template_name(item), path.read_bytes(), XLSX))
    events = [event_for(item, config, now) for item in items]
    attachments.append(Attachment(ICS_NAME, calendar_of(events, "REQUEST"), ics_type("REQUEST")))
    return attachments


def _invite(
    row: Notification, session: Session, config: MessageConfig, now: dt.datetime
) -> tuple[Rendered, list[Attachment]] | None:
    item, method = row.payload["item"], row.payload["method"]
    if method == "REQUEST" and not still_wanted(session, [item]):
        return None
    context = {
        **item,
        "programme": config.programme,
        "salutation": row.payload["salutation"],
        "method": "cancel" if method == "CANCEL" else "update",
        "link": item.get("link") if method != "CANCEL" else None,
    }
    rendered = render(
        MessageKind.INVITE, context, config.signature, now.astimezone(SHANGHAI).date()
    )
    ics = calendar_of([event_for(item, config, now, cancelled=method == "CANCEL")], method)
    return rendered, [Attachment(ICS_NAME, ics, ics_type(method))]


def with_office_contact(sessions: sessionmaker[Session], config: MessageConfig) -> MessageConfig:
    """`config` with the office's 联系人 and 联系电话 as the database has them now."""
    with sessions() as session:
        row = session.get(OfficeContact, 1)
    if row is None or not (row.person or row.phone):
        return config
    return replace(config, contact_name=row.person or "", contact_phone=row.phone or "")
