"""延期申请 in the portal (issue 19): a unit asks from its page (`POST /u/{token}/extension`,
CSRF as its form); the office approves (`/office/extensions/{id}/approve`: the deadline moves
through `flows.steps.change_deadline`, as `duban requests extend` does, so link, template and
invite follow) or refuses with a reason (`/refuse`). Both office actions are CSRF-checked
(`deps.OfficeAction`) and audited; the unit is told either way (`flows.unit_notices`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from db.models import Request as ReportRequest
from duban.portal import unit_view
from duban.portal.deps import Audit, Claims, Clock, OfficeAction, Page, Rt, Tokens
from duban.portal.units import STALE, FormPage
from flows import steps
from flows.unit_notices import tell_extension
from reporting import extension_requests as ext
from reporting.requests import ActionError

router = APIRouter()
Field = Annotated[str, Form()]
MAX_ROW_ID = 2**63 - 1


@router.post("/u/{token}/extension", response_class=HTMLResponse)
def ask(
    token: str,
    claims: Claims,
    rt: Rt,
    now: Clock,
    page: Page,
    tokens: Tokens,
    csrf: Field = "",
    ext_reason: Field = "",
    ext_due: Field = "",
) -> Response:
    if not tokens.check_csrf(token, csrf):
        return page.refuse(403, STALE)
    at = now()
    try:
        with rt.sessions.begin() as session:
            req = unit_view.claimed_request(session, claims)
            ext.ask(session, req, ext_reason, ext_due, at, rt.calendar)
    except ext.AskRefused as exc:
        with rt.sessions() as session:
            ctx = unit_view.unit_context(session, claims, at.date(), rt.calendar)
        ctx.update(ext_reason=ext_reason, ext_due=ext_due)
        again = FormPage(page, token, tokens.csrf(token), ctx)
        return again(422, {exc.field: exc.message}, "延期申请未提交：" + exc.message)
    return RedirectResponse(f"/u/{token}#extension", status_code=303)


def _row_id(row: str) -> int:
    ok = row.isascii() and row.isdigit() and 0 < int(row) <= MAX_ROW_ID
    return int(row) if ok else 0


def _back(unit_id: str) -> Response:
    return RedirectResponse(f"/office/units/{unit_id}#extensions", status_code=303)


@router.post("/office/extensions/{row}/approve")
def approve(
    row: str, user: OfficeAction, rt: Rt, now: Clock, page: Page, audit: Audit, due: Field = ""
) -> Response:
    at = now()
    with rt.sessions() as session:
        try:
            found = ext.pending_one(session, _row_id(row))
        except ext.DecisionRefused as exc:
            return page.message(422, "未能同意延期", str(exc), back="/office")
        unit_id, request_id, proposed = found.unit_id, found.request_id, found.proposed_due
        code = session.get_one(ReportRequest, request_id).code
    back = f"/office/units/{unit_id}"
    try:
        granted = dt.date.fromisoformat(due) if due.strip() else proposed
    except ValueError:
        return page.message(
            422, "未能同意延期", f"“{due}”不是日期，请按 2025-10-20 的格式填写", back
        )
    try:
        result = steps.change_deadline(rt, code, at, new_due=granted)
    except ActionError as exc:
        return page.message(422, "未能同意延期", str(exc), back)
    try:
        with rt.sessions.begin() as session:
            found = ext.pending_one(session, _row_id(row))  # decided meanwhile: told once
            ext.approve(found, granted, user, at)
            audit(session, user, "extension-approve", code, result)
            tell_extension(rt, session, found, at)
    except ext.DecisionRefused as exc:
        return page.message(422, "未能同意延期", str(exc), back)
    return _back(unit_id)


@router.post("/office/extensions/{row}/refuse")
def refuse(
    row: str, user: OfficeAction, rt: Rt, now: Clock, page: Page, audit: Audit, answer: Field = ""
) -> Response:
    at = now()
    try:
        with rt.sessions.begin() as session:
            found = ext.pending_one(session, _row_id(row))
            unit_id = found.unit_id
            ext.refuse(found, answer, user, at)
            code = session.get_one(ReportRequest, found.request_id).code
            audit(session, user, "extension-refuse", code, f"不同意延期：{found.answer}")
            tell_extension(rt, session, found, at)
    except ext.DecisionRefused as exc:
        return page.message(422, "未能处理延期申请", str(exc), back="/office")
    return _back(unit_id)
