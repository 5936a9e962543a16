"""Every status, role and kind Duban stores, as a `StrEnum` (the stored value is the string).

Values are lowercase English with underscores (never a space), except the progress statuses a
unit picks from a drop-down in its template: those are stored as the Chinese the unit chose.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    LEAD = "lead"  # 牵头
    SUPPORT = "support"  # 配合


class Cmp(StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="
    EQUAL = "="
    ABOVE = ">"
    ABOUT = "≈"


class TargetKind(StrEnum):
    INCREMENT = "increment"  # 新增 over the plan period
    CUMULATIVE = "cumulative"  # 累计 level reached
    LEVEL = "level"  # a rate or level


class Cadence(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half-yearly"
    YEARLY = "yearly"


class UnitKind(StrEnum):
    DEPARTMENT = "department"
    GOVERNMENT = "government"
    PARTY = "party"
    AGENCY = "agency"
    OFFICE = "office"
    COLLECTIVE = "collective"  # a phrase the office expands (各县（区）政府)


class PlanStatus(StrEnum):
    DRAFT = "draft"  # 草稿: shown to the office, never sent to units
    PUBLISHED = "published"  # 已发布: the tick opens its periods
    ENDED = "ended"  # 已结束: kept for the record, no new period opens


class RequestStatus(StrEnum):
    PENDING = "pending"
    SUBMITTED = "submitted"
    LATE = "late"
    WAIVED = "waived"

    @property
    def answered(self) -> bool:
        return self in (RequestStatus.SUBMITTED, RequestStatus.LATE)


class ReportStatus(StrEnum):
    """A unit's row in a period's assessment."""

    SUBMITTED = "submitted"
    LATE = "late"
    MISSING = "missing"
    WAIVED = "waived"


class ProgressStatus(StrEnum):
    """What a unit reports of a task (its template's drop-down, stored as chosen)."""

    DONE = "已完成"
    ONGOING = "推进中"
    NOT_STARTED = "未启动"
    BLOCKED = "受阻"


class TargetStatus(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    SERIOUSLY_BEHIND = "seriously_behind"
    NO_DATA = "no_data"


class TaskLight(StrEnum):
    """A task's colour on the office's board (issue 19): on track, warned, late, closed."""

    GREEN = "green"  # 绿
    YELLOW = "yellow"  # 黄
    RED = "red"  # 红
    DONE = "done"  # 办结: done and confirmed by the office


class ClosureAction(StrEnum):
    """The office's answer to a unit's 已完成 (issue 19): confirmed (办结) or returned (退回)."""

    CLOSED = "closed"  # 办结
    RETURNED = "returned"  # 退回


class ExtensionStatus(StrEnum):
    """A unit's 延期申请 (issue 19): waiting for the office, approved (同意) or refused (不同意)."""

    PENDING = "pending"  # 待审核
    APPROVED = "approved"  # 已同意
    REFUSED = "refused"  # 不同意


class FlagSubject(StrEnum):
    REQUEST = "request"
    TARGET = "target"
    TASK = "task"


class FlagKind(StrEnum):
    MISSING = "missing"  # a request not answered, or a task without progress text
    LATE = "late"
    BEHIND = "behind"
    SERIOUSLY_BEHIND = "seriously_behind"
    NO_DATA = "no_data"
    FORECAST_MISS = "forecast_miss"  # on track today, but the trend will not reach the target
    BLOCKED = "blocked"
    COPIED = "copied"  # the same text as last period


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Channel(StrEnum):
    """How a submission came in."""

    EXCEL = "excel"
    WEB = "web"
    CLI = "cli"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNDELIVERABLE = "undeliverable"
    CANCELLED = "cancelled"


class MessageKind(StrEnum):
    REQUEST = "request"
    REMINDER = "reminder"
    FINAL = "final"  # the due day's notice
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    INVITE = "invite"  # a moved or cancelled deadline
    RECEIPT = "receipt"
    REPORT = "report"
    ADMIN = "admin"
    TEST = "test"

    @property
    def digest(self) -> bool:
        return self in DIGEST_KINDS


# The kinds a day's digest can have, the most pressing last: it names the digest.
DIGEST_KINDS = (
    MessageKind.REQUEST,
    MessageKind.REMINDER,
    MessageKind.FINAL,
    MessageKind.OVERDUE,
    MessageKind.ESCALATION,
)


class Audience(StrEnum):
    LIAISON = "liaison"  # the unit's liaison officers
    LEADER = "leader"  # the unit's leader
    OFFICE = "office"  # the leading-group office


class TickStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"  # not a working day


class InviteMethod(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"
