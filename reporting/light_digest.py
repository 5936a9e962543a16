"""Which of a unit's tasks turned 黄 or 红 since its last digest (issue 19), for the unit's next
digest: the colours each digest showed travel in its payload (`lights`), so the next one
compares with what the unit was last told, whatever days passed between."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Notification
from reporting.lights import Light, light_changes
from reporting.task_board import TaskState, task_states
from reporting.workdays import WorkCalendar
from vocab.messages import LightLine
from vocab.words import TaskLight


def last_lights(
    session: Session, recipients: Collection[str], as_of: dt.date
) -> dict[str, dict[str, str]]:
    """The colours each recipient's latest digest before `as_of` showed (a recipient without
    one is left out): one query for a whole batch of digests."""
    if not recipients:
        return {}
    before = f"digest:{as_of.isoformat()}"  # digest:<day>:<recipient>, days in ISO order
    latest = (
        select(Notification.channel, func.max(Notification.key).label("key"))
        .where(
            Notification.channel.in_(recipients),
            Notification.key.like("digest:%"),
            Notification.key < before,
        )
        .group_by(Notification.channel)
        .subquery()
    )
    rows = session.execute(
        select(latest.c.channel, Notification.payload).join(
            Notification, Notification.key == latest.c.key
        )
    )
    return {channel: dict((payload or {}).get("lights") or {}) for channel, payload in rows}


def lights_by_unit(
    session: Session, cal: WorkCalendar, as_of: dt.date
) -> dict[str, dict[str, TaskState]]:
    """Every unit's tasks with their lights on `as_of` ({unit id: {plan:task id: state}}),
    read once for a day's digests (reading them per digest cost a province's daily tick
    minutes)."""
    by_unit: dict[str, dict[str, TaskState]] = {}
    for state in task_states(session, cal, as_of):
        by_unit.setdefault(state.unit_id, {})[f"{state.plan}:{state.task_id}"] = state
    return by_unit


def batch_lights(
    session: Session,
    as_of: dt.date,
    units: Mapping[str, str],
    by_unit: Mapping[str, Mapping[str, TaskState]],
) -> dict[str, tuple[dict[str, str], list[LightLine]]]:
    """For each liaison digest of a batch ({recipient: unit id}): today's colours of the
    unit's tasks ({plan:task id: colour}) and the tasks that turned 黄/红 since the unit's last
    digest, as lines the digest names."""
    if not units:
        return {}
    previous = last_lights(session, list(units), as_of)
    out = {}
    for recipient, unit_id in units.items():
        states = by_unit.get(unit_id, {})
        out[recipient] = _changes(states, previous.get(recipient, {}))
    return out


def _changes(
    states: Mapping[str, TaskState], previous: Mapping[str, str]
) -> tuple[dict[str, str], list[LightLine]]:
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
