"""The web portal (FastAPI, server-rendered Jinja2, no front-end build).

Units open the personal link from their reminder and answer in a form (or upload the Excel
template) — through the same intake as every other channel. Office staff sign in to see who has
reported, which targets are behind and what was sent, and to extend, waive, resend, re-assess.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from starlette.exceptions import HTTPException as StarletteHTTPException

from db.models import (
    AuditLog,
    Notification,
    ProgressRow,
    Submission,
    Task,
    Unit,
)
from db.models import Request as ReportRequest
from duban.portal import unit_form
from duban.portal.contacts import Office, add_contact_routes
from duban.portal.office import OfficeKit, add_office_routes
from duban.portal.security import Sessions, forwarded_https, trusted_networks
from duban.portal.signin import COOKIE, add_signin_routes
from duban.portal.upload import BadForm, TooLarge, read_upload
from flows import steps
from flows.runtime import Runtime
from notifications import outbox
from notifications.dispatch import event_for, notice_subject
from notifications.invites import calendar_of
from notifications.links import LinkClaims, LinkError
from notifications.notices import receipt_facts
from reporting import reminders
from reporting.cycle import (
    SHANGHAI,
    ActionError,
    ensure_template,
    latest_submission,
    unit_work_for_request,
)
from reporting.excel import STATUSES
from reporting.extensions import link_open
from reporting.intake import SubmissionRejected, record, submit_file
from reporting.periods import quarter_name
from vocab.words import MessageKind

HERE = Path(__file__).parent
MAX_TEXT = 2000
MAX_ROW_ID = 2**63 - 1
# No inline script or style anywhere: whatever got into a page could not run.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")  # fmt: skip
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # unit links carry their token in the path
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cache-Control": "no-store",
}


def create_app(
    rt: Runtime,
    secret: str,
    *,
    max_upload_bytes: int = 5 * 1024 * 1024,
    clock: Callable[[], dt.datetime] | None = None,
    trusted_proxies: str | Iterable[str] = (),
    catalog_dir: Path | None = None,
) -> FastAPI:
    assert rt.links is not None, "the portal needs unit links (a secret and a base URL)"
    links = rt.links
    now = clock or (lambda: dt.datetime.now(SHANGHAI))
    sessions = Sessions(secret)
    trusted = trusted_networks(trusted_proxies)
    app = FastAPI(title="督办 Duban", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    pages = Jinja2Templates(directory=HERE / "templates")
    pages.env.filters["local"] = lambda d: d.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")

    @app.middleware("http")
    async def headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        if forwarded_https(
            request.client.host if request.client else None, request.headers, trusted
        ):
            request.scope["scheme"] = "https"  # Secure cookies and HSTS behind the TLS proxy
        if any(ord(c) < 32 or ord(c) == 127 for c in request.scope["path"]):
            # %00 and other control characters: no route has them (PostgreSQL refuses NUL)
            response: Response = refuse(request, 404, "没有这个页面，请检查链接是否完整")
        else:
            response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if request.url.scheme == "https":
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return pages.TemplateResponse(request, name, context, status_code=status)

    def refuse(request: Request, status: int, message: str) -> HTMLResponse:
        return page(request, "message.html", status, title="无法访问", message=message)

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: "没有这个页面，请检查链接是否完整", 405: "不支持这种访问方式"}
        return refuse(request, exc.status_code, messages.get(exc.status_code, "请求无效"))

    # --- units ---------------------------------------------------------------------------

    def claims_of(token: str) -> LinkClaims:
        today = now().date()
        try:
            return links.read(token, today)
        except LinkError as exc:
            if not exc.expired:
                raise
            # expiry is signed into the link: after an extension, the request's own due date rules
            claims = links.claims(token)
            with rt.sessions() as session:
                req = session.get(ReportRequest, claims.request_id)
                due = req.due_on if req is not None else claims.expires
            if link_open(claims.expires, due, links.grace_days, today):
                return claims
            raise

    def unit_context(session: Any, claims: LinkClaims) -> dict[str, Any]:
        req = session.get(ReportRequest, claims.request_id)
        if req is None or req.unit_id != claims.unit_id:
            raise LinkError("链接无效 (invalid link)")
        period, plan, work = unit_work_for_request(session, req)
        unit = session.get(Unit, req.unit_id)
        latest = latest_submission(session, req.id)
        rows = (
            {
                r.task_id: r
                for r in session.scalars(
                    select(ProgressRow).where(ProgressRow.submission_id == latest.id)
                )
            }
            if latest
            else {}
        )
        from db.models import IndicatorValue

        values = (
            {
                v.target_id: v.value
                for v in session.scalars(
                    select(IndicatorValue).where(IndicatorValue.submission_id == latest.id)
                )
            }
            if latest
            else {}
        )
        from reporting.cycle import goal_text, previous_answers

        prev_rows, prev_values = previous_answers(session, period, req.unit_id)
        history = list(
            session.scalars(
                select(Submission)
                .where(Submission.request_id == req.id)
                .order_by(Submission.received_at.desc())
            )
        )
        reasons = (latest.reasons or {}) if latest else {}
        ctx = {
            "req": req, "period": period, "plan": plan, "unit": unit, "period_name": quarter_name(period.label),
            "tasks": [{"id": t.id, "ref": t.ref, "title": t.title, "role": "牵头" if role == "lead" else "配合",
                       "status": rows[t.id].status if t.id in rows else "", "text": rows[t.id].text if t.id in rows else "",
                       "problems": (rows[t.id].problems or "") if t.id in rows else "",
                       "next": (rows[t.id].next_steps or "") if t.id in rows else "",
                       "prev": prev_rows[t.id].text if t.id in prev_rows else ""} for t, role in work.tasks],
            "targets": [{"id": t.id, "name": t.name, "goal": goal_text(t), "measure": t.measure,
                         "value": values.get(t.id), "prev": prev_values.get(t.id), "reason": reasons.get(str(t.id), ""),
                         "note": ""} for t in work.targets],
            "history": history, "statuses": STATUSES, "banner": "", "banner_links": [], "draft": latest is not None and not latest.complete,
            "filler": (latest.filler or "") if latest else "", "phone": (latest.phone or "") if latest else "",
        }  # fmt: skip
        if latest is not None and not latest.complete:
            ctx["banner"] = "上次保存的是暂存，尚未计为报送：" + "；".join(latest.missing or [])
        due = dict(
            session.execute(select(Task.id, Task.due_date).where(Task.plan_id == plan.id)).all()
        )
        unit_form.lights(ctx["tasks"], due, dt.date(plan.end_year, 12, 31), now().date(), rt.calendar,
                         (plan.reporting or {}).get("task_warn_workdays"))  # fmt: skip
        return ctx

    @app.get("/u/{token}", response_class=HTMLResponse)
    def unit_page(request: Request, token: str) -> HTMLResponse:
        try:
            claims = claims_of(token)
            with rt.sessions() as session:
                ctx = unit_context(session, claims)
        except LinkError as exc:
            return refuse(request, 410 if exc.expired else 403, str(exc))
        feed = (
            links.base_url.replace("https://", "webcal://").replace("http://", "webcal://")
            + f"/u/{token}/feed.ics"
        )
        return page(
            request,
            "unit.html",
            token=token,
            csrf=sessions.csrf(token),
            errors={},
            feed=feed,
            **ctx,
        )

    @app.post("/u/{token}", response_class=HTMLResponse)
    async def unit_submit(request: Request, token: str) -> HTMLResponse:
        form = await request.form()
        try:
            claims = claims_of(token)
        except LinkError as exc:
            return refuse(request, 410 if exc.expired else 403, str(exc))
        if not sessions.check_csrf(token, str(form.get("csrf", ""))):
            return refuse(request, 403, "表单已失效，请刷新页面后重新提交 (CSRF check failed)")
        with rt.sessions() as session:
            ctx = unit_context(session, claims)
        progress, values, details, errors = unit_form.read_form(form, ctx["tasks"], ctx["targets"])
        ctx.update(filler=details.filler, phone=details.phone, banner="", draft=False)

        def again(status: int, errors: dict[str, str], banner: str = "",
                  links: list[tuple[str, str]] | None = None) -> HTMLResponse:  # fmt: skip
            ctx["banner"] = banner
            ctx["banner_links"] = links if links is not None else [
                (name, message) for name, message in errors.items() if name != "form"
            ]  # fmt: skip
            return page(request, "unit.html", status, token=token, csrf=sessions.csrf(token),
                        errors=errors, feed="", **ctx)  # fmt: skip

        if not errors and not progress and not values and not details.reasons:
            errors["form"] = "请至少填写一项任务进展或一个指标值"
        if errors:
            return again(422, errors, "提交未成功：请按标红处修改后再提交")
        at = now()
        try:
            with rt.sessions.begin() as session:
                req = session.get(ReportRequest, claims.request_id)
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
                        payload={"facts": facts, "salutation": ctx["unit"].name},
                        now=at,
                    )
        except SubmissionRejected as exc:
            errors = exc.fields or {"form": "；".join(exc.problems)}
            return again(422, errors, "提交未成功：" + "；".join(exc.problems))
        if not result.complete:
            with rt.sessions() as session:
                ctx["history"] = unit_context(session, claims)["history"]
            ctx["draft"] = True
            return again(200, unit_form.field_errors(result.items), unit_form.draft_banner(result.items),
                         unit_form.banner_links(result.items))  # fmt: skip
        return page(
            request,
            "receipt.html",
            title="报送成功",
            code=ctx["req"].code,
            received=at,
            late=result.late,
            token=token,
            accepted=result.accepted,
            missing=[],
        )

    @app.post("/u/{token}/upload", response_class=HTMLResponse)
    async def unit_upload(request: Request, token: str) -> HTMLResponse:
        try:  # the link first: nobody without one gets the body read, let alone spooled
            claims = claims_of(token)
        except LinkError as exc:
            return refuse(request, 410 if exc.expired else 403, str(exc))
        size = (
            f"{max_upload_bytes // 2**20} MB"
            if max_upload_bytes >= 2**20
            else f"{max_upload_bytes // 1024} KB"
        )
        too_big = f"文件超过 {size}，请检查是否选错文件"
        try:
            upload = await read_upload(request, max_upload_bytes)
        except TooLarge:
            return refuse(request, 413, too_big)
        except BadForm:
            return refuse(request, 415, "只接受本期模板 .xlsx 文件，请选择文件后再上传")
        if not sessions.check_csrf(token, upload.csrf):
            return refuse(request, 403, "表单已失效，请刷新页面后重新提交 (CSRF check failed)")
        data = upload.data
        if not upload.filename.lower().endswith(".xlsx") or not data.startswith(b"PK"):
            return refuse(request, 415, "只接受本期模板 .xlsx 文件")
        with rt.sessions() as session:
            code = session.get(ReportRequest, claims.request_id).code
        at = now()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "upload.xlsx"
            path.write_bytes(data)
            try:
                with rt.sessions.begin() as session:
                    result = submit_file(session, path, now=at, store_dir=rt.var_dir / "submissions", channel="web",
                                         expected_unit=claims.unit_id, expected_code=code, submitter="portal-upload")  # fmt: skip
            except SubmissionRejected as exc:
                return page(
                    request,
                    "message.html",
                    422,
                    title="文件未被接受",
                    message="；".join(exc.problems),
                    back=f"/u/{token}",
                )
        return page(
            request,
            "receipt.html",
            title="报送成功" if result.complete else "已暂存，尚未完成报送",
            code=result.request_code,
            received=at,
            late=result.late,
            token=token,
            accepted=result.accepted,
            missing=result.missing,
        )

    @app.get("/u/{token}/template.xlsx")
    def unit_template(request: Request, token: str) -> Response:
        try:
            claims = claims_of(token)
        except LinkError as exc:
            return refuse(request, 410 if exc.expired else 403, str(exc))
        with rt.sessions() as session:
            req = session.get(ReportRequest, claims.request_id)
            path = ensure_template(session, req, rt.var_dir)
        if not path.exists():
            return refuse(request, 404, "模板尚未生成")
        return FileResponse(
            path,
            filename=f"{req.code}.xlsx",
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    @app.get("/u/{token}/feed.ics")
    def unit_feed(request: Request, token: str) -> Response:
        try:
            claims = claims_of(token)
        except LinkError as exc:
            return Response(str(exc), status_code=410 if exc.expired else 403)
        with rt.sessions() as session:
            items = reminders.open_items(session, rt.calendar, rt.var_dir).get(claims.unit_id, [])
        body = calendar_of([event_for(i, rt.messages, now()) for i in items], None)
        return Response(body, media_type="text/calendar; charset=utf-8")

    # --- the office --------------------------------------------------------------------------

    office_user = add_signin_routes(app, rt, sessions, now, page, trusted)

    def audit(
        session: Any, actor: str, action: str, target: str, detail: str | None = None
    ) -> None:
        session.add(AuditLog(at=now(), actor=actor, action=action, target=target, detail=detail))

    def office_action(request: Request, csrf: str) -> str | Response:
        user = office_user(request)
        if user is None:
            return RedirectResponse("/office/login", status_code=303)
        if not sessions.check_csrf(request.cookies.get(COOKIE, ""), csrf):
            return refuse(request, 403, "表单已失效，请刷新页面 (CSRF check failed)")
        return user

    def deadline_action(
        request: Request, code: str, csrf: str, action: str, failed: str, **change: Any
    ) -> Response:
        user = office_action(request, csrf)
        if not isinstance(user, str):
            return user
        try:
            result = steps.change_deadline(rt, code, now(), **change)
        except ActionError as exc:
            return page(
                request, "message.html", 422, title=failed, message=str(exc), back="/office"
            )
        with rt.sessions.begin() as session:
            audit(session, user, action, code, result)
        return RedirectResponse("/office", status_code=303)

    @app.post("/office/requests/{code}/extend")
    def extend(request: Request, code: str, due: str = Form(""), csrf: str = Form("")) -> Response:
        try:
            new_due = dt.date.fromisoformat(due)
        except ValueError:
            return page(
                request,
                "message.html",
                422,
                title="未能延期",
                message=f"“{due}”不是日期",
                back="/office",
            )
        return deadline_action(request, code, csrf, "extend", "未能延期", new_due=new_due)

    @app.post("/office/requests/{code}/waive")
    def waive(request: Request, code: str, csrf: str = Form("")) -> Response:
        return deadline_action(request, code, csrf, "waive", "未能免报", waive=True)

    @app.post("/office/outbox/{row}/resend")
    def resend(request: Request, row: str, csrf: str = Form("")) -> Response:
        user = office_action(request, csrf)
        if not isinstance(user, str):
            return user
        row_id = (
            int(row) if row.isascii() and row.isdigit() and 0 < int(row) <= MAX_ROW_ID else None
        )
        with rt.sessions.begin() as session:
            if row_id is None or session.get(Notification, row_id) is None:
                return refuse(request, 404, "没有这条消息")
            count = outbox.requeue(session, [row_id], now())
            audit(session, user, "resend", f"outbox:{row_id}", f"已重新排队 {count} 条")
        return RedirectResponse("/office", status_code=303)

    add_office_routes(app, rt, OfficeKit(page, refuse, office_user, office_action,
                                         lambda r: sessions.csrf(r.cookies.get(COOKIE, "")), audit, now))  # fmt: skip

    office = Office(rt, page, office_user, office_action,
                    lambda request: sessions.csrf(request.cookies.get(COOKIE, "")), audit, now)  # fmt: skip
    add_contact_routes(app, office)

    if catalog_dir is not None:  # the office's own catalog: review, Excel round trip, 发布
        from duban.portal.catalog import Hooks, add_catalog_routes

        csrf_of = lambda r: sessions.csrf(r.cookies.get(COOKIE, ""))  # noqa: E731
        hooks = Hooks(page, office_user, office_action, csrf_of, now, max_upload_bytes)
        add_catalog_routes(app, rt, catalog_dir, hooks)

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return RedirectResponse("/office", status_code=303)

    return app
