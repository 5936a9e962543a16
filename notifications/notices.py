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
    session: Session,
    request: ReportRequest,
    received: dt.datetime,
    *,
    late: bool,
    accepted: str = "",
    missing: list[str] | None = None,
) -> dict[str, Any]:
    """What a receipt says: which report arrived, when, whether after the deadline, what was
    taken, and — for a 暂存 — what is still missing (then it is not yet counted as reported)."""
    period = session.get_one(Period, request.period_id)
    plan = session.get_one(Plan, period.plan_id)
    return {
        "verdict": "partial" if missing else "accepted",
        "code": request.code,
        "plan_title": plan.title,
        "period_name": zh.period_name(period.label),
        "received_text": zh.moment(received),
        "late": late,
        "accepted": accepted,
        "missing": missing or [],
    }


def rejection_facts(file: str, received: dt.datetime, problems: list[str]) -> dict[str, Any]:
    """What a unit is told when its file was not taken: which file, when, and every reason."""
    return {
        "verdict": "rejected",
        "file": file,
        "received_text": zh.moment(received),
        "problems": problems,
    }
