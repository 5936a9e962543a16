"""A unit's 延期申请 (issue 19): asked from its page with a reason and a proposed date, decided
by the office (同意: the request's deadline moves; 不同意: with a reason); every one kept."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, one_of
from db.types import AwareDateTime
from vocab.words import ExtensionStatus


class ExtensionRequest(Base):
    __tablename__ = "extension_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("request.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    asked_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    reason: Mapped[str] = mapped_column(Text)
    current_due: Mapped[dt.date] = mapped_column(Date)  # the deadline when it was asked
    proposed_due: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=ExtensionStatus.PENDING, index=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(80))
    granted_due: Mapped[dt.date | None] = mapped_column(Date)  # the date the office set
    answer: Mapped[str | None] = mapped_column(Text)  # why it was refused
    __table_args__ = (one_of("status", ExtensionStatus),)
