"""A period's reporting figures as the 通报 states them and the annex tabulates them: one
function, so the two documents cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

from reporting.figures import PeriodAssessment, UnitRow
from vocab.words import ReportStatus


@dataclass(frozen=True)
class PeriodCounts:
    requested: int  # 应报: units asked, waived ones not counted
    reported: int  # 已报: on time or late
    on_time: int  # 按时
    late: int  # 逾期报送
    missing: int  # 未报送
    waived: int  # 免报
    reporting_rate: float  # reported / requested
    on_time_rate: float  # on_time / requested


def period_counts(result: PeriodAssessment) -> PeriodCounts:
    by = {status: [u for u in result.units if u.status == status] for status in ReportStatus}
    requested = len(result.units) - len(by[ReportStatus.WAIVED])
    counted = [u for u in result.units if u.status != ReportStatus.WAIVED]
    on_time = sum(u.on_time for u in counted)
    reported = len(by[ReportStatus.SUBMITTED]) + len(by[ReportStatus.LATE])
    return PeriodCounts(
        requested=requested,
        reported=reported,
        on_time=on_time,
        late=len(by[ReportStatus.LATE]),
        missing=len(by[ReportStatus.MISSING]),
        waived=len(by[ReportStatus.WAIVED]),
        reporting_rate=result.reporting_rate,
        on_time_rate=result.on_time_rate,
    )


def listed(units: list[UnitRow]) -> list[UnitRow]:
    """Units in the directory's official order (then by name; never by internal id)."""
    return sorted(units, key=lambda u: (u.order, u.unit_name))
