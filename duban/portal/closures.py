"""办结 and 退回 in the portal (issue 19): on the office's unit page, each task the unit reported
已完成 can be confirmed (`/office/units/{id}/tasks/{task}/close`) or returned with a reason
(`/return`), through `reporting.closure.decide` as `duban tasks close/return` do (which writes
the audit line); CSRF-checked, the unit told (`flows.unit_notices.tell_closure`).

`office_unit_extras` is what the unit page shows of both decisions: its 延期申请 and its
open 已完成 claims."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from db.models import Plan, Task
from duban.portal.deps import Clock, OfficeAction, Page, Rt
from flows.unit_notices import tell_closure
from reporting import extension_requests
from reporting.closure import Claim, ClosureRefused, claim_of, decide, word
from reporting.task_board import task_states
from reporting.workdays import WorkCalendar
from vocab.words import ClosureAction, ProgressStatus

router = APIRouter()
MAX_ROW_ID = 2**63 - 1


def open_claims(session: Session, unit_id: str, today: dt.date, cal: WorkCalendar) -> list[Claim]:
    """The unit's reports of 已完成 that wait for the office's 办结 or 退回."""
    claims = []
    for s in task_states(session, cal, today, None, unit_id):
        if s.status == ProgressStatus.DONE:
            claim = claim_of(session, s.plan, s.ref, unit_id)
            if claim.open_claim:
                claims.append(claim)
    return claims


def office_unit_extras(
    session: Session, unit_id: str, today: dt.date, cal: WorkCalendar
) -> dict[str, Any]:
    return {
        "extensions": extension_requests.shown(session, unit_id=unit_id),
        "claims": open_claims(session, unit_id, today, cal),
    }


def _decide(
    rt: Rt,
    page: Page,
    user: str,
    unit_id: str,
    task: str,
    action: ClosureAction,
    reason: str,
    at: dt.datetime,
) -> Response:
    back = f"/office/units/{unit_id}"
    task_id = int(task) if task.isascii() and task.isdigit() and int(task) <= MAX_ROW_ID else 0
    try:
        with rt.sessions.begin() as session:
            found = session.get(Task, task_id)
            if found is None:
                raise ClosureRefused("没有这项任务")
            slug = session.get_one(Plan, found.plan_id).slug
            made = decide(
                session, slug, found.ref, unit_id, action, actor=user, now=at, reason=reason
            )
            tell_closure(rt, session, claim_of(session, slug, found.ref, unit_id), made, at)
    except ClosureRefused as exc:
        message = str(exc).replace("（--reason）", "")
        return page.message(422, f"未能{word(action)}", message, back=back)
    return RedirectResponse(back + "#claims", status_code=303)


@router.post("/office/units/{unit_id}/tasks/{task}/close")
def close(unit_id: str, task: str, user: OfficeAction, rt: Rt, now: Clock, page: Page) -> Response:
    return _decide(rt, page, user, unit_id, task, ClosureAction.CLOSED, "", now())


@router.post("/office/units/{unit_id}/tasks/{task}/return")
def return_(
    unit_id: str,
    task: str,
    user: OfficeAction,
    rt: Rt,
    now: Clock,
    page: Page,
    reason: Annotated[str, Form()] = "",
) -> Response:
    return _decide(rt, page, user, unit_id, task, ClosureAction.RETURNED, reason, now())
