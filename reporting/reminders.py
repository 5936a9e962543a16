"""Decide the day's notices: at most one digest per recipient per day, naming all that
recipient's open items. The flows hand each digest to the outbox and then mark its steps
handled in the same transaction, so no step is ever sent twice."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.batching import batched
from db.models import LadderStep, Period, Plan, Request, Unit
from db.models.base import core_table
from reporting.ladder import LEADER, LIAISON, OFFICE, Step, due_steps, folded, schedule
from reporting.opening import reporting_of
from reporting.templates import template_path
from reporting.work import unit_work_for_request
from reporting.workdays import WorkCalendar
from vocab import zh
from vocab.messages import RequestItem
from vocab.words import RequestStatus

LADDER_SPAN = dt.timedelta(days=45)
# The most pressing kind names the digest.
KIND_ORDER = ("request", "reminder", "final", "overdue", "escalation")
OFFICE_TAG = "office"


@dataclass
class Digest:
    recipient: str  # Apprise tag: "<unit id>", "<unit id>:leader" or "office"
    unit_id: str | None
    audience: str
    kind: str
    day: dt.date
    items: list[RequestItem] = field(default_factory=list)
    steps: list[tuple[int, Step]] = field(default_factory=list)  # (request id, step) sent
    folded: list[tuple[int, Step]] = field(default_factory=list)  # handled without a message

    @cached_property
    def key(self) -> str:
        # One digest per recipient per day: running the tick twice enqueues nothing new.
        return f"digest:{self.day:%Y-%m-%d}:{self.recipient}"


def item_for(
    session: Session,
    request: Request,
    step: Step,
    as_of: dt.date,
    cal: WorkCalendar,
    var_dir: Any,
    cache: dict[int, Any] | None = None,
    unit_names: dict[str, str] | None = None,
) -> RequestItem:
    period, plan, work = unit_work_for_request(session, request, cache)
    name = (unit_names or {}).get(request.unit_id)
    if name is None:
        unit = session.get(Unit, request.unit_id)
        assert unit is not None
        name = unit.name
    tasks, targets = work.listing()
    overdue_days = cal.workdays_between(request.due_on, as_of) if as_of > request.due_on else 0
    return {
        "request_id": request.id,
        "code": request.code,
        "stage": step.stage,
        "kind": step.kind,
        "unit_id": request.unit_id,
        "unit_name": name,
        "plan_title": plan.title,
        "period_label": period.label,
        "period_name": zh.period_name(period.label),
        "due_on": request.due_on.isoformat(),
        "alarm_on": cal.add_workdays(request.due_on, -1).isoformat(),
        "due_text": zh.date_weekday(request.due_on),
        "overdue_workdays": overdue_days,
        "sequence": request.sequence,
        "tasks": tasks,
        "targets": targets,
        "template": str(template_path(var_dir, request, period.label)),
    }


def decide(session: Session, as_of: dt.date, cal: WorkCalendar, var_dir: Any) -> list[Digest]:
    """Return today's digests for every pending request of an opened period."""
    return [d for batch in decide_batches(session, as_of, cal, var_dir) for d in batch]


def decide_batches(
    session: Session, as_of: dt.date, cal: WorkCalendar, var_dir: Any, batch: int = 2000
) -> Iterator[list[Digest]]:
    """Today's digests in batches of about `batch` units, each unit's digests complete.

    Requests are streamed in (jurisdiction, unit) order, so a unit's digest is finished once the
    stream has passed the unit, and the work of a jurisdiction's plans is kept only while its
    requests go by: a nation's 120,000 requests never sit in memory together. The office digest
    gathers escalations from everywhere and comes last.
    """
    if not cal.is_workday(as_of):
        return  # nothing outside working days; the next working day catches up
    day = _Day(session, as_of, cal, var_dir)
    unit = None
    for request, period, plan in day.requests():
        if request.unit_id != unit:
            unit = request.unit_id
            if len(day.digests) >= batch:
                yield day.take_units()
        day.add(request, period, plan)
    if day.digests:
        yield list(day.digests.values())


class _Day:
    """The digests of one day, built request by request."""

    def __init__(self, session: Session, as_of: dt.date, cal: WorkCalendar, var_dir: Any):
        self.session, self.as_of, self.cal, self.var_dir = session, as_of, cal, var_dir
        # The ladder's last step comes about 20 working days after the due date: requests due
        # longer ago than LADDER_SPAN have nothing left to send, and are not looked at daily.
        self.recent = as_of - LADDER_SPAN
        self.done = self._handled()
        self.digests: dict[str, Digest] = {}
        self.work_cache: dict[int, Any] = {}  # plan id -> work by unit, this jurisdiction's
        self.schedules: dict[tuple[Any, ...], list[Step]] = {}
        self.jurisdiction: str | None = None
        self.names: dict[str, str] = {}

    def _handled(self) -> dict[int, set[str]]:
        done: dict[int, set[str]] = defaultdict(set)
        handled = (
            select(LadderStep.request_id, LadderStep.stage)
            .join(Request, LadderStep.request_id == Request.id)
            .where(Request.status == RequestStatus.PENDING, Request.due_on >= self.recent)
        )
        for request_id, stage in self.session.execute(handled):
            done[request_id].add(stage)
        return done

    def requests(self) -> Any:
        return self.session.execute(
            select(Request, Period, Plan)
            .join(Period, Request.period_id == Period.id)
            .join(Plan, Period.plan_id == Plan.id)
            .where(
                Request.status == RequestStatus.PENDING,
                Period.opened_at.is_not(None),
                Request.due_on >= self.recent,
            )
            .order_by(Plan.jurisdiction, Request.unit_id, Request.id)
            .execution_options(yield_per=1000)
        )

    def take_units(self) -> list[Digest]:
        """The finished units' digests; the office's waits for the end."""
        taken = [d for d in self.digests.values() if d.recipient != OFFICE_TAG]
        self.digests = {k: d for k, d in self.digests.items() if d.recipient == OFFICE_TAG}
        return taken

    def _enter(self, jurisdiction: str) -> None:
        if jurisdiction == self.jurisdiction:
            return
        self.jurisdiction = jurisdiction
        self.work_cache.clear()
        # one query for the names instead of one per request (measured: a third of the tick)
        self.names = dict(
            self.session.execute(
                select(Unit.id, Unit.name).where(Unit.jurisdiction == jurisdiction)
            ).all()
        )

    def steps_of(self, request: Request, period: Period, plan: Plan) -> list[Step]:
        ladder = reporting_of(plan).ladder
        key = (period.opens_on, request.due_on, ladder.model_dump_json())
        if key not in self.schedules:  # a period's requests share their dates: compute once
            self.schedules[key] = schedule(period.opens_on, request.due_on, ladder, self.cal)
        steps = self.schedules[key]
        if request.sequence:
            # A moved deadline restarts the reminders: its steps are new stages (before-3#1 …).
            steps = [
                s if s.stage == "request" else replace(s, stage=f"{s.stage}#{request.sequence}")
                for s in steps
            ]
        return steps

    def add(self, request: Request, period: Period, plan: Plan) -> None:
        self._enter(plan.jurisdiction)
        steps = self.steps_of(request, period, plan)
        handled_here = self.done.pop(request.id, set())
        for step in due_steps(steps, handled_here, self.as_of):
            digest = self._digest_for(request, step)
            if KIND_ORDER.index(step.kind) > KIND_ORDER.index(digest.kind):
                digest.kind = step.kind
            item = item_for(
                self.session,
                request,
                step,
                self.as_of,
                self.cal,
                self.var_dir,
                self.work_cache,
                self.names,
            )
            digest.items.append(item)
            digest.steps.append((request.id, step))
        for step in folded(steps, handled_here, self.as_of):
            unit_digest = self.digests.get(request.unit_id)
            if unit_digest is not None:
                unit_digest.folded.append((request.id, step))

    def _digest_for(self, request: Request, step: Step) -> Digest:
        recipient = {
            LIAISON: request.unit_id,
            LEADER: f"{request.unit_id}:leader",
            OFFICE: OFFICE_TAG,
        }[step.audience]
        unit_id = None if step.audience == OFFICE else request.unit_id
        return self.digests.setdefault(
            recipient, Digest(recipient, unit_id, step.audience, step.kind, self.as_of)
        )


def mark_handled_many(session: Session, digests: list[Digest], as_of: dt.date) -> None:
    """Record each digest's steps as sent (with its message key) and its folded ones as handled,
    in one INSERT. A digest whose message was deferred is left out by the caller."""
    rows = [
        {
            "request_id": request_id,
            "stage": step.stage,
            "day": step.day,
            "handled_on": as_of,
            "notification_key": k,
        }
        for digest in digests
        for pairs, k in ((digest.steps, digest.key), (digest.folded, None))
        for request_id, step in pairs
    ]
    for chunk in batched(rows, 5000):
        session.execute(core_table(LadderStep).insert(), chunk)


def invite_item(session: Session, request: Request, cal: WorkCalendar, var_dir: Any) -> RequestItem:
    """The item of a request for an invite (new, moved or cancelled deadline)."""
    step = Step("invite", "invite", LIAISON, request.due_on)
    return item_for(session, request, step, request.due_on, cal, var_dir)


def open_items(
    session: Session, cal: WorkCalendar, var_dir: Any, units: list[str] | None = None
) -> dict[str, list[RequestItem]]:
    """Every unit's open deadlines (pending requests of opened periods), for calendar feeds;
    with `units`, only theirs."""
    by_unit: dict[str, list[RequestItem]] = defaultdict(list)
    cache: dict[int, Any] = {}
    query = (
        select(Request)
        .join(Period, Request.period_id == Period.id)
        .where(Request.status == RequestStatus.PENDING, Period.opened_at.is_not(None))
        .order_by(Request.due_on, Request.id)
    )
    chunks = [None] if units is None else list(batched(sorted(units), 500))
    for chunk in chunks:
        rows = session.scalars(query if chunk is None else query.where(Request.unit_id.in_(chunk)))
        for request in rows:
            step = Step("feed", "invite", LIAISON, request.due_on)
            by_unit[request.unit_id].append(
                item_for(session, request, step, request.due_on, cal, var_dir, cache)
            )
    return dict(by_unit)


def deadline_marks(session: Session) -> dict[str, dict[str, str]]:
    """For every unit with a request: its open deadlines as {request code: what an event of it
    shows}, from one column query. A feed or a CalDAV event is rewritten only when its mark
    changed (rebuilding every unit's feed every tick cost seconds at province scale)."""
    marks: dict[str, dict[str, str]] = {}
    rows = session.execute(
        select(
            Request.unit_id,
            Request.code,
            Request.status,
            Request.due_on,
            Request.sequence,
            Period.opened_at.is_not(None),
            Period.label,
            Plan.title,
            Unit.name,
        )
        .join(Period, Request.period_id == Period.id)
        .join(Plan, Period.plan_id == Plan.id)
        .join(Unit, Request.unit_id == Unit.id)
    )
    for unit_id, code, status, due_on, sequence, opened, label, title, name in rows:
        open_here = marks.setdefault(unit_id, {})
        if status == RequestStatus.PENDING and opened:
            open_here[code] = f"{due_on}|{sequence}|{label}|{title}|{name}"
    return marks
