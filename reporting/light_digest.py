"""Which of a unit's tasks turned 黄 or 红 since its last digest (issue 19), for the unit's next
digest: the colours each digest showed travel in its payload (`lights`), so the next one
compares with what the unit was last told, whatever days passed between."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Notification
from reporting.lights import Light, light_changes
from reporting.task_board import task_states
from reporting.workdays import WorkCalendar
from vocab.messages import LightLine
from vocab.words import TaskLight


def last_lights(session: Session, recipient: str, before_key: str) -> dict[str, str]:
    """The colours the recipient's latest digest before `before_key` showed ({} when none)."""
    payload = session.scalar(
        select(Notification.payload)
        .where(
            Notification.key.like(f"digest:%:{recipient}"),
            Notification.key < before_key,
        )
        .order_by(Notification.key.desc())
        .limit(1)
    )
    return dict((payload or {}).get("lights") or {})


def unit_lights(
    session: Session, cal: WorkCalendar, as_of: dt.date, unit_id: str, previous: dict[str, str]
) -> tuple[dict[str, str], list[LightLine]]:
    """Today's colours of the unit's tasks ({plan:task id: colour}) and the tasks that turned
    黄/红 since `previous`, as lines a digest names."""
    states = {f"{s.plan}:{s.task_id}": s for s in task_states(session, cal, as_of, unit_id=unit_id)}
    current = {k: Light(TaskLight(s.light), s.reason) for k, s in states.items()}
    lines = [
        LightLine(
            ref=states[c.key].ref,
            title=states[c.key].title,
            colour=c.after.colour.value,
            text=c.text,
        )
        for c in light_changes(previous, current)
    ]
    return {k: light.colour.value for k, light in current.items()}, lines
