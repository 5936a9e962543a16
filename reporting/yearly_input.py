"""The yearly 考核's input from the year's period assessments (`PeriodAssessment`), so
`duban assess-year` scores exactly what the period reports showed.

From each period, for each unit: asked (not waived), reported, on time; complete (reported,
every one of its tasks with progress text and every target it owns with a value); its tasks
and those it reported 已完成 (自报办结: the office's own 办结 and its deadlines come with the
task lights, issue 19, and replace these through `UnitPeriod`); the targets it owns and those
achieved or on track; its flags (与上期雷同, …)."""

from __future__ import annotations

from collections import Counter

from reporting.figures import PeriodAssessment
from reporting.final import period_end
from reporting.yearly import Adjustment, UnitInfo, UnitPeriod, YearInput
from tasks_catalog.schema import Assessment
from vocab.words import FlagKind, ProgressStatus, ReportStatus, TargetStatus

MET = (TargetStatus.ACHIEVED, TargetStatus.ON_TRACK)


def in_year(label: str, year: int) -> bool:
    end = period_end(label)
    return end is not None and end.year == year


def year_input(
    results: list[PeriodAssessment],
    year: int,
    weights: Assessment | None = None,
    adjustments: list[Adjustment] | None = None,
) -> YearInput:
    """The year's input from one plan's period assessments (those of other years ignored)."""
    periods = sorted(
        (r for r in results if in_year(r.period_label, year)), key=lambda r: r.period_label
    )
    if not periods:
        raise ValueError(f"{year}年没有已评估的报送期")
    units: dict[str, UnitInfo] = {}
    figures: list[UnitPeriod] = []
    for r in periods:
        for u in r.units:
            units[u.unit_id] = UnitInfo(u.unit_id, u.unit_name, u.order)
        figures += _period_figures(r)
    last = periods[-1]
    return YearInput(
        last.plan_slug,
        last.plan_title,
        year,
        weights or Assessment(),
        sorted(units.values(), key=lambda u: (u.order, u.name)),
        [r.period_label for r in periods],
        figures,
        list(adjustments or []),
    )


def _period_figures(r: PeriodAssessment) -> list[UnitPeriod]:
    tasks: dict[str, list[tuple[str, list[str]]]] = {}
    for t in r.tasks:
        tasks.setdefault(t.unit_id, []).append((t.status, t.flags))
    owned: dict[str, list[str]] = {}
    for target in r.targets:
        owned.setdefault(target.owner_id, []).append(target.status)
    rows = []
    for u in r.units:
        mine, targets = tasks.get(u.unit_id, []), owned.get(u.unit_id, [])
        answered = u.status in (ReportStatus.SUBMITTED, ReportStatus.LATE)
        complete = (
            answered
            and all(FlagKind.MISSING not in flags for _, flags in mine)
            and all(s != TargetStatus.NO_DATA for s in targets)
        )
        flags = Counter(f for _, fs in mine for f in fs if f != FlagKind.MISSING)
        rows.append(
            UnitPeriod(
                u.unit_id,
                r.period_label,
                requested=u.status != ReportStatus.WAIVED,
                answered=answered,
                on_time=u.on_time,
                complete=complete,
                tasks=len(mine) or None,
                tasks_done=sum(s == ProgressStatus.DONE for s, _ in mine),
                targets=len(targets),
                targets_met=sum(s in MET for s in targets),
                flags=dict(flags),
            )
        )
    return rows
