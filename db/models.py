"""SQLAlchemy 2 models for everything Duban keeps: the catalog, the cycle and the outbox."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.types import AwareDateTime

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


# --- catalog -----------------------------------------------------------------------------


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
    retired_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())

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
    retired_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    __table_args__ = (UniqueConstraint("jurisdiction", "name"),)


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
    __table_args__ = (UniqueConstraint("task_id", "unit_id"),)


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
    __table_args__ = (UniqueConstraint("plan_id", "code"),)


# --- the cycle ---------------------------------------------------------------------------


class Period(Base):
    __tablename__ = "period"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(20))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    opens_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    opened_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    calendar_note: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("plan_id", "label"),)


class Request(Base):
    """One request per unit per period, covering all its tasks and the targets it owns."""

    __tablename__ = "request"
    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"))
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    due_on: Mapped[dt.date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    submitted_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    waived_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    __table_args__ = (UniqueConstraint("period_id", "unit_id"),)


class RequestEvent(Base):
    """Every state change of a request, timestamped."""

    __tablename__ = "request_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("request.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)


class Submission(Base):
    __tablename__ = "submission"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("request.id", ondelete="CASCADE"))
    received_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    channel: Mapped[str] = mapped_column(String(10))  # excel | web | cli
    submitter: Mapped[str | None] = mapped_column(String(200))
    file_path: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (UniqueConstraint("request_id", "sha256"),)


class ProgressRow(Base):
    __tablename__ = "progress_row"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"))
    status: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")


class IndicatorValue(Base):
    __tablename__ = "indicator_value"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id"))
    value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    as_of: Mapped[dt.date] = mapped_column(Date)


class Flag(Base):
    """A gap found at an assessment."""

    __tablename__ = "flag"
    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"), index=True)
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(String(20))  # request | target | task
    subject_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)


# --- the outbox --------------------------------------------------------------------------


class Notification(Base):
    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"))
    channel: Mapped[str] = mapped_column(
        String(80)
    )  # the Apprise tag: unit id, "<id>:leader", "office"
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(15), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    claimed_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    sent_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())


# --- the unattended cycle's own records --------------------------------------------------


class LadderStep(Base):
    """A ladder step handled for a request: sent in a digest, or folded into a later notice."""

    __tablename__ = "ladder_step"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("request.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20))
    day: Mapped[dt.date] = mapped_column(Date)
    handled_on: Mapped[dt.date] = mapped_column(Date)
    notification_key: Mapped[str | None] = mapped_column(String(200))  # None: folded, not sent
    __table_args__ = (UniqueConstraint("request_id", "stage"),)


class Assessment(Base):
    """The figures of one assessment of a period (reporting rates, target statuses)."""

    __tablename__ = "assessment"
    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)
    __table_args__ = (UniqueConstraint("period_id", "assessed_on"),)


class TickRun(Base):
    """One daily tick: the day it was for, when it ran, how it ended."""

    __tablename__ = "tick_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date, unique=True)
    started_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    status: Mapped[str] = mapped_column(String(10), default="running")  # running | ok | failed
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)


class DeliveryLog(Base):
    """Sends per paced channel (a DingTalk robot), for the per-minute limit across dispatchers."""

    __tablename__ = "delivery_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())


# --- the portal --------------------------------------------------------------------------


class OfficeUser(Base):
    __tablename__ = "office_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())


class LoginAttempt(Base):
    """Failed sign-ins, for rate limiting across portal workers."""

    __tablename__ = "login_attempt"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(AwareDateTime())


class AuditLog(Base):
    """Every office action: who, when, what, on which object."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)
