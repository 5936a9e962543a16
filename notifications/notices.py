"""The facts of the notices the system sends on its own: what `templates/kinds.j2` words.

A notice is queued with its facts and rendered when it is sent (`dispatch.compose`), so its
wording lives in the templates alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from db.models import Period, Plan
from db.models import Request as ReportRequest
from vocab import zh


def receipt_facts(
    session: Session, request: ReportRequest, received: dt.datetime, *, late: bool
) -> dict[str, Any]:
    """What a receipt says: which report arrived, when, and whether after the deadline."""
    period = session.get_one(Period, request.period_id)
    plan = session.get_one(Plan, period.plan_id)
    return {
        "code": request.code,
        "plan_title": plan.title,
        "period_name": zh.period_name(period.label),
        "received_text": zh.moment(received),
        "late": late,
    }
