"""Drain the outbox: claim, re-check that the message is still wanted, render, send, record."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Notification, Request
from notifications import outbox
from notifications.channels import Channel, DeliveryError, NoChannel, Outgoing
from notifications.invites import calendar_of, deadline_event
from notifications.mail import Attachment, build_email
from notifications.render import Rendered, render_digest

log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DIGEST_KINDS = ("request", "reminder", "final", "overdue", "escalation")


@dataclass(frozen=True)
class MessageConfig:
    programme: str = "标准强市建设"
    office_name: str = "标准强市建设领导小组办公室"
    office_email: str = "office@duban.invalid"
    mail_domain: str = "duban.invalid"
    how_to_submit: str = "回复本邮件或交至领导小组办公室"
    max_attempts: int = 5
    lease_seconds: int = 600  # a claimed row returns to pending if its dispatcher died


def still_wanted(session: Session, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the items whose request still awaits a submission (checked at the moment of sending)."""
    ids = [i["request_id"] for i in items]
    pending = set(
        session.scalars(select(Request.id).where(Request.id.in_(ids), Request.status == "pending"))
    )
    return [i for i in items if i["request_id"] in pending]


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
        rendered = render_digest(
            programme=config.programme,
            office_name=config.office_name,
            how_to_submit=config.how_to_submit,
            kind=row.kind,
            audience=audience,
            salutation=payload["salutation"],
            items=items,
            day=dt.date.fromisoformat(payload["day"]),
        )
        if audience == "liaison":
            attachments = _liaison_attachments(items, payload, config, now, templates)
    elif row.kind == "invite":
        invite = _invite(row, session, config, now)
        if invite is None:
            return None
        rendered, attachments = invite
    else:
        rendered = Rendered(
            row.subject,
            payload["text"],
            payload.get("html") or payload["text"],
            payload.get("markdown") or payload["text"],
        )
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


def event_for(
    item: dict[str, Any], config: MessageConfig, now: dt.datetime, cancelled: bool = False
) -> Any:
    """The VEVENT of one request's deadline: stable UID, SEQUENCE from the request."""
    return deadline_event(
        uid=f"{item['code']}@{config.mail_domain}", sequence=int(item.get("sequence", 0)),
        summary=f"{config.programme}：报送{item['period_name']}工作进展（{item['code']}）",
        description=f"《{item['plan_title']}》{item['period_name']}工作进展报送截止。参考编号 {item['code']}。",
        due_on=dt.date.fromisoformat(item["due_on"]), alarm_on=dt.date.fromisoformat(item.get("alarm_on", item["due_on"])),
        organizer_email=config.office_email, organizer_name=config.office_name,
        attendee_email=f"{item['unit_id']}@{config.mail_domain}", attendee_name=item["unit_name"], stamp=now,
        cancelled=cancelled,
    )  # fmt: skip


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
            attachments.append(Attachment(f"{item['code']}.xlsx", path.read_bytes(), XLSX))
    events = [event_for(item, config, now) for item in items]
    attachments.append(Attachment("deadline.ics", calendar_of(events, "REQUEST"), "text/calendar"))
    return attachments


def _invite(
    row: Notification, session: Session, config: MessageConfig, now: dt.datetime
) -> tuple[Rendered, list[Attachment]] | None:
    item, method = row.payload["item"], row.payload["method"]
    if method == "REQUEST" and not still_wanted(session, [item]):
        return None
    if method == "CANCEL":
        subject = f"【{config.programme}】{item['period_name']}工作进展免报通知（{item['code']}）"
        text = f"{row.payload['salutation']}：\n\n经领导小组办公室同意，贵单位《{item['plan_title']}》{item['period_name']}工作进展免于报送，原定截止日期 {item['due_text']} 的日程已取消。\n\n{config.office_name}"
    else:
        subject = f"【{config.programme}】{item['period_name']}工作进展报送截止日期调整为{item['due_text']}"
        text = f"{row.payload['salutation']}：\n\n贵单位《{item['plan_title']}》{item['period_name']}工作进展的报送截止日期调整为 {item['due_text']}（参考编号 {item['code']}），日程已同步更新。\n\n{config.office_name}"
    ics = calendar_of([event_for(item, config, now, cancelled=method == "CANCEL")], method)
    rendered = Rendered(
        subject, text, "<p>" + text.replace("\n\n", "</p><p>") + "</p>", f"### {subject}\n\n{text}"
    )
    return rendered, [Attachment("deadline.ics", ics, "text/calendar")]


def dispatch(
    sessions: sessionmaker[Session],
    channel: Channel,
    config: MessageConfig,
    now: Callable[[], dt.datetime],
    *,
    worker: str = "dispatcher",
    batch: int = 20,
    limit: int | None = None,
    may_send: Callable[[dt.datetime], bool] | None = None,
    templates: Callable[[dict[str, Any]], Path | None] | None = None,
) -> Counter[str]:
    """Send what is due; return counts by outcome.

    Rows are claimed `batch` at a time; each message is composed (re-checking that it is still
    wanted) just before it is sent, and its result is committed right after, so a dispatcher
    killed mid-batch re-sends at most the message in flight once its lease runs out.
    `may_send(now)` says whether messages to units may go out now (working days and hours);
    when it says no, only alerts to the admin go.
    """
    stats: Counter[str] = Counter()
    with sessions.begin() as session:
        stats["requeued"] += outbox.reclaim_expired(
            session, now(), dt.timedelta(seconds=config.lease_seconds)
        )
    while limit is None or stats.total() - stats["requeued"] < limit:
        kinds = None if may_send is None or may_send(now()) else ("admin",)
        with sessions.begin() as session:
            ids = outbox.claim(session, now(), worker, batch, kinds)
        if not ids:
            break
        with sessions() as reader:  # one session for the batch's reads
            for row_id in ids:
                outcome = send_one(
                    reader, sessions, row_id, channel, config, now, worker, templates
                )
                stats[outcome] += 1
    return stats


def send_one(
    reader: Session,
    sessions: sessionmaker[Session],
    row_id: int,
    channel: Channel,
    config: MessageConfig,
    now: Callable[[], dt.datetime],
    worker: str = "dispatcher",
    templates: Callable[[dict[str, Any]], Path | None] | None = None,
) -> str:
    """Compose (with `reader`), send and record one claimed message; return its outcome."""
    row = reader.get(Notification, row_id)
    assert row is not None
    outgoing = compose(reader, row, config, now(), templates)
    attempts, payload = row.attempts, row.payload
    original = payload
    reader.rollback()  # end the read: the next message's re-check sees fresh submissions
    outcome, error, where, done, retry_after = outbox.SENT, None, None, set(), None
    if outgoing is None:
        outcome = outbox.CANCELLED
    else:
        try:
            where = channel.send(outgoing)
        except NoChannel as exc:
            outcome, error = outbox.UNDELIVERABLE, str(exc)
        except DeliveryError as exc:
            error, done, retry_after = str(exc), exc.done, exc.retry_after
            outcome = outbox.FAILED if exc.permanent else outbox.PENDING
        except Exception as exc:  # an unexpected failure must not lose the row
            outcome, error = outbox.PENDING, f"{type(exc).__name__}: {exc}"
            log.exception("delivery of %s failed unexpectedly", row_id)
    if outcome == outbox.PENDING and attempts >= config.max_attempts:
        outcome = outbox.FAILED
    values: dict[str, Any] = {"status": outcome, "last_error": error, "claimed_at": None,
                              "claimed_by": None}  # fmt: skip
    if done:
        payload = {**payload, "delivered_to": sorted(set(payload.get("delivered_to", [])) | done)}
    if outcome == outbox.PENDING:
        wait = dt.timedelta(seconds=retry_after) if retry_after else outbox.backoff(attempts)
        values["next_attempt_at"] = now() + wait
    if outcome == outbox.SENT:
        assert outgoing is not None
        values |= {"sent_at": now(), "subject": outgoing.subject}
        payload = {**payload, "delivered": where, "sent_by": worker}
    if payload is not original:
        values["payload"] = payload
    outbox.record(sessions, row_id, values)
    return "retry" if outcome == outbox.PENDING else outcome
