"""The catalog: plans, units, tasks and their assignments, targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, one_of
from db.types import AwareDateTime
from vocab.words import Cmp, PlanStatus, Role, TargetKind, UnitKind


class Plan(Base):
    """One policy document and the reporting rules the office set for it."""

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(Text)
    doc_number: Mapped[str | None] = mapped_column(String(100))
    issuer: Mapped[str | None] = mapped_column(String(200))
    jurisdiction: Mapped[str] = mapped_column(String(50))
    start_year: Mapped[int]
    end_year: Mapped[int]
    source_file: Mapped[str] = mapped_column(String(300))
    source_sha256: Mapped[str] = mapped_column(String(64))
    host_unit_id: Mapped[str | None] = mapped_column(String(64))
    reporting: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # draft: shown, never sent; published: the tick includes it; ended: no new period
    status: Mapped[str] = mapped_column(String(20), default=PlanStatus.PUBLISHED)
    retired_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    __table_args__ = (one_of("status", PlanStatus),)

    tasks: Mapped[list[Task]] = relationship(back_populates="plan", order_by="Task.position")
    targets: Mapped[list[Target]] = relationship(back_populates="plan", order_by="Target.position")


class Unit(Base):
    """A responsible unit, or a collective phrase the office expands (kind='collective')."""

    __tablename__ = "unit"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    jurisdiction: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(30))
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    members: Mapped[list[Any]] = mapped_column(default=list)
    # the official listing order (units.yaml): reports list units by it, never by id
    order: Mapped[int] = mapped_column(Integer, default=99_999)
    retired_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    __table_args__ = (UniqueConstraint("jurisdiction", "name"), one_of("kind", UnitKind))


class Task(Base):
    __tablename__ = "task"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(Integer, default=0)
    section: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    span_start: Mapped[int | None]
    span_end: Mapped[int | None]
    deadline: Mapped[str | None] = mapped_column(Text)  # as written: 2024年底前, 长期坚持
    due_date: Mapped[dt.date | None] = mapped_column(Date)  # end of that period; None: open-ended
    retired_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())

    plan: Mapped[Plan] = relationship(back_populates="tasks")
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="task", order_by="Assignment.position", cascade="all, delete-orphan"
    )
    __table_args__ = (UniqueConstraint("plan_id", "ref"),)


class Assignment(Base):
    __tablename__ = "assignment"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    role: Mapped[str] = mapped_column(String(10))  # lead | support
    position: Mapped[int] = mapped_column(Integer, default=0)
    proposed: Mapped[bool] = mapped_column(Boolean, default=False)
    retired_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())

    task: Mapped[Task] = relationship(back_populates="assignments")
    unit: Mapped[Unit] = relationship()
    __table_args__ = (UniqueConstraint("task_id", "unit_id"), one_of("role", Role))


class Target(Base):
    __tablename__ = "target"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(String(20))
    cmp: Mapped[str] = mapped_column(String(2))
    value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    value_max: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    kind: Mapped[str] = mapped_column(String(12))  # increment | cumulative | level
    per_year: Mapped[bool] = mapped_column(Boolean, default=False)
    baseline: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    baseline_year: Mapped[int | None]
    year: Mapped[int]
    owner_unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    span_start: Mapped[int | None]
    span_end: Mapped[int | None]
    retired_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())

    plan: Mapped[Plan] = relationship(back_populates="targets")
    owner: Mapped[Unit] = relationship()
    __table_args__ = (
        UniqueConstraint("plan_id", "code"),
        one_of("cmp", Cmp),
        one_of("kind", TargetKind),
    )
