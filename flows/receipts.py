"""Every submission is answered, whatever way it came: a receipt when it was taken, a 暂存
notice naming what is missing, a notice with every reason when a file was not taken (when the
unit is known: its inbox folder or the file's own reference code)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Request, Unit
from flows.runtime import Runtime
from notifications import outbox
from notifications.dispatch import notice_subject
from notifications.notices import receipt_facts, rejection_facts
from reporting.intake import InboxOutcome, IntakeResult
from vocab.words import MessageKind


def enqueue_receipt(rt: Runtime, session: Session, result: IntakeResult, at: dt.datetime) -> None:
    """The unit's receipt (or 暂存 notice) for what was just recorded; nothing for a file sent
    twice (its first receipt stands)."""
    if result.duplicate:
        return
    request = session.scalar(select(Request).where(Request.code == result.request_code))
    if request is None:
        return
    facts = receipt_facts(
        session,
        request,
        at,
        late=result.late,
        accepted=result.accepted,
        missing=None if result.complete else result.missing,
    )
    enqueue_notice(
        rt, session, f"receipt:{request.code}:{result.submission_id}", request.unit_id, facts, at
    )


def enqueue_rejection(
    rt: Runtime,
    session: Session,
    unit_id: str,
    file: str,
    problems: list[str],
    at: dt.datetime,
    link: str | None = None,
) -> None:
    """The unit is told its file was not taken, with every reason, and — when known — the
    link to send it again."""
    facts = rejection_facts(file, at, problems)
    key = f"rejected:{unit_id}:{file}:{at:%Y%m%dT%H%M%S}"
    enqueue_notice(rt, session, key, unit_id, facts, at, link)


def notify_inbox(rt: Runtime, outcomes: Iterable[InboxOutcome], at: dt.datetime) -> None:
    """Answer each file the inbox took or refused, in one transaction."""
    with rt.sessions.begin() as session:
        for o in outcomes:
            if o.result is not None:
                enqueue_receipt(rt, session, o.result, at)
            elif o.unit_id is not None and session.get(Unit, o.unit_id) is not None:
                enqueue_rejection(rt, session, o.unit_id, o.file, o.problems, at)


def enqueue_notice(
    rt: Runtime,
    session: Session,
    key: str,
    unit_id: str,
    facts: dict[str, object],
    at: dt.datetime,
    link: str | None = None,
) -> None:
    unit = session.get(Unit, unit_id)
    payload: dict[str, object] = {"facts": facts, "salutation": unit.name if unit else unit_id}
    if link:
        payload["link"] = link
    outbox.enqueue(
        session,
        key=key,
        recipient=unit_id,
        unit_id=unit_id,
        kind=MessageKind.RECEIPT,
        subject=notice_subject(MessageKind.RECEIPT, dict(facts), rt.messages),
        payload=payload,
        now=at,
    )
