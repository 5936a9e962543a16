"""序时进度 (time-proportional progress) of a target, its status, and a linear forecast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from vocab import zh
from vocab.words import TargetStatus

ACHIEVED, ON_TRACK, BEHIND, SERIOUSLY_BEHIND, NO_DATA = (
    TargetStatus.ACHIEVED,
    TargetStatus.ON_TRACK,
    TargetStatus.BEHIND,
    TargetStatus.SERIOUSLY_BEHIND,
    TargetStatus.NO_DATA,
)
STATUS_ZH = {status: zh.word(status) for status in TargetStatus}


@dataclass(frozen=True)
class TargetSpec:
    cmp: str  # >=, <=, =, >, ≈
    value: Decimal
    kind: str  # increment | cumulative | level
    baseline: Decimal | None
    start: dt.date  # the plan period (or, per year, the year) it is measured over
    end: dt.date
    per_year: bool = False


@dataclass(frozen=True)
class Assessment:
    expected: Decimal
    actual: Decimal | None
    status: str
    forecast: Decimal | None
    will_meet: bool | None


def elapsed_share(start: dt.date, end: dt.date, as_of: dt.date) -> Decimal:
    """Share of [start, end] elapsed at the end of `as_of`, clamped to 0..1."""
    total = (end - start).days + 1
    done = (min(max(as_of, start - dt.timedelta(days=1)), end) - start).days + 1
    return Decimal(max(0, min(done, total))) / Decimal(total)


def window(spec: TargetSpec, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """A per-year target is measured over the current year, others over the plan period."""
    if spec.per_year:
        return dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 31)
    return spec.start, spec.end


def expected_value(spec: TargetSpec, as_of: dt.date) -> Decimal:
    """baseline + (target − baseline) × elapsed share; an increment starts from 0; a level
    without baseline, and any ≤ target, is expected at its value throughout."""
    if spec.cmp in ("<=", "≈", "=") and spec.kind == "level":
        return spec.value
    if spec.cmp == "<=":
        return spec.value
    if spec.kind == "level" and spec.baseline is None:
        return spec.value
    base = Decimal(0) if spec.kind == "increment" else (spec.baseline or Decimal(0))
    start, end = window(spec, as_of)
    return base + (spec.value - base) * elapsed_share(start, end, as_of)


def meets(cmp: str, actual: Decimal, value: Decimal) -> bool:
    if cmp == "<=":
        return actual <= value
    if cmp == ">":
        return actual > value
    if cmp == "≈":
        return abs(actual - value) <= abs(value) * Decimal("0.05")
    return actual >= value  # >= and = (a count "达到 N" is met by N or more)


def status_of(spec: TargetSpec, actual: Decimal | None, as_of: dt.date, behind_share: float) -> str:
    if actual is None:
        return NO_DATA
    if meets(spec.cmp, actual, spec.value):
        return ACHIEVED
    expected = expected_value(spec, as_of)
    share = Decimal(str(behind_share))
    if spec.cmp == "<=":
        # Above a ceiling is behind; more than (1 − share) above it is seriously behind.
        return SERIOUSLY_BEHIND if actual > spec.value * (2 - share) else BEHIND
    if actual >= expected:
        return ON_TRACK
    return SERIOUSLY_BEHIND if actual < expected * share else BEHIND


def forecast(points: list[tuple[dt.date, Decimal]], at: dt.date) -> Decimal | None:
    """Least-squares line through the reported (date, value) points, read at `at`."""
    if len({d for d, _ in points}) < 2:
        return None
    xs = [Decimal(d.toordinal()) for d, _ in points]
    ys = [v for _, v in points]
    n = Decimal(len(points))
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum(((x - mx) ** 2 for x in xs), Decimal(0))
    slope = sum(((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)), Decimal(0)) / sxx
    return my + slope * (Decimal(at.toordinal()) - mx)


def assess(
    spec: TargetSpec,
    points: list[tuple[dt.date, Decimal]],
    as_of: dt.date,
    behind_share: float = 0.8,
) -> Assessment:
    """Assess a target at `as_of` from its reported series (date, value), oldest first."""
    relevant = [(d, v) for d, v in points if d <= as_of]
    if spec.per_year:
        relevant = [(d, v) for d, v in relevant if d.year == as_of.year]
    actual = relevant[-1][1] if relevant else None
    _, end = window(spec, as_of)
    predicted = forecast(relevant, end)
    return Assessment(
        expected=expected_value(spec, as_of),
        actual=actual,
        status=status_of(spec, actual, as_of, behind_share),
        forecast=predicted,
        will_meet=None if predicted is None else meets(spec.cmp, predicted, spec.value),
    )
