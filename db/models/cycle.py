"""The reporting cycle: periods, requests and their events, submissions, flags, and the unattended cycle's own records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, one_of
from db.types import AwareDateTime
from vocab.words import (
    Channel,
    ClosureAction,
    FlagKind,
    FlagSubject,
    ProgressStatus,
    RequestStatus,
    Severity,
    TickStatus,
)


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
    status: Mapped[str] = mapped_column(String(12), default=RequestStatus.PENDING)
    due_on: Mapped[dt.date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    submitted_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    waived_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    __table_args__ = (UniqueConstraint("period_id", "unit_id"), one_of("status", RequestStatus))


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
    __table_args__ = (one_of("status", RequestStatus),)


class Submission(Base):
    __tablename__ = "submission"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("request.id", ondelete="CASCADE"))
    received_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    channel: Mapped[str] = mapped_column(String(10))
    submitter: Mapped[str | None] = mapped_column(String(200))
    file_path: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    # False for a 暂存: tasks or targets left unanswered; it changes no request status.
    complete: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    filler: Mapped[str | None] = mapped_column(String(50))  # 填报人
    phone: Mapped[str | None] = mapped_column(String(40))  # 联系电话
    missing: Mapped[list[Any] | None] = mapped_column()  # what was left unanswered (Chinese)
    reasons: Mapped[dict[str, Any] | None] = mapped_column()  # {target id: 未填原因}
    __table_args__ = (UniqueConstraint("request_id", "sha256"), one_of("channel", Channel))


class ProgressRow(Base):
    __tablename__ = "progress_row"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"))
    status: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str | None] = mapped_column(Text)  # 存在问题
    next_steps: Mapped[str | None] = mapped_column(Text)  # 下步计划
    __table_args__ = (one_of("status", ProgressStatus),)


class IndicatorValue(Base):
    __tablename__ = "indicator_value"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id"))
    value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    as_of: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)  # 说明 for a value the checks questioned


class Flag(Base):
    """A gap found at an assessment."""

    __tablename__ = "flag"
    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"), index=True)
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        one_of("subject", FlagSubject),
        one_of("kind", FlagKind),
        one_of("severity", Severity),
    )


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
    status: Mapped[str] = mapped_column(String(10), default=TickStatus.RUNNING)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (one_of("status", TickStatus),)


class TaskClosure(Base):
    """The office's 办结 or 退回 of one unit's part of a task, after the unit reported it 已完成;
    every decision kept (the latest counts)."""

    __tablename__ = "task_closure"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    action: Mapped[str] = mapped_column(String(12))
    at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    actor: Mapped[str] = mapped_column(String(80))
    account: Mapped[str] = mapped_column(Text, default="")  # the unit's 完成情况 it answered
    reason: Mapped[str | None] = mapped_column(Text)  # why it was returned
    __table_args__ = (one_of("action", ClosureAction),)
