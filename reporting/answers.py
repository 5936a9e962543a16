"""Whether a submission means what it says (issue 19): the completeness and plausibility rules
applied to what a unit sent, the same for the web form, the uploaded template, `duban submit`
and the inbox.

`check_answers` returns what is missing (the submission is then kept as a 暂存 and changes no
request status) and the values that may not be stored (the submission is then refused whole).
Each item is keyed by the field it concerns, so the web form puts it next to the field and the
template names the sheet!cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import IndicatorValue, Period, Plan, Request, Submission, Target
from reporting.completeness import (
    NO_NEWS,
    Missing,
    ProgressEntry,
    ValueEntry,
    missing_items,
)
from reporting.plausibility import DEFAULT_JUMP_FACTOR, Finding, Previous, blocking, check_value
from reporting.work import UnitWork
from reporting.workbook import ProgressLine, ValueLine
from vocab.words import FlagSubject


@dataclass
class Checked:
    missing: list[Missing] = field(default_factory=list)
    # Blocking findings per target id (refused, or confirmable and not explained).
    findings: dict[int, list[Finding]] = field(default_factory=dict)
    # Confirmable findings the unit explained: stored with the value's 说明.
    explained: dict[int, list[Finding]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.missing


def field_key(item: Missing) -> tuple[str, int]:
    """The (field, id) an item concerns: ("status", 12), ("value", 7)."""
    return (str(item.field), item.id)


def jump_factor_of(plan: Plan) -> Decimal:
    """The plan's `Reporting.jump_factor` (3 when it sets none)."""
    value = (plan.reporting or {}).get("jump_factor")
    return Decimal(str(value)) if value is not None else DEFAULT_JUMP_FACTOR


def previous_values(session: Session, period: Period, unit_id: str) -> dict[int, Previous]:
    """Each target's value in the unit's latest complete submission for an earlier period of
    the same plan, with that period's last day."""
    rows = session.execute(
        select(IndicatorValue.target_id, IndicatorValue.value, Period.end)
        .join(Submission, IndicatorValue.submission_id == Submission.id)
        .join(Request, Submission.request_id == Request.id)
        .join(Period, Request.period_id == Period.id)
        .where(
            Period.plan_id == period.plan_id,
            Period.start < period.start,
            Request.unit_id == unit_id,
            Submission.complete.is_(True),
        )
        .order_by(Period.start, Submission.received_at, Submission.id)
    )
    return {target_id: Previous(value, end) for target_id, value, end in rows}  # latest wins


def check_answers(
    session: Session,
    period: Period,
    plan: Plan,
    unit_id: str,
    work: UnitWork,
    progress: Sequence[ProgressLine],
    values: Sequence[ValueLine],
    reasons: Mapping[int, str],
) -> Checked:
    """What the submission lacks and which of its values are not plausible (a ValueLine's
    `note` is the unit's 说明; the template has none, so its questioned values are refused)."""
    entries = {
        p.task_id: ProgressEntry(
            p.status, p.text, no_news=p.text.strip() == NO_NEWS, problems=p.problems
        )
        for p in progress
    }
    given = {v.target_id: ValueEntry(v.value) for v in values}
    for target_id, reason in reasons.items():
        given.setdefault(target_id, ValueEntry(None, reason))
    checked = Checked(missing_items([t for t, _ in work.tasks], work.targets, entries, given))
    targets = {
        t.id: t
        for t in session.scalars(select(Target).where(Target.id.in_([v.target_id for v in values])))
    }
    previous = previous_values(session, period, unit_id) if values else {}
    factor = jump_factor_of(plan)
    for line in values:
        target = targets.get(line.target_id)
        if target is None:
            continue  # not the unit's: intake refuses it
        found = check_value(target, line.value, period.end, previous.get(line.target_id), factor)
        stops = blocking(found, line.note)
        if stops:
            checked.findings[line.target_id] = stops
        elif found:
            checked.explained[line.target_id] = found
    return checked


def problem_lines(
    checked: Checked, cells: Mapping[tuple[str, int], str] | None = None
) -> list[str]:
    """The refusals as lines, each after its sheet!cell when `cells` knows it."""
    lines = []
    for target_id, findings in checked.findings.items():
        where = (cells or {}).get(("value", target_id))
        lines += [f"{where}: {f.message}" if where else f.message for f in findings]
    return lines


def missing_lines(
    items: Sequence[Missing], cells: Mapping[tuple[str, int], str] | None = None
) -> list[str]:
    """What is missing as lines: 任务 二(一)1：未选择本期状态, after its sheet!cell when known."""
    lines = []
    for item in items:
        key = field_key(item)
        if item.subject == FlagSubject.TASK and key not in (cells or {}):
            key = ("status", item.id)
        where = (cells or {}).get(key)
        lines.append(f"{where}: {item}" if where else str(item))
    return lines
