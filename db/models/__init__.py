"""SQLAlchemy 2 models for everything Duban keeps: the catalog, the cycle, the outbox and the
portal, one module each; import them from here."""

from db.models.base import NAMING, Base
from db.models.catalog import Assignment, Plan, Target, Task, Unit
from db.models.contacts import OfficeContact, UnitContact
from db.models.cycle import (
    Assessment,
    Flag,
    IndicatorValue,
    LadderStep,
    Period,
    ProgressRow,
    Request,
    RequestEvent,
    Submission,
    TaskClosure,
    TickRun,
)
from db.models.extension import ExtensionRequest
from db.models.outbox import DeliveryLog, Notification
from db.models.portal import AuditLog, LoginAttempt, OfficeSession, OfficeUser

__all__ = [
    "NAMING",
    "Assessment",
    "Assignment",
    "AuditLog",
    "Base",
    "DeliveryLog",
    "ExtensionRequest",
    "Flag",
    "IndicatorValue",
    "LadderStep",
    "LoginAttempt",
    "Notification",
    "OfficeContact",
    "OfficeSession",
    "OfficeUser",
    "Period",
    "Plan",
    "ProgressRow",
    "Request",
    "RequestEvent",
    "Submission",
    "Target",
    "Task",
    "TaskClosure",
    "TickRun",
    "Unit",
    "UnitContact",
]
