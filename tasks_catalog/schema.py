"""The catalog schema: what a reviewed catalog file (one per policy document) holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tasks_catalog import rules
from vocab.words import Cadence, Cmp, FlagKind, PlanStatus, Role
from vocab.words import TargetKind as Kind


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnitRef(Strict):
    name: str = Field(min_length=1)
    role: Role
    proposed: bool = False


class Task(Strict):
    ref: str = Field(min_length=1)
    title: str = Field(min_length=1)
    section: str | None = None
    body: str = ""
    span: tuple[int, int] | None = None
    units: list[UnitRef] = Field(default_factory=list)
    # as written (2024年底前, 6月底前, 长期坚持) and the last day of that period; None when open-ended
    deadline: str | None = None
    due_date: dt.date | None = None


class Target(Strict):
    code: str = Field(pattern=r"^T\d+$")
    name: str = Field(min_length=1)
    value: Decimal
    value_max: Decimal | None = None
    unit: str = Field(min_length=1)
    cmp: Cmp
    kind: Kind
    per_year: bool = False
    baseline: Decimal | None = None
    baseline_year: int | None = None
    year: int
    owner: str | None = None
    span: tuple[int, int] | None = None


class Ladder(Strict):
    """When a unit hears from Duban about one request (working days, Chinese calendar)."""

    before_due: list[int] = Field(default_factory=lambda: [3, 1])
    on_due_day: bool = True
    overdue_every: int = Field(default=2, ge=1)
    overdue_max: int = Field(default=5, ge=0)
    escalate_leader_after: int | None = 3
    escalate_office_after: int | None = 5


class Reporting(Strict):
    cadence: Cadence = Cadence.QUARTERLY
    # "N working days after period end" or "day D of the last month" (next working day).
    due_rule: str = "5 working days after period end"
    open_rule: str = "5 working days before period end"
    ladder: Ladder = Field(default_factory=Ladder)
    behind_share: float = Field(
        default=0.8, gt=0, le=1
    )  # seriously behind below this share of 序时进度
    copy_similarity: float = Field(default=0.9, gt=0, le=1)
    # a task not done turns 黄 this many working days before its 完成时限 (reporting.lights)
    task_warn_workdays: int = Field(default=10, ge=0)
    # a reported value more than this many times (or under 1/this of) last period's asks for a 说明
    jump_factor: float = Field(default=3.0, gt=1)

    @field_validator("due_rule")
    @classmethod
    def _due_rule_readable(cls, text: str) -> str:
        rules.due_rule(text)  # raises with what to write
        return text

    @field_validator("open_rule")
    @classmethod
    def _open_rule_readable(cls, text: str) -> str:
        rules.open_rule(text)
        return text


ASSESSED = ("on_time", "complete", "done", "done_on_time", "targets")


class Assessment(Strict):
    """The yearly 考核 of the plan's units: points out of 100 per measure, and deductions.

    Defaults: reporting discipline 50 (按时报送率 30, 报送完整率 20), delivery of the work 30
    (办结率 20, 按时办结率 10), targets 20 (指标达标率: the targets a unit owns that are achieved
    or on track at the year's last period). A measure that does not apply to a unit (it owns
    no target; 按时办结 not yet known) gives its points to the others in proportion. Each
    flagged item in `deductions` (与上期雷同: a progress text copied from the period before)
    costs its points, `deduction_cap` at most.
    """

    on_time: float = Field(default=30, ge=0)  # 按时报送率
    complete: float = Field(default=20, ge=0)  # 报送完整率
    done: float = Field(default=20, ge=0)  # 办结率
    done_on_time: float = Field(default=10, ge=0)  # 按时办结率
    targets: float = Field(default=20, ge=0)  # 指标达标率
    deductions: dict[FlagKind, float] = Field(default_factory=lambda: {FlagKind.COPIED: 1.0})
    deduction_cap: float = Field(default=10, ge=0)

    @model_validator(mode="after")
    def _weights_make_100(self) -> Assessment:
        total = sum(self.weights().values())
        if abs(total - 100) > 1e-9:
            parts = "、".join(f"{name} {value:g}" for name, value in self.weights().items())
            raise ValueError(f"考核权重之和应为 100，现为 {total:g}（{parts}）")
        return self

    def weights(self) -> dict[str, float]:
        """The measures' points, by name (on_time, complete, done, done_on_time, targets)."""
        return {name: getattr(self, name) for name in ASSESSED}


class Plan(Strict):
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    source: str
    source_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    title: str
    doc_number: str | None = None
    issuer: str | None = None
    jurisdiction: str
    # a file without a status was reviewed in git before drafts existed: published
    status: PlanStatus = PlanStatus.PUBLISHED
    published_at: dt.datetime | None = None
    published_by: str | None = None
    start_year: int
    end_year: int
    host: str | None = None
    lead_rule: str | None = None
    reporting: Reporting = Field(default_factory=Reporting)
    assessment: Assessment | None = None  # the yearly 考核's weights; None: the defaults
    tasks: list[Task] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)

    @field_validator("end_year")
    @classmethod
    def _years_in_order(cls, end: int, info):
        start = info.data.get("start_year")
        if start is not None and end < start:
            raise ValueError(f"end_year {end} is before start_year {start}")
        return end
