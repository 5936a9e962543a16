"""The web portal (FastAPI, server-rendered Jinja2, no front-end build).

Units open the personal link from their reminder and answer in a form (or upload the Excel
template) — through the same intake as every other channel. Office staff sign in to see who has
reported, which targets are behind and what was sent, and to extend, waive, resend, re-assess.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from db.models import (
    Assessment,
    AuditLog,
    Flag,
    Notification,
    Period,
    Plan,
    ProgressRow,
    Submission,
    Task,
    Unit,
)
from db.models import Request as ReportRequest
from duban.portal import unit_form
from duban.portal.security import Sessions, authenticate, too_many_failures
from flows import steps
from flows.runtime import Runtime
from notifications import outbox
from notifications.dispatch import event_for
from notifications.invites import calendar_of
from notifications.links import LinkClaims, LinkError
from reporting import reminders
from reporting.assess import assess_period, store
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
from reporting.report import write_report

HERE = Path(__file__).parent
COOKIE = "duban_office"
MAX_TEXT = 2000
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
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
) -> FastAPI:
    assert rt.links is not None, "the portal needs unit links (a secret and a base URL)"
    links = rt.links
    now = clock or (lambda: dt.datetime.now(SHANGHAI))
    sessions = Sessions(secret)
    app = FastAPI(title="督办 Duban", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    pages = Jinja2Templates(directory=HERE / "templates")
    pages.env.filters["local"] = lambda d: d.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")

    @app.middleware("http")
    async def headers(request: Request, call_next):  # type: ignore[no-untyped-def]
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
                result = record(session, req, progress, values, now=at, channel="web",
                                submitter=details.filler or "portal", details=details)  # fmt: skip
                if result.complete:
                    outbox.enqueue(session, key=f"receipt:{req.code}:{result.submission_id}", recipient=req.unit_id,
                                   unit_id=req.unit_id, kind="receipt", subject=f"【{rt.messages.programme}】报送回执：{req.code}",
                                   payload={"text": f"已收到贵单位报送的 {req.code}（{at:%Y-%m-%d %H:%M}）：{result.accepted}。重复报送以最后一次为准。",
                                            "salutation": ctx["unit"].name}, now=at)  # fmt: skip
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
    async def unit_upload(
        request: Request, token: str, file: UploadFile, csrf: str = Form("")
    ) -> HTMLResponse:
        try:
            claims = claims_of(token)
        except LinkError as exc:
            return refuse(request, 410 if exc.expired else 403, str(exc))
        if not sessions.check_csrf(token, csrf):
            return refuse(request, 403, "表单已失效，请刷新页面后重新提交 (CSRF check failed)")
        data = await file.read(max_upload_bytes + 1)
        if len(data) > max_upload_bytes:
            return refuse(
                request, 413, f"文件超过 {max_upload_bytes // 1024 // 1024} MB，请检查是否选错文件"
            )
        if not (file.filename or "").lower().endswith(".xlsx") or not data.startswith(b"PK"):
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

    def office_user(request: Request) -> str | None:
        return sessions.user(request.cookies.get(COOKIE))

    def audit(
        session: Any, actor: str, action: str, target: str, detail: str | None = None
    ) -> None:
        session.add(AuditLog(at=now(), actor=actor, action=action, target=target, detail=detail))

    @app.get("/office/login", response_class=HTMLResponse)
    def login_form(request: Request) -> HTMLResponse:
        return page(request, "login.html", csrf=sessions.csrf("login"), error=None)

    @app.post("/office/login", response_class=HTMLResponse)
    def login(
        request: Request, username: str = Form(""), password: str = Form(""), csrf: str = Form("")
    ) -> Response:
        if not sessions.check_csrf("login", csrf):
            return refuse(request, 403, "表单已失效，请刷新页面 (CSRF check failed)")
        address = request.client.host if request.client else "?"
        at = now()
        with rt.sessions.begin() as session:
            if too_many_failures(session, username, address, at):
                return page(
                    request,
                    "login.html",
                    429,
                    csrf=sessions.csrf("login"),
                    error="尝试次数过多，请 15 分钟后再试",
                )
            user = authenticate(session, username, password, address, at)
            if user is None:
                return page(
                    request,
                    "login.html",
                    401,
                    csrf=sessions.csrf("login"),
                    error="用户名或密码错误",
                )
            audit(session, username, "login", "office")
        response = RedirectResponse("/office", status_code=303)
        response.set_cookie(COOKIE, sessions.issue(username), httponly=True, samesite="lax", max_age=8 * 3600,
                            secure=request.url.scheme == "https")  # fmt: skip
        return response

    @app.post("/office/logout")
    def logout(request: Request, csrf: str = Form("")) -> Response:
        response = RedirectResponse("/office/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @app.get("/office", response_class=HTMLResponse)
    def dashboard(request: Request) -> Response:
        user = office_user(request)
        if user is None:
            return RedirectResponse("/office/login", status_code=303)
        with rt.sessions() as session:
            return page(
                request,
                "dashboard.html",
                user=user,
                csrf=sessions.csrf(request.cookies[COOKIE]),
                **dashboard_data(session),
            )

    def dashboard_data(session: Any) -> dict[str, Any]:
        periods = []
        today = now().date()
        for period, plan in session.execute(
            select(Period, Plan)
            .join(Plan)
            .where(Period.opened_at.is_not(None))
            .order_by(Period.start.desc(), Plan.slug)
        ):
            if len([p for p in periods if p["plan"].id == plan.id]) >= 1:
                continue
            requests = list(
                session.execute(
                    select(ReportRequest, Unit)
                    .join(Unit, ReportRequest.unit_id == Unit.id)
                    .where(ReportRequest.period_id == period.id)
                    .order_by(Unit.name)
                )
            )
            assessment = session.scalar(
                select(Assessment)
                .where(Assessment.period_id == period.id)
                .order_by(Assessment.assessed_on.desc())
                .limit(1)
            )
            flags = (
                list(
                    session.scalars(
                        select(Flag).where(
                            Flag.period_id == period.id, Flag.assessed_on == assessment.assessed_on
                        )
                    )
                )
                if assessment
                else []
            )
            periods.append({"plan": plan, "period": period, "name": quarter_name(period.label), "requests": requests,
                            "counts": Counter(r.status for r, _ in requests), "assessment": assessment.figures if assessment else None,
                            "flags": flags, "overdue": today > period.due_on})  # fmt: skip
        rows = list(
            session.scalars(select(Notification).order_by(Notification.id.desc()).limit(500))
        )
        reports = sorted(p.name for p in rt.reports.glob("*.html")) if rt.reports.exists() else []
        audit_rows = list(session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(20)))
        return {"periods": periods, "outbox_counts": Counter(n.status for n in rows),
                "problems": [n for n in rows if n.status in ("failed", "undeliverable", "pending")][:50],
                "reports": reports, "audit": audit_rows}  # fmt: skip

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

    @app.post("/office/outbox/{row_id}/resend")
    def resend(request: Request, row_id: int, csrf: str = Form("")) -> Response:
        user = office_action(request, csrf)
        if not isinstance(user, str):
            return user
        with rt.sessions.begin() as session:
            count = outbox.requeue(session, [row_id], now())
            audit(session, user, "resend", f"outbox:{row_id}", f"requeued {count}")
        return RedirectResponse("/office", status_code=303)

    @app.post("/office/assess")
    def reassess(request: Request, csrf: str = Form("")) -> Response:
        user = office_action(request, csrf)
        if not isinstance(user, str):
            return user
        today = now().date()
        written = []
        with rt.sessions.begin() as session:
            for period_id, _slug, _label in steps.periods_in_play(rt, today):
                period = session.get(Period, period_id)
                result = assess_period(session, period, today)
                store(session, period, result, today)
                written += write_report(result, rt.reports, steps.calendar_notes(rt, today, []))
            audit(session, user, "assess", "periods in play", f"{len(written) // 2} report(s)")
        return RedirectResponse("/office", status_code=303)

    @app.get("/office/reports/{name}")
    def report_file(request: Request, name: str) -> Response:
        if office_user(request) is None:
            return RedirectResponse("/office/login", status_code=303)
        path = (rt.reports / name).resolve()
        if (
            path.parent != rt.reports.resolve()
            or not path.is_file()
            or path.suffix not in (".html", ".xlsx")
        ):
            return refuse(request, 404, "没有这个报告")
        return FileResponse(path, filename=name)

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return RedirectResponse("/office", status_code=303)

    return app
