"""The office's read side, shared by the portal and the CLI: a period as it stands now, a unit
across periods, the outbox and the audit log, every word in Chinese.

A period's table and its flags come from one assessment of the current data
(`reporting.assess`), never from an assessment stored days ago: a unit that has reported
since, or was waived, can no longer show 已报送 in the table and 未报送 in the flags."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Period, Plan, Request, Unit
from reporting.assess import assess_period, assess_periods
from reporting.counts import PeriodCounts, period_counts
from reporting.figures import PeriodAssessment, UnitRow
from reporting.period_lights import TaskLightLine, task_lights
from reporting.stored import _flags
from reporting.workdays import WorkCalendar
from vocab import zh
from vocab.words import FlagKind, FlagSubject, ReportStatus, Severity, TaskLight

PAGE = 50  # flags a page
# What a row of the table says: a unit not yet answered is 待报送 until its own due date.
SHOWN = {
    "submitted": "按时报送",
    "late": "逾期报送",
    "overdue": "逾期未报",
    "pending": "待报送",
    "waived": "免报",
}
# Each enum's own words: vocab.zh.WORDS is keyed by values that several enums share ("request" is
# a flag's subject and a message kind; "failed" an outbox and a tick status), so its last wins.
SUBJECTS = {FlagSubject.REQUEST: "报送", FlagSubject.TARGET: "指标", FlagSubject.TASK: "任务"}
SEVERITIES = {Severity.HIGH: "严重", Severity.MEDIUM: "一般", Severity.LOW: "提示"}


@dataclass(frozen=True)
class PeriodChoice:
    period_id: int
    plan_slug: str
    plan_title: str
    label: str
    name: str  # 2025年第三季度
    year: int
    opened: bool


@dataclass(frozen=True)
class UnitLine:
    unit_id: str
    name: str
    shown: str  # a key of SHOWN
    code: str
    due_on: dt.date
    received_at: str | None
    open: bool  # still awaits an answer: the office may extend or waive it

    @property
    def status_text(self) -> str:
        return SHOWN[self.shown]


@dataclass(frozen=True)
class FlagLine:
    subject: str  # 报送 / 指标 / 任务
    kind: str  # the Chinese word of the flag
    kind_key: str  # the FlagKind value (filters)
    severity: str
    unit_id: str | None
    who: str  # the unit, or the target's owner
    what: str  # the task, the target and its figures


@dataclass
class PeriodView:
    choice: PeriodChoice
    due_on: dt.date
    result: PeriodAssessment
    counts: PeriodCounts
    units: list[UnitLine]  # filtered
    flags: list[FlagLine]  # this page of the filtered flags
    flag_total: int  # all flags of the period
    flag_matched: int  # those the filters keep
    flag_kinds: dict[str, int]  # Chinese kind → count, all flags
    page: int
    pages: int
    filters: dict[str, str] = field(default_factory=dict)
    lights: list[TaskLightLine] = field(
        default_factory=list
    )  # filtered (red and yellow by default)
    light_counts: dict[str, int] = field(default_factory=dict)  # 红/黄/绿/办结 → tasks, all units


def period_choices(session: Session) -> list[PeriodChoice]:
    """Every period of every plan, newest first (the selector lists unopened ones greyed)."""
    rows = session.execute(
        select(Period, Plan).join(Plan).order_by(Period.start.desc(), Plan.slug)
    ).all()
    return [
        PeriodChoice(
            p.id,
            plan.slug,
            plan.title,
            p.label,
            zh.period_name(p.label),
            p.end.year,
            p.opened_at is not None,
        )
        for p, plan in rows
    ]


def default_period(choices: list[PeriodChoice], as_of: dt.date) -> PeriodChoice | None:
    """The newest opened period: what the office looks at when it names none."""
    return next((c for c in choices if c.opened), None)


def shown_status(u: UnitRow, due_on: dt.date, as_of: dt.date) -> str:
    if u.status == ReportStatus.MISSING:
        return "overdue" if as_of > due_on else "pending"
    return str(u.status)


def flag_lines(
    period: Period, result: PeriodAssessment, as_of: dt.date, codes: dict[str, Request]
) -> list[FlagLine]:
    """The flags the assessment raises (the very ones `reporting.stored` stores), in Chinese;
    a unit not answered is flagged 未报送 only once its own due date has passed, and its tasks
    are not flagged one by one for want of progress (a waived unit is 免报, never missing)."""
    request_ids = {(period.id, r.unit_id): r.id for r in codes.values()}
    by_request = {r.id: r for r in codes.values()}
    owners = {t.target_id: (t.owner_id, t.owner) for t in result.targets}
    task_units = {u.unit_name: u.unit_id for u in result.units}
    task_units.update({t.unit_name: t.unit_id for t in result.tasks})
    titles = {(t.unit_name, t.ref): t.title for t in result.tasks}
    answered = (ReportStatus.SUBMITTED, ReportStatus.LATE)
    unanswered = {u.unit_id for u in result.units if u.status not in answered}
    lines = []
    unit_id: str | None
    for f in _flags(period, result, as_of, request_ids):
        subject, kind, figures = f["subject"], f["kind"], f["figures"]
        if subject == FlagSubject.REQUEST:
            req = by_request[f["subject_id"]]
            if kind == FlagKind.MISSING and as_of <= req.due_on:
                continue
            unit_id, who = req.unit_id, figures["unit"]
            what = f"参考编号 {req.code}，截止 {req.due_on.isoformat()}"
            if figures.get("received_at"):
                what += f"，{figures['received_at']} 收到"
        elif subject == FlagSubject.TARGET:
            unit_id, who = owners.get(f["subject_id"], (None, ""))
            actual = "未报" if figures["actual"] is None else zh.number(round(figures["actual"], 2))
            what = f"{figures['name']}：序时应达 {zh.number(round(figures['expected'], 2))}，实际 {actual}"
        else:
            who = figures["unit"]
            unit_id = task_units.get(who)
            if kind == FlagKind.MISSING and unit_id in unanswered:
                continue  # no answer at all: 未报送 (or 待报送, 免报) says it once, not per task
            title = titles.get((who, figures["ref"]), "")
            what = f"任务 {figures['ref']} {title[:40]}".rstrip()
        lines.append(
            FlagLine(
                SUBJECTS[FlagSubject(subject)],
                zh.flag_word(kind, subject),
                str(kind),
                SEVERITIES[Severity(f["severity"])],
                unit_id,
                who,
                what,
            )
        )
    return lines


def period_view(
    session: Session,
    period_id: int,
    as_of: dt.date,
    *,
    status: str = "",
    unit: str = "",
    kind: str = "",
    page: int = 1,
    per_page: int = PAGE,
    cal: WorkCalendar | None = None,
    light: str = "",
) -> PeriodView | None:
    """A period as it stands on `as_of`, its table and flags filtered (status: a key of
    SHOWN; unit: a unit id; kind: a FlagKind value) and its flags paged."""
    found = session.execute(select(Period, Plan).join(Plan).where(Period.id == period_id)).first()
    if found is None:
        return None
    period, plan = found
    view = view_of(
        session,
        period,
        plan,
        assess_period(session, period, as_of),
        as_of,
        status=status,
        unit=unit,
        kind=kind,
        page=page,
        per_page=per_page,
    )
    if cal is not None:
        add_lights(session, view, period, plan, as_of, cal, light)
    return view


def add_lights(
    session: Session,
    view: PeriodView,
    period: Period,
    plan: Plan,
    as_of: dt.date,
    cal: WorkCalendar,
    light: str,
) -> None:
    """The tasks' lights on the view, as of the period's due date at the latest (a past
    period's tasks are lit as they stood when it was due); filtered like the table, and by
    `light` (a TaskLight value; by default red and yellow)."""
    light = light if light in {c.value for c in TaskLight} else ""
    lines = task_lights(session, plan, view.result, min(as_of, period.due_on), cal)
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.word] = counts.get(line.word, 0) + 1
    keep = {u.unit_id for u in view.units}
    wanted = {light} if light else {TaskLight.RED.value, TaskLight.YELLOW.value}
    view.lights = [x for x in lines if x.unit_id in keep and x.colour in wanted]
    view.light_counts = counts
    view.filters["light"] = light


def view_of(
    session: Session,
    period: Period,
    plan: Plan,
    result: PeriodAssessment,
    as_of: dt.date,
    *,
    status: str = "",
    unit: str = "",
    kind: str = "",
    page: int = 1,
    per_page: int = PAGE,
) -> PeriodView:
    """`period_view` of an assessment already made."""
    requests = {
        r.unit_id: r for r in session.scalars(select(Request).where(Request.period_id == period.id))
    }
    units = []
    for u in result.units:
        req = requests[u.unit_id]
        shown = shown_status(u, req.due_on, as_of)
        units.append(
            UnitLine(
                u.unit_id,
                u.unit_name,
                shown,
                req.code,
                req.due_on,
                u.received_at,
                req.status == "pending",
            )
        )
    flags = flag_lines(period, result, as_of, requests)
    kinds: dict[str, int] = {}
    for f in flags:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    if status:
        units = [u for u in units if u.shown == status]
        keep = {u.unit_id for u in units}
        flags = [f for f in flags if f.unit_id in keep]
    if unit:
        units = [u for u in units if u.unit_id == unit]
        flags = [f for f in flags if f.unit_id == unit]
    if kind:
        flags = [f for f in flags if f.kind_key == kind]
    pages = max(1, -(-len(flags) // per_page))
    page = min(max(page, 1), pages)
    choice = PeriodChoice(
        period.id,
        plan.slug,
        plan.title,
        period.label,
        zh.period_name(period.label),
        period.end.year,
        period.opened_at is not None,
    )
    return PeriodView(
        choice,
        period.due_on,
        result,
        period_counts(result),
        units,
        flags[(page - 1) * per_page : page * per_page],
        sum(kinds.values()),
        len(flags),
        kinds,
        page,
        pages,
        {"status": status, "unit": unit, "kind": kind},
    )


@dataclass(frozen=True)
class UnitPeriodLine:
    choice: PeriodChoice
    line: UnitLine
    submissions: list[dict[str, Any]]  # received, channel, late, what it wrote
    flags: list[FlagLine]


def unit_history(
    session: Session, unit_id: str, as_of: dt.date
) -> tuple[Unit, list[UnitPeriodLine]] | None:
    """A unit's requests in every period, newest first: its status, what its submissions
    wrote (each task's status and text, each target's value) and its flags."""
    from reporting.unit_history import submissions_of

    unit = session.get(Unit, unit_id)
    if unit is None:
        return None
    found = session.execute(
        select(Period, Plan)
        .join(Plan)
        .join(Request, Request.period_id == Period.id)
        .where(Request.unit_id == unit_id)
        .order_by(Period.start.desc())
    ).all()
    # All its periods assessed at once: their history is read in one set of queries.
    results = assess_periods(session, [p for p, _ in found], as_of)
    lines = []
    for (period, plan), result in zip(found, results, strict=True):
        view = view_of(session, period, plan, result, as_of, unit=unit_id, per_page=1_000_000)
        if not view.units:
            continue
        line = view.units[0]
        req = session.scalar(select(Request).where(Request.code == line.code))
        assert req is not None
        lines.append(UnitPeriodLine(view.choice, line, submissions_of(session, req), view.flags))
    return unit, lines
