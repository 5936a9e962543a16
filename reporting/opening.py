"""Periods exist, and open on their day: one request per unit with work in the plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Period, Plan, Request, RequestEvent
from db.models.base import core_table
from reporting.periods import periods_for
from reporting.requests import request_code
from reporting.work import units_with_work
from reporting.workdays import WorkCalendar
from tasks_catalog.schema import Reporting
from vocab.words import PlanStatus, RequestStatus

OPEN_GRACE = dt.timedelta(days=30)  # a period whose due date is further back is history


def reporting_of(plan: Plan) -> Reporting:
    return Reporting.model_validate(plan.reporting or {})


def ensure_periods(session: Session, plan: Plan, cal: WorkCalendar) -> list[Period]:
    """Create the plan's periods that do not exist yet; return them all, in order."""
    rules = reporting_of(plan)
    existing = {
        p.label: p for p in session.scalars(select(Period).where(Period.plan_id == plan.id))
    }
    for dates in periods_for(
        plan.start_year, plan.end_year, rules.cadence, rules.due_rule, rules.open_rule, cal
    ):
        if dates.label not in existing:
            period = Period(
                plan_id=plan.id,
                label=dates.label,
                start=dates.start,
                end=dates.end,
                opens_on=dates.opens_on,
                due_on=dates.due_on,
            )
            session.add(period)
            existing[dates.label] = period
    session.flush()
    return sorted(existing.values(), key=lambda p: p.start)


def open_periods(
    session: Session, as_of: dt.date, now: dt.datetime, cal: WorkCalendar, var_dir: Path
) -> int:
    """Open every period whose opening day has come (and whose due date is not long past):
    one request per unit with work in the plan. Return how many requests were issued.

    Requests and their events are inserted in bulk; the Excel templates are not written here
    but on first use (`ensure_template`: at dispatch, on download), which keeps opening a
    province-sized period to seconds.
    """
    issued = 0
    live = (Plan.retired_at.is_(None), Plan.status == PlanStatus.PUBLISHED)  # never a draft
    plans = list(session.scalars(select(Plan).where(*live).order_by(Plan.id)))
    for plan in plans:
        for period in ensure_periods(session, plan, cal):
            if (
                period.opened_at is not None
                or period.opens_on > as_of
                or period.due_on + OPEN_GRACE < as_of
            ):
                continue
            period.opened_at = now
            rows = [
                {
                    "period_id": period.id,
                    "unit_id": unit_id,
                    "code": request_code(period, unit_id),
                    "status": RequestStatus.PENDING,
                    "due_on": period.due_on,
                    "sequence": 0,
                    "created_at": now,
                }
                for unit_id in units_with_work(session, plan)
            ]
            if not rows:
                continue
            # Core: the ORM bulk path costs more
            session.execute(core_table(Request).insert(), rows)
            ids = session.scalars(select(Request.id).where(Request.period_id == period.id))
            session.execute(
                core_table(RequestEvent).insert(),
                [
                    {"request_id": i, "at": now, "status": RequestStatus.PENDING, "note": "issued"}
                    for i in ids
                ],
            )
            issued += len(rows)
    session.flush()
    return issued
