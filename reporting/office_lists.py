"""The office's lists as plain rows, shared by the CLI and the portal: requests with their
reference codes, the outbox newest first, the periods of a label across plans. Rows are
TypedDicts so that a listing printed as JSON keeps its field names."""

from __future__ import annotations

from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Notification, Period, Plan, Request, Unit

OUTBOX_LIMIT = 200  # the newest rows an outbox listing shows


class RequestRow(TypedDict):
    code: str
    unit: str
    period: str
    due_on: str
    status: str
    sequence: int


class OutboxRow(TypedDict):
    id: int
    key: str
    recipient: str
    kind: str
    status: str
    attempts: int
    subject: str
    last_error: str | None
    sent_at: str | None


def request_rows(
    session: Session, period: str | None = None, status: str | None = None
) -> list[RequestRow]:
    """Every request (of period label `period`, with `status`), by due date then code."""
    query = (
        select(Request, Period, Unit)
        .join(Period, Request.period_id == Period.id)
        .join(Unit, Request.unit_id == Unit.id)
    )
    if period:
        query = query.where(Period.label == period)
    if status:
        query = query.where(Request.status == status)
    return [
        RequestRow(
            code=r.code,
            unit=u.name,
            period=p.label,
            due_on=r.due_on.isoformat(),
            status=r.status,
            sequence=r.sequence,
        )
        for r, p, u in session.execute(query.order_by(Request.due_on, Request.code))
    ]


def outbox_rows(
    session: Session, status: str | None = None, limit: int = OUTBOX_LIMIT
) -> list[OutboxRow]:
    """The newest outbox rows (with `status`), with their errors."""
    query = select(Notification).order_by(Notification.id.desc()).limit(limit)
    if status:
        query = query.where(Notification.status == status)
    return [
        OutboxRow(
            id=n.id,
            key=n.key,
            recipient=n.channel,
            kind=n.kind,
            status=n.status,
            attempts=n.attempts,
            subject=n.subject,
            last_error=n.last_error,
            sent_at=n.sent_at.isoformat() if n.sent_at else None,
        )
        for n in session.scalars(query)
    ]


def period_ids(session: Session, label: str, plan: str | None = None) -> list[int]:
    """The ids of the periods labelled `label` (of plan `plan`, else of every plan), by plan."""
    query = select(Period.id).join(Plan).where(Period.label == label).order_by(Plan.slug)
    if plan:
        query = query.where(Plan.slug == plan)
    return list(session.scalars(query))


def plan_slugs(session: Session) -> list[str]:
    return list(session.scalars(select(Plan.slug).order_by(Plan.slug)))
