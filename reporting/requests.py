"""Requests: one per unit per period, their reference codes, status changes and the
office's actions on them (extend, waive); the submissions that answer them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import IndicatorValue, Period, ProgressRow, Request, RequestEvent, Submission
from reporting.extensions import ExtensionRefused, check_new_due
from reporting.schedule import SHANGHAI
from reporting.workdays import WorkCalendar
from vocab.words import RequestStatus


def request_code(period: Period, unit_id: str) -> str:
    return f"{period.label}-{unit_id}-P{period.plan_id}"


def set_status(
    session: Session, request: Request, status: str, now: dt.datetime, note: str | None = None
) -> None:
    request.status = status
    if RequestStatus(status).answered:
        request.submitted_at = now
    if status == RequestStatus.WAIVED:
        request.waived_at = now
    session.add(RequestEvent(request_id=request.id, at=now, status=status, note=note))


def due_end(due_on: dt.date) -> dt.datetime:
    """On time means received by the end of the due date, Shanghai time."""
    return dt.datetime.combine(due_on + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)


def latest_submission(
    session: Session, request_id: int, complete_only: bool = False
) -> Submission | None:
    """The request's latest submission (a 暂存 too unless `complete_only`)."""
    query = select(Submission).where(Submission.request_id == request_id)
    if complete_only:
        query = query.where(Submission.complete.is_(True))
    return session.scalar(
        query.order_by(Submission.received_at.desc(), Submission.id.desc()).limit(1)
    )


def previous_answers(
    session: Session, period: Period, unit_id: str
) -> tuple[dict[int, ProgressRow], dict[int, Decimal]]:
    """The unit's latest answers for the period before `period` of the same plan."""
    previous = session.scalar(
        select(Request)
        .join(Period)
        .where(
            Period.plan_id == period.plan_id,
            Period.start < period.start,
            Request.unit_id == unit_id,
        )
        .order_by(Period.start.desc())
        .limit(1)
    )
    if previous is None:
        return {}, {}
    sub = latest_submission(session, previous.id, complete_only=True)
    if sub is None:
        return {}, {}
    rows = {
        r.task_id: r
        for r in session.scalars(select(ProgressRow).where(ProgressRow.submission_id == sub.id))
    }
    values = {
        v.target_id: v.value
        for v in session.scalars(
            select(IndicatorValue).where(IndicatorValue.submission_id == sub.id)
        )
    }
    return rows, values


def open_requests(session: Session) -> list[Request]:
    return list(
        session.scalars(
            select(Request).where(Request.status == RequestStatus.PENDING).order_by(Request.id)
        )
    )


class ActionError(ValueError):
    pass


def find_request(session: Session, code: str) -> Request:
    request = session.scalar(select(Request).where(Request.code == code))
    if request is None:
        raise ActionError(
            f"no request with reference code {code!r}; see `duban outbox` or the report for codes"
        )
    return request


def extend(
    session: Session, request: Request, new_due: dt.date, now: dt.datetime, cal: WorkCalendar
) -> Request:
    """Move a request's deadline (to a working day); its invite goes out again with SEQUENCE + 1
    and its reminders restart from the new date."""
    if request.status == RequestStatus.WAIVED:
        raise ActionError(f"{request.code} 已免报，无需延期 (waived; nothing to extend)")
    if new_due == request.due_on:
        return request
    try:  # a working day after today (Chinese message naming the working day to pick)
        check_new_due(new_due, now.astimezone(SHANGHAI).date(), cal)
    except ExtensionRefused as exc:
        raise ActionError(f"{request.code} 未能延期：{exc.message}") from None
    old = request.due_on
    request.due_on = new_due
    request.sequence += 1
    session.add(
        RequestEvent(
            request_id=request.id, at=now, status=request.status, note=f"due {old} → {new_due}"
        )
    )
    session.flush()
    return request


def waive(
    session: Session, request: Request, now: dt.datetime, reason: str | None = None
) -> Request:
    """Excuse a unit from a period's report; its invite is cancelled."""
    if request.status != RequestStatus.WAIVED:
        request.sequence += 1
        set_status(session, request, RequestStatus.WAIVED, now, reason or "waived by the office")
        session.flush()
    return request
