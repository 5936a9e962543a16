"""The yearly 考核: every unit of a plan scored out of 100 from its figures per period.

按时报送率   on-time reports / requests of the year (waived periods not counted)
报送完整率   complete reports / requests (periods whose completeness is known)
办结率       tasks 办结 / tasks counted, at the unit's last period that reports them
按时办结率   tasks 办结 on time / tasks counted, likewise
指标达标率   owned targets achieved or on track / owned targets, at the last period

points of a measure = its weight (the plan's `assessment:`) × its rate, the weights of
the measures that apply to the unit scaled up to 100; score = points − deductions (each
flagged item, 与上期雷同 by default, costs its points, the cap at most) + the office's
adjustment, between 0 and 100, to 0.01 (half up). Units are ranked by score; equal scores
share a rank (1, 2, 2, 4), listed in the directory's order. Every score keeps the figures
behind it. Pure and exact (Decimal): the same input gives the same result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from tasks_catalog.schema import Assessment
from vocab import zh

NAMES = {
    "on_time": "按时报送率",
    "complete": "报送完整率",
    "done": "办结率",
    "done_on_time": "按时办结率",
    "targets": "指标达标率",
}
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class UnitPeriod:
    """One unit in one period, as the year's 考核 reads it. None: not known (not counted)."""

    unit_id: str
    period_label: str
    requested: bool = True  # False: waived (免报), not counted
    answered: bool = False
    on_time: bool = False
    complete: bool | None = None
    tasks: int | None = None  # tasks whose 办结 counts
    tasks_done: int | None = None
    tasks_done_on_time: int | None = None
    targets: int = 0  # targets the unit owns
    targets_met: int = 0  # … achieved or on track
    flags: dict[str, int] = field(default_factory=dict)  # vocab.words.FlagKind → items


@dataclass(frozen=True)
class UnitInfo:
    unit_id: str
    name: str
    order: int


@dataclass(frozen=True)
class Adjustment:
    """The office's adjustment of a unit's score, with its reason (audited by the portal)."""

    unit_id: str
    points: Decimal  # + or −
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError(f"调整 {self.unit_id} 的得分须写明理由")


@dataclass(frozen=True)
class YearInput:
    plan_slug: str
    plan_title: str
    year: int
    weights: Assessment
    units: list[UnitInfo]
    periods: list[str]  # the year's period labels, in order
    figures: list[UnitPeriod]
    adjustments: list[Adjustment] = field(default_factory=list)


@dataclass(frozen=True)
class Part:
    """One measure of a unit's score and the figures behind it."""

    key: str  # on_time | complete | done | done_on_time | targets
    name: str  # 按时报送率
    numerator: int
    denominator: int
    weight: Decimal  # the plan's points for it
    points: Decimal  # earned (weights of what applies scaled to 100); 0 if not applicable
    basis: str  # 按时报送3期/应报4期

    @property
    def applies(self) -> bool:
        return self.denominator > 0

    @property
    def rate(self) -> Decimal | None:
        return Decimal(self.numerator) / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Deduction:
    kind: str  # vocab.words.FlagKind
    items: int
    points: Decimal


@dataclass(frozen=True)
class UnitScore:
    unit_id: str
    name: str
    order: int
    parts: list[Part]
    deductions: list[Deduction]
    deducted: Decimal  # after the cap
    adjustment: Decimal
    reasons: list[str]
    score: Decimal
    rank: int

    @property
    def points(self) -> Decimal:
        """The measures' points before deductions and adjustment."""
        return sum((p.points for p in self.parts), Decimal(0))


@dataclass(frozen=True)
class YearResult:
    plan_slug: str
    plan_title: str
    year: int
    weights: Assessment
    periods: list[str]
    scores: list[UnitScore]  # ranked


def score_year(data: YearInput) -> YearResult:
    """Score every unit with figures in the year; rank them."""
    by_unit: dict[str, list[UnitPeriod]] = {}
    for f in data.figures:
        by_unit.setdefault(f.unit_id, []).append(f)
    order = {label: i for i, label in enumerate(data.periods)}
    scored = []
    for unit in data.units:
        rows = sorted(by_unit.get(unit.unit_id, []), key=lambda f: order.get(f.period_label, 0))
        if any(r.requested for r in rows):
            adjustments = [a for a in data.adjustments if a.unit_id == unit.unit_id]
            scored.append(_score(unit, rows, data.weights, adjustments))
    return YearResult(
        data.plan_slug,
        data.plan_title,
        data.year,
        data.weights,
        list(data.periods),
        _ranked(scored),
    )


def _parts(rows: list[UnitPeriod], weights: Assessment) -> list[Part]:
    asked = [r for r in rows if r.requested]
    known = [r for r in asked if r.complete is not None]
    tasks = next((r for r in reversed(asked) if r.tasks is not None), None)
    on_time_tasks = next((r for r in reversed(asked) if r.tasks_done_on_time is not None), None)
    owned = next((r for r in reversed(asked) if r.targets), None)
    raw = {
        "on_time": (sum(r.on_time for r in asked), len(asked), "按时报送{n}期/应报{d}期"),
        "complete": (sum(bool(r.complete) for r in known), len(known), "完整报送{n}期/应报{d}期"),
        "done": (tasks.tasks_done or 0, tasks.tasks or 0, "办结{n}项/{d}项")
        if tasks
        else (0, 0, ""),
        "done_on_time": (
            on_time_tasks.tasks_done_on_time or 0,
            on_time_tasks.tasks or 0,
            "按时办结{n}项/{d}项",
        )
        if on_time_tasks
        else (0, 0, ""),
        "targets": (owned.targets_met, owned.targets, "达到或符合序时进度{n}项/{d}项")
        if owned
        else (0, 0, ""),
    }
    weight = {k: Decimal(str(v)) for k, v in weights.weights().items()}
    applicable = sum((weight[k] for k, (_, d, _) in raw.items() if d), Decimal(0))
    parts = []
    for key, (n, d, basis) in raw.items():
        points = weight[key] * n / d * HUNDRED / applicable if d and applicable else Decimal(0)
        parts.append(
            Part(
                key,
                NAMES[key],
                n,
                d,
                weight[key],
                points.quantize(CENT, ROUND_HALF_UP),
                basis.format(n=n, d=d) if d else "不适用",
            )
        )
    return parts


def _score(
    unit: UnitInfo, rows: list[UnitPeriod], weights: Assessment, adjustments: list[Adjustment]
) -> UnitScore:
    parts = _parts(rows, weights)
    deductions = []
    for kind, per_item in weights.deductions.items():
        items = sum(r.flags.get(kind, 0) for r in rows)
        if items:
            deductions.append(
                Deduction(kind, items, (Decimal(str(per_item)) * items).quantize(CENT))
            )
    deducted = min(
        sum((d.points for d in deductions), Decimal(0)), Decimal(str(weights.deduction_cap))
    )
    adjustment = sum((Decimal(a.points) for a in adjustments), Decimal(0))
    total = sum((p.points for p in parts), Decimal(0)) - deducted + adjustment
    score = min(max(total, Decimal(0)), HUNDRED).quantize(CENT, ROUND_HALF_UP)
    return UnitScore(
        unit.unit_id,
        unit.name,
        unit.order,
        parts,
        deductions,
        deducted.quantize(CENT),
        adjustment,
        [a.reason for a in adjustments],
        score,
        0,
    )


def _ranked(scores: Sequence[UnitScore]) -> list[UnitScore]:
    """By score, then the directory's order; equal scores share the better rank."""
    ordered = sorted(scores, key=lambda s: (-s.score, s.order, s.name))
    ranked: list[UnitScore] = []
    for i, s in enumerate(ordered, start=1):
        rank = ranked[-1].rank if ranked and ranked[-1].score == s.score else i
        ranked.append(UnitScore(**{**vars(s), "rank": rank}))
    return ranked


def explain(s: UnitScore) -> str:
    """The figures behind a score, in a sentence: 按时报送率 3/4 得 22.5 分；…"""
    parts = [f"{p.name}（{p.basis}）得{zh.number(p.points)}分" for p in s.parts if p.applies]
    parts += [f"{zh.flag_word(d.kind)}{d.items}处扣{zh.number(d.points)}分" for d in s.deductions]
    if s.deducted < sum((d.points for d in s.deductions), Decimal(0)):
        parts.append(f"扣分以{zh.number(s.deducted)}分为限")
    if s.adjustment:
        sign = "+" if s.adjustment > 0 else ""
        parts.append(f"调整{sign}{zh.number(s.adjustment)}分（{'；'.join(s.reasons)}）")
    return "；".join(parts) + "。"
