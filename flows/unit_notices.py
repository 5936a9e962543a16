"""What a unit is told of the office's decisions made in the portal or the CLI: a 延期申请
approved or refused (a receipt with verdict `extension_approved`/`extension_refused`, worded
in kinds.j2), a task's 办结 or 退回 (`reporting.closure.notice_text`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from db.models import ExtensionRequest, Period, Plan, Request, TaskClosure, Unit
from flows.receipts import enqueue_notice
from flows.runtime import Runtime
from notifications import outbox
from reporting.closure import Claim, notice_text, word
from vocab import zh
from vocab.words import ExtensionStatus, MessageKind


def extension_facts(session: Session, row: ExtensionRequest) -> dict[str, Any]:
    request = session.get_one(Request, row.request_id)
    period = session.get_one(Period, request.period_id)
    plan = session.get_one(Plan, period.plan_id)
    approved = row.status == ExtensionStatus.APPROVED
    return {
        "verdict": "extension_approved" if approved else "extension_refused",
        "code": request.code,
        "plan_title": plan.title,
        "period_name": zh.period_name(period.label),
        "asked_text": zh.moment(row.asked_at),
        "proposed_text": zh.date(row.proposed_due),
        "due_text": zh.date(request.due_on),
        "answer": row.answer or "",
    }


def tell_extension(rt: Runtime, session: Session, row: ExtensionRequest, at: dt.datetime) -> None:
    """Queue the unit's notice of the office's answer to its 延期申请."""
    facts = extension_facts(session, row)
    enqueue_notice(rt, session, f"extension:{row.id}:{row.status}", row.unit_id, facts, at)


def tell_closure(
    rt: Runtime, session: Session, claim: Claim, made: TaskClosure, at: dt.datetime
) -> None:
    """Queue the unit's notice of a task's 办结 or 退回 (as `duban tasks close/return`)."""
    unit = session.get(Unit, made.unit_id)
    outbox.enqueue(
        session,
        key=f"closure:{made.id}",
        recipient=made.unit_id,
        unit_id=made.unit_id,
        kind=MessageKind.RECEIPT,
        subject=f"【{rt.messages.programme}】任务{word(made.action)}通知：{claim.task.ref}",
        payload={
            "text": notice_text(claim.task, made),
            "salutation": unit.name if unit else made.unit_id,
        },
        now=at,
    )
