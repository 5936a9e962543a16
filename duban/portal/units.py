"""A unit's pages behind its personal link: the form (`/u/{token}`), its Excel template and
its calendar feed. The upload of the template is `duban.portal.upload`.

The form goes through the same intake as every other channel (`reporting.intake.record`); a
complete answer queues the unit's receipt."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from db.models import Request as ReportRequest
from duban.portal import unit_form, unit_view
from duban.portal.deps import Claims, Clock, FeedClaims, Page, Rt, Tokens, links_of
from flows.runtime import Runtime
from notifications import outbox
from notifications.dispatch import event_for, notice_subject
from notifications.invites import calendar_of
from notifications.links import LinkClaims
from notifications.notices import receipt_facts
from reporting import reminders
from reporting.intake import IntakeResult, SubmissionRejected, record
from reporting.templates import ensure_template
from reporting.workbook import Details, ProgressLine, ValueLine
from vocab.words import MessageKind

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STALE = "表单已失效，请刷新页面后重新提交 (CSRF check failed)"


def feed_url(rt: Runtime, token: str) -> str:
    base = links_of(rt).base_url
    return (
        base.replace("https://", "webcal://").replace("http://", "webcal://")
        + f"/u/{token}/feed.ics"
    )


@router.get("/u/{token}", response_class=HTMLResponse)
def unit_page(
    token: str, claims: Claims, rt: Rt, now: Clock, page: Page, tokens: Tokens
) -> HTMLResponse:
    with rt.sessions() as session:
        ctx = unit_view.unit_context(session, claims, now().date(), rt.calendar)
    return page(
        "unit.html",
        token=token,
        csrf=tokens.csrf(token),
        errors={},
        feed=feed_url(rt, token),
        **ctx,
    )


class FormPage:
    """The unit's form shown again: with its errors, or as the 暂存 it now is."""

    def __init__(self, page: Page, token: str, csrf: str, ctx: dict[str, Any]):
        self.page, self.token, self.csrf, self.ctx = page, token, csrf, ctx

    def __call__(
        self,
        status: int,
        errors: dict[str, str],
        banner: str = "",
        links: list[tuple[str, str]] | None = None,
    ) -> HTMLResponse:
        self.ctx["banner"] = banner
        self.ctx["banner_links"] = (
            links
            if links is not None
            else [(name, message) for name, message in errors.items() if name != "form"]
        )
        return self.page(
            "unit.html",
            status,
            token=self.token,
            csrf=self.csrf,
            errors=errors,
            feed="",
            **self.ctx,
        )


def store(
    rt: Runtime,
    claims: LinkClaims,
    answer: tuple[list[ProgressLine], list[ValueLine], Details],
    salutation: str,
    at: dt.datetime,
) -> IntakeResult:
    """Record the answer; a complete one queues the unit's receipt (SubmissionRejected: nothing)."""
    progress, values, details = answer
    with rt.sessions.begin() as session:
        req = unit_view.claimed_request(session, claims)
        result = record(
            session,
            req,
            progress,
            values,
            now=at,
            channel="web",
            submitter=details.filler or "portal",
            details=details,
        )
        if result.complete:
            facts = receipt_facts(session, req, at, late=result.late)
            facts["accepted"] = result.accepted
            outbox.enqueue(
                session,
                key=f"receipt:{req.code}:{result.submission_id}",
                recipient=req.unit_id,
                unit_id=req.unit_id,
                kind=MessageKind.RECEIPT,
                subject=notice_subject(MessageKind.RECEIPT, facts, rt.messages),
                payload={"facts": facts, "salutation": salutation},
                now=at,
            )
    return result


@router.post("/u/{token}", response_class=HTMLResponse)
async def unit_submit(
    request: Request, token: str, claims: Claims, rt: Rt, now: Clock, page: Page, tokens: Tokens
) -> HTMLResponse:
    form = await request.form()
    if not tokens.check_csrf(token, str(form.get("csrf", ""))):
        return page.refuse(403, STALE)
    with rt.sessions() as session:
        ctx = unit_view.unit_context(session, claims, now().date(), rt.calendar)
    progress, values, details, errors = unit_form.read_form(form, ctx["tasks"], ctx["targets"])
    ctx.update(filler=details.filler, phone=details.phone, banner="", draft=False)
    again = FormPage(page, token, tokens.csrf(token), ctx)
    if not errors and not progress and not values and not details.reasons:
        errors["form"] = "请至少填写一项任务进展或一个指标值"
    if errors:
        return again(422, errors, "提交未成功：请按标红处修改后再提交")
    at = now()
    try:
        result = store(rt, claims, (progress, values, details), ctx["unit"].name, at)
    except SubmissionRejected as exc:
        errors = exc.fields or {"form": "；".join(exc.problems)}
        return again(422, errors, "提交未成功：" + "；".join(exc.problems))
    if not result.complete:
        with rt.sessions() as session:
            ctx["history"] = unit_view.history(session, claims)
        ctx["draft"] = True
        return again(
            200,
            unit_form.field_errors(result.items),
            unit_form.draft_banner(result.items),
            unit_form.banner_links(result.items),
        )
    return page(
        "receipt.html",
        title="报送成功",
        code=ctx["req"].code,
        received=at,
        late=result.late,
        token=token,
        accepted=result.accepted,
        missing=[],
    )


@router.get("/u/{token}/template.xlsx")
def unit_template(claims: Claims, rt: Rt, page: Page) -> Response:
    with rt.sessions() as session:
        req = session.get(ReportRequest, claims.request_id)
        if req is None:
            return page.refuse(404, "模板尚未生成")
        path = ensure_template(session, req, rt.var_dir)
    if not path.exists():
        return page.refuse(404, "模板尚未生成")
    return FileResponse(path, filename=f"{req.code}.xlsx", media_type=XLSX)


@router.get("/u/{token}/feed.ics")
def unit_feed(claims: FeedClaims, rt: Rt, now: Clock) -> Response:
    with rt.sessions() as session:
        items = reminders.open_items(session, rt.calendar, rt.var_dir).get(claims.unit_id, [])
    body = calendar_of([event_for(i, rt.messages, now()) for i in items], None)
    return Response(body, media_type="text/calendar; charset=utf-8")
