"""Who does what in a plan: each unit's live tasks (collective phrases expanded to their
members) and the targets it owns, read as plain columns."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.batching import batched
from db.models import Assignment, Period, Plan, Request, Target, Task, Unit
from vocab import messages, zh


class TaskInfo(NamedTuple):
    """What a request, a reminder and a report show of a task."""

    id: int
    ref: str
    title: str


class TargetInfo(NamedTuple):
    """What a request, a reminder and a report show of a target (and `goal_text` needs)."""

    id: int
    code: str
    name: str
    measure: str
    cmp: str
    value: Decimal
    value_max: Decimal | None
    per_year: bool
    baseline: Decimal | None
    year: int
    owner_unit_id: str


TASK_COLUMNS = (Task.id, Task.ref, Task.title)

TARGET_COLUMNS = tuple(getattr(Target, name) for name in TargetInfo._fields)


@dataclass
class UnitWork:
    tasks: list[tuple[TaskInfo, str]] = field(default_factory=list)  # (task, role)
    targets: list[TargetInfo] = field(default_factory=list)
    _listing: tuple[list[messages.TaskLine], list[messages.TargetLine]] | None = field(
        default=None, repr=False, compare=False
    )

    def listing(self) -> tuple[list[messages.TaskLine], list[messages.TargetLine]]:
        """The tasks and targets as a message lists them, built once per unit and plan (the
        lists are shared by every item that names them: read them, do not change them)."""
        if self._listing is None:
            tasks = [
                messages.TaskLine(ref=t.ref, title=t.title, role=zh.role(role))
                for t, role in self.tasks
            ]
            targets = [messages.TargetLine(name=t.name, goal=goal_text(t)) for t in self.targets]
            self._listing = (tasks, targets)
        return self._listing


def work_by_unit(session: Session, plan: Plan) -> dict[str, UnitWork]:
    """Each unit's live tasks (collective phrases expanded to their members, the first role a
    unit gets in a task kept) and owned targets, in catalog order.

    Column queries, not ORM objects: opening a nation's period and assessing a province's ask
    this of every plan, and building Task and Assignment objects was a third of that work
    (measured; the object version is `bench.baselines.work_by_unit_orm`). Only the plan's own
    units are read.
    """
    return work_by_plans(session, [plan.id]).get(plan.id, {})


def work_by_plans(
    session: Session, plan_ids: list[int], unit_id: str | None = None
) -> dict[int, dict[str, UnitWork]]:
    """`work_by_unit` of several plans at once, by plan id: the same few queries whatever the
    number of plans (an assessment asks this of a batch of plans). With `unit_id`, only that
    unit's work is read (a template or a form needs one unit's, not its whole plan's)."""
    live_task = (Task.plan_id.in_(plan_ids), Task.retired_at.is_(None))
    assigned = select(Task.plan_id, Assignment.task_id, Assignment.unit_id, Assignment.role)
    if unit_id is not None:
        assigned = assigned.where(
            Assignment.unit_id.in_({unit_id} | _collectives_with(session, plan_ids, unit_id))
        )
    assignments = session.execute(
        assigned.join(Task, Assignment.task_id == Task.id)
        .where(*live_task, Assignment.retired_at.is_(None))
        .order_by(Task.plan_id, Task.position, Task.id, Assignment.position, Assignment.id)
    ).all()
    task_ids = {a.task_id for a in assignments}
    tasks = {
        row.id: TaskInfo(*row)
        for chunk in batched(sorted(task_ids), 500)
        for row in session.execute(select(*TASK_COLUMNS).where(Task.id.in_(chunk)))
    }
    units = _units_and_members(session, {a.unit_id for a in assignments})
    work: dict[int, dict[str, UnitWork]] = {plan_id: defaultdict(UnitWork) for plan_id in plan_ids}
    seen: set[tuple[str, int]] = set()
    for plan_id, task_id, assignee, role in assignments:
        if assignee not in units:
            continue  # a retired unit
        kind, members = units[assignee]
        for member in members if kind == "collective" else [assignee]:
            if unit_id not in (None, member):
                continue
            if member in units and (member, task_id) not in seen:
                seen.add((member, task_id))
                work[plan_id][member].tasks.append((tasks[task_id], role))
    owned = select(Target.plan_id, *TARGET_COLUMNS).where(
        Target.plan_id.in_(plan_ids), Target.retired_at.is_(None)
    )
    if unit_id is not None:
        owned = owned.where(Target.owner_unit_id == unit_id)
    for plan_id, *row in session.execute(
        owned.order_by(Target.plan_id, Target.position, Target.id)
    ):
        target = TargetInfo(*row)
        work[plan_id][target.owner_unit_id].targets.append(target)
    return {plan_id: dict(by_unit) for plan_id, by_unit in work.items() if by_unit}


def _units_and_members(session: Session, ids: set[str]) -> dict[str, tuple[str, list[str]]]:
    """(kind, members) of the live units among `ids`, and of the members of its collectives."""
    units = {
        uid: (kind, members)
        for uid, kind, members in _unit_rows(session, ids, (Unit.kind, Unit.members))
    }
    wanted = {m for kind, members in units.values() if kind == "collective" for m in members}
    units |= {
        uid: (kind, members)
        for uid, kind, members in _unit_rows(
            session, wanted - set(units), (Unit.kind, Unit.members)
        )
    }
    return units


def _collectives_with(session: Session, plan_ids: list[int], unit_id: str) -> set[str]:
    """The collective units of these plans' jurisdictions that have `unit_id` as a member."""
    jurisdictions = select(Plan.jurisdiction).where(Plan.id.in_(plan_ids))
    rows = session.execute(
        select(Unit.id, Unit.members).where(
            Unit.kind == "collective", Unit.jurisdiction.in_(jurisdictions)
        )
    )
    return {uid for uid, members in rows if unit_id in (members or [])}


def unit_work(session: Session, plan_id: int, unit_id: str) -> UnitWork:
    """One unit's work in one plan: what `work_by_unit(...)[unit_id]` holds, read for it alone."""
    return work_by_plans(session, [plan_id], unit_id).get(plan_id, {}).get(unit_id, UnitWork())


def units_with_work(session: Session, plan: Plan) -> list[str]:
    """The ids `work_by_unit` would return, from three column queries instead of ORM objects.

    Opening a nation's period asks this of 3,000 plans; loading their 600,000 assignments as
    objects only to read their unit ids cost memory and time (measured).
    """
    assigned = set(
        session.scalars(
            select(Assignment.unit_id)
            .join(Task, Assignment.task_id == Task.id)
            .where(
                Task.plan_id == plan.id, Task.retired_at.is_(None), Assignment.retired_at.is_(None)
            )
        )
    )
    ids: set[str] = set()
    members: set[str] = set()
    for uid, kind, unit_members in _unit_rows(session, assigned, (Unit.kind, Unit.members)):
        if kind == "collective":
            members |= set(unit_members)
        else:
            ids.add(uid)
    ids |= {uid for uid, *_ in _unit_rows(session, members, ())}
    owners = session.scalars(
        select(Target.owner_unit_id).where(Target.plan_id == plan.id, Target.retired_at.is_(None))
    )
    return sorted(ids | set(owners))


def _unit_rows(session: Session, ids: set[str], columns: tuple[Any, ...]) -> list[Any]:
    """(id, *columns) of the live units among `ids`."""
    return [
        row
        for chunk in batched(sorted(ids), 500)  # stay under bind-parameter limits
        for row in session.execute(
            select(Unit.id, *columns).where(Unit.id.in_(chunk), Unit.retired_at.is_(None))
        )
    ]


def goal_text(target: Target | TargetInfo) -> str:
    value = zh.number(target.value) + (
        f"–{zh.number(target.value_max)}" if target.value_max is not None else ""
    )
    per = "每年" if target.per_year else ""
    return f"{per}{zh.cmp_sign(target.cmp)} {value} {target.measure}（{target.year}年）"


def unit_work_for_request(
    session: Session, request: Request, cache: dict[int, dict[str, UnitWork]] | None = None
) -> tuple[Period, Plan, UnitWork]:
    """The request's period, plan and the unit's work in it; `cache` keeps work_by_unit per
    plan (for a caller that goes through many of a plan's units), else only the unit's is read."""
    period = session.get(Period, request.period_id)
    assert period is not None
    plan = session.get(Plan, period.plan_id)
    assert plan is not None
    if cache is None:
        return period, plan, unit_work(session, plan.id, request.unit_id)
    if plan.id not in cache:
        cache[plan.id] = work_by_unit(session, plan)
    return period, plan, cache[plan.id].get(request.unit_id, UnitWork())


def assignments_of(session: Session, task_id: int) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment).where(Assignment.task_id == task_id, Assignment.retired_at.is_(None))
        )
    )
