"""延期申请 (issue 19): a unit asks for more time for a report, the office decides.

A unit asks from its page with a reason and a proposed date (a working day after today and
after the current 截止日期: `reporting.extensions.check_new_due`); one request has at most one
application waiting. The office approves (the deadline itself moves through
`flows.steps.change_deadline`, which re-issues link, template and invite) or refuses with a
reason. Plain functions of a session and `now`; the caller commits and tells the unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ExtensionRequest, Period, Plan, Request, Unit
from reporting.extensions import ExtensionRefused, check_new_due
from reporting.schedule import SHANGHAI
from reporting.workdays import WorkCalendar
from vocab import zh
from vocab.words import ExtensionStatus, RequestStatus

MAX_REASON = 1000


class AskRefused(ValueError):
    """An application the unit must correct: `field` is the form field the message belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


class DecisionRefused(ValueError):
    """A decision the office cannot make (the message, Chinese, says why)."""


def ask(
    session: Session,
    request: Request,
    reason: str,
    proposed: str,
    now: dt.datetime,
    cal: WorkCalendar,
) -> ExtensionRequest:
    """Record the unit's application; AskRefused (nothing written) when it cannot be taken."""
    if request.status == RequestStatus.WAIVED:
        raise AskRefused("ext_due", "本期已免报，无需申请延期")
    if RequestStatus(request.status).answered:
        raise AskRefused("ext_due", "本期已报送，无需申请延期")
    if waiting(session, request.id) is not None:
        raise AskRefused("ext_due", "已有一份待审核的延期申请，请等待领导小组办公室答复")
    reason = reason.strip()
    if not reason:
        raise AskRefused("ext_reason", "请填写申请延期的原因")
    if len(reason) > MAX_REASON:
        raise AskRefused("ext_reason", f"原因请控制在 {MAX_REASON} 字以内")
    try:
        day = dt.date.fromisoformat(proposed.strip())
    except ValueError:
        raise AskRefused("ext_due", "请按“2025-10-20”的格式填写申请延至的日期") from None
    try:
        check_new_due(day, now.astimezone(SHANGHAI).date(), cal, current_due=request.due_on)
    except ExtensionRefused as exc:
        raise AskRefused("ext_due", exc.message) from None
    row = ExtensionRequest(
        request_id=request.id,
        unit_id=request.unit_id,
        asked_at=now,
        reason=reason,
        current_due=request.due_on,
        proposed_due=day,
        status=ExtensionStatus.PENDING,
    )
    session.add(row)
    session.flush()
    return row


def waiting(session: Session, request_id: int) -> ExtensionRequest | None:
    return session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.request_id == request_id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
    )


def of_request(session: Session, request_id: int) -> list[ExtensionRequest]:
    """The request's applications, newest first (what the unit's page lists)."""
    query = select(ExtensionRequest).where(ExtensionRequest.request_id == request_id)
    return list(session.scalars(query.order_by(ExtensionRequest.asked_at.desc())))


@dataclass(frozen=True)
class Shown:
    """An application as the office sees it."""

    row: ExtensionRequest
    code: str
    unit_name: str
    period_name: str
    plan_title: str

    @property
    def status_word(self) -> str:
        return zh.word(self.row.status, ExtensionStatus)


def shown(
    session: Session, *, unit_id: str | None = None, pending_only: bool = False
) -> list[Shown]:
    """Applications with their request, unit and period: all of a unit's, or every pending one."""
    query = (
        select(ExtensionRequest, Request.code, Unit.name, Period.label, Plan.title)
        .join(Request, ExtensionRequest.request_id == Request.id)
        .join(Unit, ExtensionRequest.unit_id == Unit.id)
        .join(Period, Request.period_id == Period.id)
        .join(Plan, Period.plan_id == Plan.id)
        .order_by(ExtensionRequest.asked_at.desc(), ExtensionRequest.id.desc())
    )
    if unit_id is not None:
        query = query.where(ExtensionRequest.unit_id == unit_id)
    if pending_only:
        query = query.where(ExtensionRequest.status == ExtensionStatus.PENDING)
    return [
        Shown(row, code, name, zh.period_name(label), title)
        for row, code, name, label, title in session.execute(query)
    ]


def pending_one(session: Session, row_id: int) -> ExtensionRequest:
    """The application to decide; DecisionRefused when there is none or it is decided."""
    row = session.get(ExtensionRequest, row_id)
    if row is None:
        raise DecisionRefused("没有这份延期申请")
    if row.status != ExtensionStatus.PENDING:
        when = f"{row.decided_at:%Y-%m-%d}" if row.decided_at else ""
        raise DecisionRefused(
            f"这份延期申请已于 {when} 处理（{zh.word(row.status, ExtensionStatus)}）"
        )
    return row


def approve(row: ExtensionRequest, granted: dt.date, actor: str, now: dt.datetime) -> None:
    """Mark it approved (the caller has moved the request's deadline to `granted`)."""
    row.status, row.granted_due = ExtensionStatus.APPROVED, granted
    row.decided_at, row.decided_by = now, actor


def refuse(row: ExtensionRequest, answer: str, actor: str, now: dt.datetime) -> None:
    answer = answer.strip()
    if not answer:
        raise DecisionRefused("不同意延期须写明原因，单位将收到该原因")
    row.status, row.answer = ExtensionStatus.REFUSED, answer[:MAX_REASON]
    row.decided_at, row.decided_by = now, actor
