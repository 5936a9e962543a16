"""Drain the outbox: claim, re-check that the message is still wanted, render, send, record."""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Notification, OfficeContact, Request
from notifications import outbox
from notifications.channels import (
    Channel,
    DeliveryError,
    NoChannel,
    Outgoing,
    Overlapping,
    Preparing,
)
from notifications.invites import calendar_of, deadline_event
from notifications.mail import Attachment, build_email
from notifications.render import Rendered, Signature, render, words
from notifications.retry import RetryPolicy
from vocab.words import DIGEST_KINDS, MessageKind, OutboxStatus
from vocab.zh import SHANGHAI

log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ICS_NAME = "报送截止日程.ics"


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
        uid=f"{item['code']}@{config.mail_domain}", sequence=int(item.get("sequence", 0)),
        summary=words("calendar_summary", {**item, "programme": config.programme}),
        description=words("calendar_description", item),
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
            attachments.append(Attachment(template_name(item), path.read_bytes(), XLSX))
    events = [event_for(item, config, now) for item in items]
    attachments.append(Attachment(ICS_NAME, calendar_of(events, "REQUEST"), "text/calendar"))
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
    return rendered, [Attachment(ICS_NAME, ics, "text/calendar")]


def with_office_contact(sessions: sessionmaker[Session], config: MessageConfig) -> MessageConfig:
    """`config` with the office's 联系人 and 联系电话 as the database has them now."""
    with sessions() as session:
        row = session.get(OfficeContact, 1)
    if row is None or not (row.person or row.phone):
        return config
    return replace(config, contact_name=row.person or "", contact_phone=row.phone or "")


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
    stop: Callable[[], bool] | None = None,
) -> Counter[str]:
    """Send what is due; return counts by outcome.

    Rows are claimed `batch` at a time. Each message is composed (re-checking that it is still
    wanted) just before it goes, one is sent at a time, and each result is committed before
    the next message can be delivered, so a dispatcher killed at any point re-sends at most
    one message once its lease runs out. A channel that can (`channels.Overlapping`, SMTP)
    has that commit made while its server answers the next message's MAIL FROM, and the
    message after composed while its server takes in the data: the dispatcher's own work
    done in the server's time, in one thread (results over one held connection,
    `outbox.Recorder`).

    `may_send(now)` says whether messages to units may go out now (working days and hours);
    when it says no, only alerts to the admin go. `stop()` is asked before each message: once
    it says yes (SIGTERM), the message in flight is finished and recorded and the rest of the
    claimed rows go back to pending.
    """
    stats: Counter[str] = Counter()
    config = with_office_contact(sessions, config)
    lease = dt.timedelta(seconds=config.lease_seconds)
    # Two dispatchers may share a name (`duban dispatch` runs as "cli"): the claim is this run's.
    claimant = f"{worker}:{os.getpid()}:{secrets.token_hex(3)}"
    with sessions.begin() as session:
        stats["requeued"] += outbox.reclaim_expired(session, now(), lease)
    claims = Claims(
        sessions, now, claimant, batch=batch, limit=limit, lease=lease, may_send=may_send
    )
    preparer = channel if isinstance(channel, Preparing) else None

    def composed() -> tuple[Notification, Outgoing | Unbuilt | None] | None:
        """The next claimed row and its message, serialised for sending, or None."""
        if stop is not None and stop():
            return None
        claimed = claims.next()
        if claimed is None:
            return None
        reader, row = claimed
        try:
            outgoing = compose(reader, row, config, now(), templates)
        except Exception as exc:  # one message that cannot be built never stops the others
            reader.rollback()
            log.exception("outbox row %s could not be composed", row.id)
            return row, Unbuilt(f"无法生成消息 (could not compose): {type(exc).__name__}: {exc}")
        reader.commit()
        if outgoing is not None and preparer is not None:
            preparer.prepare(outgoing)
        return row, outgoing

    try:
        with outbox.Recorder(sessions.kw["bind"]) as recorder:
            step = _Step(recorder, composed)
            current = composed()
            try:
                while current is not None:
                    row, outgoing = current
                    result = step.deliver(channel, outgoing, row.id)
                    outcome, values = outcome_of(row, outgoing, result, config, now, worker)
                    step.done(row.id, values)  # committed before the next message can go
                    stats[outcome] += 1
                    current = step.following()
            finally:
                step.record_last()
    finally:
        try:
            stats["released"] += claims.release()
        except Exception:  # the database may be what failed; the lease returns them then
            log.exception("could not give back the claimed rows not sent")
        claims.close()
    return stats


class _NotRecorded(BaseException):
    """The previous message's result could not be committed (the error is its cause): stop
    before this message goes. A BaseException, so no channel's error handling takes it for a
    failed delivery."""


class _Step:
    """One message's turn: the previous message's result, committed before this one can be
    delivered, and the next message, composed while this one is with the server. Each is
    done once, by the channel when it overlaps (`channels.Overlapping`), else around `send`."""

    def __init__(
        self,
        recorder: outbox.Recorder,
        composed: Callable[[], tuple[Notification, Outgoing | Unbuilt | None] | None],
    ):
        self.recorder = recorder
        self.composed = composed
        self.unrecorded: tuple[int, dict[str, Any]] | None = None  # delivered, not committed
        self._composing = False
        self._next: tuple[Notification, Outgoing | Unbuilt | None] | None = None
        self._failed: Exception | None = None  # composing the next message failed

    def record_previous(self) -> None:
        if self.unrecorded is None:
            return
        row_id, values = self.unrecorded
        self.unrecorded = None
        try:
            self.recorder.record(row_id, values)
        except Exception as exc:
            raise _NotRecorded() from exc

    def compose_next(self) -> None:
        """Compose the next message; an error is raised after this message's delivery."""
        if self._composing:
            return
        self._composing = True
        try:
            self._next = self.composed()
        except Exception as exc:
            self._failed = exc

    def deliver(
        self, channel: Channel, outgoing: Outgoing | Unbuilt | None, row_id: int
    ) -> Delivery:
        self._composing, self._next, self._failed = False, None, None
        try:
            if isinstance(channel, Overlapping) and isinstance(outgoing, Outgoing):
                result = deliver(channel, outgoing, row_id, self.record_previous, self.compose_next)
            else:
                self.record_previous()
                result = deliver(channel, outgoing, row_id)
            self.record_previous()  # if the channel had no occasion to
        except _NotRecorded as stop:
            raise _cause(stop) from None
        return result

    def done(self, row_id: int, values: dict[str, Any]) -> None:
        self.unrecorded = (row_id, values)

    def following(self) -> tuple[Notification, Outgoing | Unbuilt | None] | None:
        self.compose_next()  # if the channel had no occasion to
        if self._failed is not None:
            raise self._failed
        return self._next

    def record_last(self) -> None:
        try:
            self.record_previous()
        except _NotRecorded as stop:
            raise _cause(stop) from None


def _cause(stop: _NotRecorded) -> BaseException:
    assert stop.__cause__ is not None
    return stop.__cause__


class Claims:
    """The rows one dispatch run claims, handed out one at a time with the session they were
    read in (each compose is its own short read transaction in it).

    Rows are claimed `batch` at a time, never more than `limit` in all. The lease of the rows
    not yet sent is renewed once a third of it has passed, and a row whose lease lapsed and was
    taken back by another dispatcher is not handed out here: so a slow batch is never sent
    twice. Rows left when the run stops early go back to pending, their attempt not counted.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        now: Callable[[], dt.datetime],
        worker: str,
        *,
        batch: int,
        limit: int | None,
        lease: dt.timedelta,
        may_send: Callable[[dt.datetime], bool] | None = None,
    ):
        self.sessions, self.now, self.worker = sessions, now, worker
        self.batch, self.limit, self.lease, self.may_send = batch, limit, lease, may_send
        self.handed = 0
        self._rows: list[Notification] = []
        self._reader: Session | None = None
        self._renewed: dt.datetime | None = None
        self._done = False

    def next(self) -> tuple[Session, Notification] | None:
        if not self._rows and not self._done:
            self._claim()
        if self._rows and self.now() - (self._renewed or self.now()) > self.lease / 3:
            self._renew()
        if not self._rows:
            return None
        self.handed += 1
        assert self._reader is not None
        return self._reader, self._rows.pop(0)

    def _claim(self) -> None:
        wanted = self.batch if self.limit is None else min(self.batch, self.limit - self.handed)
        if wanted <= 0:
            self._done = True
            return
        now = self.now()
        kinds = None if self.may_send is None or self.may_send(now) else ("admin",)
        with self.sessions.begin() as session:
            ids = outbox.claim(session, now, self.worker, wanted, kinds)
        if not ids:
            self._done = True
            return
        self._renewed = now
        self.close()
        self._reader = self.sessions(expire_on_commit=False)
        self._rows = list(
            self._reader.scalars(
                select(Notification).where(Notification.id.in_(ids)).order_by(Notification.id)
            )
        )
        self._reader.commit()

    def _renew(self) -> None:
        now = self.now()
        with self.sessions.begin() as session:
            ours = outbox.renew(session, [r.id for r in self._rows], self.worker, now)
        lost = [r.id for r in self._rows if r.id not in ours]
        if lost:
            log.warning("lease of outbox rows %s lapsed and another dispatcher took them", lost)
        self._rows = [r for r in self._rows if r.id in ours]
        self._renewed = now

    def release(self) -> int:
        """Give back the rows claimed and not handed out; stop claiming."""
        self._done = True
        ids, self._rows = [r.id for r in self._rows], []
        if not ids:
            return 0
        with self.sessions.begin() as session:
            return outbox.release(session, ids, self.worker)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None


@dataclass(frozen=True)
class Unbuilt:
    """A claimed row whose message could not be composed: retried, then failed, with why."""

    error: str


@dataclass
class Delivery:
    outcome: str = outbox.SENT
    error: str | None = None
    where: str | None = None
    done: set[str] = field(default_factory=set)
    retry_after: float | None = None
    attempted: bool = True


def deliver(
    channel: Channel,
    outgoing: Outgoing | Unbuilt | None,
    row_id: int,
    ready: Callable[[], None] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> Delivery:
    """Hand one message to the channel (with `ready` and `meanwhile` when it overlaps);
    classify what happened (raises only what `ready` raises)."""
    if outgoing is None:
        return Delivery(outbox.CANCELLED)
    if isinstance(outgoing, Unbuilt):
        return Delivery(outbox.PENDING, outgoing.error)
    try:
        if ready is not None and meanwhile is not None:
            assert isinstance(channel, Overlapping)
            return Delivery(where=channel.send_overlapped(outgoing, ready, meanwhile))
        return Delivery(where=channel.send(outgoing))
    except NoChannel as exc:
        return Delivery(outbox.UNDELIVERABLE, str(exc))
    except DeliveryError as exc:
        outcome = outbox.FAILED if exc.permanent else outbox.PENDING
        return Delivery(outcome, str(exc), None, set(exc.done), exc.retry_after, exc.attempted)
    except Exception as exc:  # an unexpected failure must not lose the row
        log.exception("delivery of %s failed unexpectedly", row_id)
        return Delivery(outbox.PENDING, f"{type(exc).__name__}: {exc}")


def outcome_of(
    row: Notification,
    outgoing: Outgoing | Unbuilt | None,
    result: Delivery,
    config: MessageConfig,
    now: Callable[[], dt.datetime],
    worker: str,
) -> tuple[str, dict[str, Any]]:
    """What to count and what to store for one delivery."""
    decision = RetryPolicy(config.max_attempts).decide(
        OutboxStatus(result.outcome),
        row.attempts,
        attempted=result.attempted,
        retry_after=result.retry_after,
    )
    outcome = decision.status
    values: dict[str, Any] = {
        "status": outcome,
        "last_error": result.error,
        "claimed_at": None,
        "claimed_by": None,
    }
    payload = row.payload
    if result.done:
        delivered = sorted(set(payload.get("delivered_to", [])) | result.done)
        payload = {**payload, "delivered_to": delivered}
    if decision.wait is not None:
        values["next_attempt_at"] = now() + decision.wait
    if not decision.counted:  # nothing reached a server: this claim does not count
        values["attempts"] = row.attempts - 1
    if outcome == outbox.SENT:
        assert isinstance(outgoing, Outgoing)
        values |= {"sent_at": now(), "subject": outgoing.subject}
        payload = {**payload, "delivered": result.where, "sent_by": worker}
    if payload is not row.payload:
        values["payload"] = payload
    return ("retry" if outcome == outbox.PENDING else outcome), values
