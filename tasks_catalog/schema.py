"""The catalog schema: what a reviewed catalog file (one per policy document) holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tasks_catalog import rules
from vocab.words import Cadence, Cmp, Role
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


class Plan(Strict):
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    source: str
    source_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    title: str
    doc_number: str | None = None
    issuer: str | None = None
    jurisdiction: str
    start_year: int
    end_year: int
    host: str | None = None
    lead_rule: str | None = None
    reporting: Reporting = Field(default_factory=Reporting)
    tasks: list[Task] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)

    @field_validator("end_year")
    @classmethod
    def _years_in_order(cls, end: int, info):  # type: ignore[no-untyped-def]
        start = info.data.get("start_year")
        if start is not None and end < start:
            raise ValueError(f"end_year {end} is before start_year {start}")
        return end
