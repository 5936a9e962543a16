"""What a unit actually wrote: each submission of a request, newest first, with every task's
status and text and every target's value (the office's unit page reads it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import IndicatorValue, ProgressRow, Request, Submission, Target, Task
from vocab import zh
from vocab.words import Channel


def submissions_of(session: Session, request: Request) -> list[dict[str, Any]]:
    subs = list(
        session.scalars(
            select(Submission)
            .where(Submission.request_id == request.id)
            .order_by(Submission.received_at.desc(), Submission.id.desc())
        )
    )
    ids = [s.id for s in subs]
    progress: dict[int, list[dict[str, str]]] = {}
    for row, task in session.execute(
        select(ProgressRow, Task)
        .join(Task, ProgressRow.task_id == Task.id)
        .where(ProgressRow.submission_id.in_(ids))
        .order_by(Task.position)
    ):
        progress.setdefault(row.submission_id, []).append(
            {"ref": task.ref, "title": task.title, "status": row.status, "text": row.text}
        )
    values: dict[int, list[dict[str, str]]] = {}
    for value, target in session.execute(
        select(IndicatorValue, Target)
        .join(Target, IndicatorValue.target_id == Target.id)
        .where(IndicatorValue.submission_id.in_(ids))
        .order_by(Target.position)
    ):
        values.setdefault(value.submission_id, []).append(
            {
                "code": target.code,
                "name": target.name,
                "value": f"{zh.number(value.value)} {target.measure}".strip(),
            }
        )
    return [
        {
            "received": zh.moment(s.received_at),
            "channel": zh.word(s.channel, Channel) if s.channel in set(Channel) else s.channel,
            "late": s.late,
            "latest": i == 0,
            "progress": progress.get(s.id, []),
            "figures": values.get(s.id, []),
        }
        for i, s in enumerate(subs)
    ]
