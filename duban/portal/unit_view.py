"""What a unit's page shows: its request, the tasks and targets it answers for with what it
last entered (a 暂存 too) and the previous period's answers, its history and each task's light."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import IndicatorValue, Plan, ProgressRow, Submission, Task, Unit
from db.models import Request as ReportRequest
from duban.portal import unit_form
from notifications.links import LinkClaims, LinkError
from reporting import extension_requests
from reporting.excel import STATUSES
from reporting.extensions import earliest_new_due
from reporting.periods import quarter_name
from reporting.requests import latest_submission, previous_answers
from reporting.work import UnitWork, goal_text, unit_work_for_request
from reporting.workdays import WorkCalendar
from vocab import zh
from vocab.words import ExtensionStatus, RequestStatus


def claimed_request(session: Session, claims: LinkClaims) -> ReportRequest:
    """The link's request; LinkError when the link names another unit's (or no) request."""
    req = session.get(ReportRequest, claims.request_id)
    if req is None or req.unit_id != claims.unit_id:
        raise LinkError("链接无效 (invalid link)")
    return req


def _answers(
    session: Session, latest: Submission | None
) -> tuple[dict[int, ProgressRow], dict[int, Decimal]]:
    if latest is None:
        return {}, {}
    rows = session.scalars(select(ProgressRow).where(ProgressRow.submission_id == latest.id))
    values = session.scalars(
        select(IndicatorValue).where(IndicatorValue.submission_id == latest.id)
    )
    return {r.task_id: r for r in rows}, {v.target_id: v.value for v in values}


def _task_rows(
    work: UnitWork, rows: dict[int, ProgressRow], prev: dict[int, ProgressRow]
) -> list[dict[str, Any]]:
    shown = []
    for task, role in work.tasks:
        row = rows.get(task.id)
        shown.append(
            {
                "id": task.id,
                "ref": task.ref,
                "title": task.title,
                "role": "牵头" if role == "lead" else "配合",
                "status": row.status if row else "",
                "text": row.text if row else "",
                "problems": (row.problems or "") if row else "",
                "next": (row.next_steps or "") if row else "",
                "prev": prev[task.id].text if task.id in prev else "",
            }
        )
    return shown


def _target_rows(
    work: UnitWork,
    values: dict[int, Decimal],
    prev: dict[int, Decimal],
    reasons: dict[str, Any],
) -> list[dict[str, Any]]:
    return [
        {
            "id": t.id,
            "name": t.name,
            "goal": goal_text(t),
            "measure": t.measure,
            "value": values.get(t.id),
            "prev": prev.get(t.id),
            "reason": reasons.get(str(t.id), ""),
            "note": "",
        }
        for t in work.targets
    ]


def _history(session: Session, request_id: int) -> list[Submission]:
    return list(
        session.scalars(
            select(Submission)
            .where(Submission.request_id == request_id)
            .order_by(Submission.received_at.desc())
        )
    )


def _light_tasks(
    session: Session, plan: Plan, tasks: list[dict[str, Any]], today: dt.date, cal: WorkCalendar
) -> None:
    due = dict(session.execute(select(Task.id, Task.due_date).where(Task.plan_id == plan.id)).all())
    warn = (plan.reporting or {}).get("task_warn_workdays")
    unit_form.lights(tasks, due, dt.date(plan.end_year, 12, 31), today, cal, warn)


def unit_context(
    session: Session, claims: LinkClaims, today: dt.date, cal: WorkCalendar
) -> dict[str, Any]:
    """The unit page's context for the link's request."""
    req = claimed_request(session, claims)
    period, plan, work = unit_work_for_request(session, req)
    latest = latest_submission(session, req.id)
    rows, values = _answers(session, latest)
    prev_rows, prev_values = previous_answers(session, period, req.unit_id)
    draft = latest is not None and not latest.complete
    tasks = _task_rows(work, rows, prev_rows)
    ctx: dict[str, Any] = {
        "req": req,
        "period": period,
        "plan": plan,
        "unit": session.get(Unit, req.unit_id),
        "period_name": quarter_name(period.label),
        "tasks": tasks,
        "targets": _target_rows(
            work, values, prev_values, (latest.reasons or {}) if latest else {}
        ),
        "history": _history(session, req.id),
        "statuses": STATUSES,
        "banner": "",
        "banner_links": [],
        "draft": draft,
        "filler": (latest.filler or "") if latest else "",
        "phone": (latest.phone or "") if latest else "",
    }
    if latest is not None and draft:
        ctx["banner"] = "上次保存的是暂存，尚未计为报送：" + "；".join(latest.missing or [])
    _light_tasks(session, plan, tasks, today, cal)
    ctx.update(extension_context(session, req, today, cal))
    return ctx


def extension_context(
    session: Session, req: ReportRequest, today: dt.date, cal: WorkCalendar
) -> dict[str, Any]:
    """The unit's 延期申请 section: its applications and whether it may ask (one at a time)."""
    waiting = extension_requests.waiting(session, req.id) is not None
    answered = RequestStatus(req.status).answered or req.status == RequestStatus.WAIVED
    return {
        "extensions": extension_requests.of_request(session, req.id),
        "ext_open": not waiting and not answered,
        "ext_waiting": waiting,
        "ext_earliest": earliest_new_due(today, cal, req.due_on),
        "ext_reason": "",
        "ext_due": "",
        "ext_word": lambda status: zh.word(status, ExtensionStatus),
    }


def history(session: Session, claims: LinkClaims) -> list[Submission]:
    return _history(session, claimed_request(session, claims).id)
