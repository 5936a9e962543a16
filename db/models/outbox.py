"""The outbox: every message Duban decided to send, and the pacing log of robots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, one_of
from db.types import AwareDateTime
from vocab.words import MessageKind, OutboxStatus


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
    status: Mapped[str] = mapped_column(String(15), default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    claimed_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    sent_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    __table_args__ = (one_of("status", OutboxStatus), one_of("kind", MessageKind))


class DeliveryLog(Base):
    """Sends per paced channel (a DingTalk robot), for the per-minute limit across dispatchers."""

    __tablename__ = "delivery_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
