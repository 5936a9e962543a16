"""The office's pages: the dashboard of any period (`/office`), a unit's page across periods
(`/office/units/{id}`), 重新评估 of the displayed period (`/office/assess`) and the report
files under their Chinese names (`/office/reports/{name}`).

Reads go through `reporting.queries` (the CLI reads the same), the re-assessment through
`reporting.actions.reassess` (as `duban report` does)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from db.models import Period, Plan
from duban.portal.closures import office_unit_extras
from duban.portal.deps import Audit, Clock, FormToken, OfficeAction, OfficeUser, Page, Rt
from flows import steps
from flows.runtime import Runtime
from reporting import extension_requests, office_log, queries
from reporting.actions import download_name, reassess
from reporting.names import content_disposition, report_paths, year_download_names, year_paths
from vocab import zh
from vocab.words import MessageKind, OutboxStatus

REPORT_NAME = re.compile(r"[\w\-（）()]+(?:\.[\w\-（）()]+)*\.(?:html|xlsx|docx)")
# A downloaded report is a standalone page with its own <style>: styles, no script, sandboxed.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; sandbox"
)
router = APIRouter()
MEDIA = {
    ".html": "text/html; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def report_files(rt: Runtime, slug: str, title: str, label: str) -> list[tuple[str, str]]:
    """The period's report files that exist: (disk name, Chinese name)."""
    paths = report_paths(rt.reports, slug, label)
    return [
        (p.name, download_name(p, rt.messages.programme, title, label))
        for p in (paths.notice, paths.xlsx, paths.html)
        if p.is_file()
    ]


def offered_name(rt: Runtime, session: Any, name: str) -> str | None:
    """The Chinese name a report file on disk is offered under; None: not a report."""
    for period, plan in session.execute(select(Period, Plan).join(Plan)):
        paths = report_paths(rt.reports, plan.slug, period.label)
        if name in (paths.xlsx.name, paths.html.name, paths.notice.name):
            return download_name(rt.reports / name, rt.messages.programme, plan.title, period.label)
        xlsx, docx = year_paths(rt.reports, plan.slug, period.end.year)
        if name in (xlsx.name, docx.name):
            names = year_download_names(rt.messages.programme, period.end.year)
            return names[0] if name == xlsx.name else names[1]
    return None


def chosen_period(
    choices: list[queries.PeriodChoice], wanted: int | None, today: dt.date
) -> int | None:
    """The period asked for if it is one of the choices, else the default one."""
    if wanted is not None and any(c.period_id == wanted for c in choices):
        return wanted
    first = queries.default_period(choices, today)
    return first.period_id if first else None


@router.get("/office", response_class=HTMLResponse)
def dashboard(
    request: Request, user: OfficeUser, rt: Rt, now: Clock, page: Page, csrf: FormToken
) -> Response:
    q = request.query_params
    today = now().date()
    with rt.sessions() as session:
        choices = queries.period_choices(session)
        chosen = chosen_period(choices, _int(q.get("period")), today)
        view = None
        if chosen is not None:
            view = queries.period_view(
                session,
                chosen,
                today,
                status=q.get("status", ""),
                unit=q.get("unit", ""),
                kind=q.get("kind", ""),
                page=_int(q.get("page")) or 1,
                cal=rt.calendar,
                light=q.get("light", ""),
            )
        outbox = office_log.outbox_view(session)
        audit = office_log.audit_lines(session)
        pending_extensions = extension_requests.shown(session, pending_only=True)
    files = (
        report_files(rt, view.choice.plan_slug, view.choice.plan_title, view.choice.label)
        if view
        else []
    )
    years = sorted({c.year for c in choices}, reverse=True)
    latest = list({c.plan_slug: c for c in reversed(choices) if c.opened}.values())
    assessed = (
        next((a for a in audit if a.action == "重新评估"), None) if q.get("assessed") else None
    )
    return page(
        "dashboard.html",
        user=user,
        csrf=csrf,
        choices=choices,
        years=years,
        latest=latest,
        view=view,
        outbox=outbox,
        audit=audit,
        files=files,
        shown=queries.SHOWN,
        assessed=assessed,
        kind_word=_kind_word,
        error_text=office_log.error_text,
        status_word=_status_word,
        today=today,
        pending_extensions=pending_extensions,
    )


@router.get("/office/units/{unit_id}", response_class=HTMLResponse)
def unit_page(
    unit_id: str, user: OfficeUser, rt: Rt, now: Clock, page: Page, csrf: FormToken
) -> Response:
    with rt.sessions() as session:
        found = queries.unit_history(session, unit_id, now().date())
        extras = office_unit_extras(session, unit_id, now().date(), rt.calendar) if found else {}
    if found is None:
        return page.refuse(404, "没有这个单位")
    unit, lines = found
    return page("office_unit.html", user=user, csrf=csrf, unit=unit, lines=lines, **extras)


@router.post("/office/assess")
def assess(
    user: OfficeAction, rt: Rt, now: Clock, audit: Audit, period: Annotated[str, Form()] = ""
) -> Response:
    today = now().date()
    period_id = _int(period)
    ids = (
        [period_id]
        if period_id is not None
        else [i for i, _, _ in steps.periods_in_play(rt, today)]
    )
    with rt.sessions.begin() as session:
        done = reassess(session, ids, today, steps.report_setup(rt, today))
        detail = "；".join(d.summary for d in done) or "没有可评估的报送期"
        names = "、".join(zh.period_name(d.period_label) for d in done) or "—"
        audit(session, user, "assess", names, detail)
    back = (
        f"/office?period={done[0].period_id}&assessed=1" if len(done) == 1 else "/office?assessed=1"
    )
    return RedirectResponse(back, status_code=303)


@router.get("/office/reports/{name}")
def report_file(name: str, user: OfficeUser, rt: Rt, page: Page) -> Response:
    # Only a plain name of a file that is in the folder: no "..", separators, NUL, or stat().
    listed = len(name) <= 200 and REPORT_NAME.fullmatch(name) and rt.reports.is_dir()
    if not listed or name not in {p.name for p in rt.reports.iterdir() if p.is_file()}:
        return page.refuse(404, "没有这个报告")
    path = rt.reports / name
    with rt.sessions() as session:
        shown = offered_name(rt, session, path.name) or path.name
    disposition = content_disposition(shown, path.name)
    if path.suffix == ".html":
        disposition = disposition.replace("attachment", "inline", 1)
    headers = {"Content-Disposition": disposition}
    if path.suffix == ".html":
        headers["Content-Security-Policy"] = REPORT_CSP
    return FileResponse(path, media_type=MEDIA[path.suffix], headers=headers)


def _kind_word(kind: str) -> str:
    return zh.word(MessageKind(kind)) if kind in set(MessageKind) else kind


def _status_word(status: str) -> str:
    return (
        office_log.OUTBOX_WORDS.get(OutboxStatus(status), status)
        if status in set(OutboxStatus)
        else status
    )
