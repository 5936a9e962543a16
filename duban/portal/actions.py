"""The office's actions on the dashboard's rows: extend or waive a request (`flows.steps`
sends the unit its updated invite) and resend a message of the outbox. Each is CSRF-checked
(`deps.OfficeAction`) and leaves an audit line."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from db.models import Notification
from duban.portal.deps import Audit, Clock, OfficeAction, Page, Pages, Rt
from flows import steps
from flows.runtime import Runtime
from notifications import outbox
from reporting.requests import ActionError

router = APIRouter()
MAX_ROW_ID = 2**63 - 1
Field = Annotated[str, Form()]


def to_dashboard() -> Response:
    return RedirectResponse("/office", status_code=303)


def change_deadline(
    rt: Runtime,
    page: Pages,
    audit: Audit,
    user: str,
    code: str,
    action: str,
    failed: str,
    at: dt.datetime,
    **change: Any,
) -> Response:
    try:
        result = steps.change_deadline(rt, code, at, **change)
    except ActionError as exc:
        return page.message(422, failed, str(exc), back="/office")
    with rt.sessions.begin() as session:
        audit(session, user, action, code, result)
    return to_dashboard()


@router.post("/office/requests/{code}/extend")
def extend(
    code: str, user: OfficeAction, rt: Rt, now: Clock, page: Page, audit: Audit, due: Field = ""
) -> Response:
    try:
        new_due = dt.date.fromisoformat(due)
    except ValueError:
        return page.message(422, "未能延期", f"“{due}”不是日期", back="/office")
    return change_deadline(
        rt, page, audit, user, code, "extend", "未能延期", now(), new_due=new_due
    )


@router.post("/office/requests/{code}/waive")
def waive(code: str, user: OfficeAction, rt: Rt, now: Clock, page: Page, audit: Audit) -> Response:
    return change_deadline(rt, page, audit, user, code, "waive", "未能免报", now(), waive=True)


@router.post("/office/outbox/{row}/resend")
def resend(row: str, user: OfficeAction, rt: Rt, now: Clock, page: Page, audit: Audit) -> Response:
    row_id = int(row) if row.isascii() and row.isdigit() and 0 < int(row) <= MAX_ROW_ID else None
    with rt.sessions.begin() as session:
        if row_id is None or session.get(Notification, row_id) is None:
            return page.refuse(404, "没有这条消息")
        count = outbox.requeue(session, [row_id], now())
        audit(session, user, "resend", f"outbox:{row_id}", f"已重新排队 {count} 条")
    return to_dashboard()
