"""The geometry of the HTML report's charts (inline SVG, drawn by the template): 报送率 and
按时报送率 across the plan's periods, the units' reporting as one bar of counts, and each
target's reported value against 序时进度 and the final target on its own labelled axis.
Pure: figures in, coordinates and labels out; the template only draws them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from reporting.figures import PeriodRates, TargetRow
from vocab import zh

WIDTH = 840


@dataclass(frozen=True)
class Tick:
    pos: float  # x (or y) in the chart's coordinates
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    label: str  # the value, written by the bar


@dataclass(frozen=True)
class RateChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float  # y of the x axis
    y_ticks: list[Tick]
    x_labels: list[tuple[float, str, str]]  # (x, year line, period line)
    bars: list[Bar]


RATE_COLORS = ("#4472C4", "#70AD47")  # 报送率, 按时报送率


def nice_step(span: float, steps: int = 4) -> float:
    """A round tick step (1, 2 or 5 × 10ⁿ) dividing `span` into about `steps` parts."""
    raw = max(span, 1e-9) / steps
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def rate_chart(rates: list[PeriodRates]) -> RateChart | None:
    """Grouped bars of 报送率 and 按时报送率 per period (periods nobody was asked about left out)."""
    shown = [r for r in rates if r.requested]
    if not shown:
        return None
    left, right, top, bottom = 64.0, WIDTH - 16.0, 34.0, 214.0
    group = (right - left) / len(shown)
    bar = min(36.0, group * 0.36)
    bars, labels = [], []
    for i, r in enumerate(shown):
        centre = left + group * (i + 0.5)
        for j, (share, color) in enumerate(
            zip((r.reporting_rate, r.on_time_rate), RATE_COLORS, strict=True)
        ):
            h = (bottom - top) * share
            bars.append(
                Bar(centre - bar + j * bar, bottom - h, bar - 2, h, color, zh.percent(share))
            )
        year, _, rest = zh.period_name(r.label).partition("年")
        labels.append((centre, f"{year}年", rest))
    ticks = [Tick(bottom - (bottom - top) * k / 5, f"{k * 20}%") for k in range(6)]
    return RateChart(WIDTH, 262, left, right, top, bottom, ticks, labels, bars)


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    color: str
    label: str  # 按时 30


@dataclass(frozen=True)
class CountBar:
    left: float
    right: float
    segments: list[Segment]
    ticks: list[Tick]


def count_bar(parts: list[tuple[str, int, str]]) -> CountBar | None:
    """One bar of the units' reporting: (name, count, colour) segments on an axis of 家."""
    total = sum(n for _, n, _ in parts)
    if not total:
        return None
    left, right = 16.0, WIDTH - 24.0
    scale = (right - left) / total
    segments, x = [], left
    for name, n, color in parts:
        if n:
            segments.append(Segment(x, n * scale, color, f"{name} {n}"))
            x += n * scale
    step = nice_step(total, 5)
    ticks = [Tick(left + v * scale, f"{zh.number(v)}") for v in _steps(total, step)]
    return CountBar(left, right, segments, ticks)


def _steps(top: float, step: float) -> list[float]:
    n = math.floor(top / step + 1e-9)
    return [round(k * step, 10) for k in range(n + 1)]


@dataclass(frozen=True)
class TargetLane:
    code: str
    name: str
    status: str
    summary: str  # 实际 82.2，序时 137，目标 150 项
    color: str
    actual: Bar | None  # from 0 to the reported value
    expected: Tick | None  # 序时进度
    goal: Tick | None  # the final target
    ticks: list[Tick]


LANE_LEFT, LANE_RIGHT = 300.0, WIDTH - 60.0


def target_lane(t: TargetRow, status_zh: str, color: str, dated: str | None = None) -> TargetLane:
    """A target on its own axis: 0 to a round figure past its target, 序时进度 and value
    (`dated`: the period an earlier value was reported in)."""
    top = max(v for v in (t.value, t.expected, t.actual, 0.0) if v is not None) or 1.0
    step = nice_step(top)
    end = step * math.ceil(top / step - 1e-9)
    scale = (LANE_RIGHT - LANE_LEFT) / end

    def at(v: float) -> float:
        return LANE_LEFT + v * scale

    actual_text = "未报" if t.actual is None else zh.number(round(t.actual, 2))
    if dated and t.actual is not None:
        actual_text += f"（截至{dated}）"
    expected_text = zh.number(round(t.expected, 2))
    goal_text = "" if t.value is None else f"，目标 {zh.number(t.value)}"
    summary = f"实际 {actual_text}，序时 {expected_text}{goal_text} {t.measure}".rstrip()
    actual = None
    if t.actual is not None:
        actual = Bar(
            LANE_LEFT, 6, max(1.0, t.actual * scale), 16, f"#{color}", f"实际 {actual_text}"
        )
    expected = Tick(at(t.expected), f"序时进度应达 {expected_text}")
    goal = None if t.value is None else Tick(at(t.value), f"目标 {zh.number(t.value)}")
    ticks = [Tick(at(v), zh.number(v)) for v in _steps(end, step)]
    ticks[-1] = Tick(ticks[-1].pos, f"{ticks[-1].label} {t.measure}".strip())
    return TargetLane(
        t.code, t.name, status_zh, summary, f"#{color}", actual, expected, goal, ticks
    )
