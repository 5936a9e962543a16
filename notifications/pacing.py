"""Pace deliveries per DingTalk robot across every dispatcher: a robot accepts 20 messages a
minute, and exceeding that silences it for 10 minutes. The count lives in the database, so
dispatchers on several machines share it."""

from __future__ import annotations

import datetime as dt
import zlib

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from db.models import DeliveryLog
from notifications.channels import DeliveryError

WINDOW = dt.timedelta(minutes=1)


class Pacer:
    def __init__(self, sessions: sessionmaker[Session], per_minute: int = 20):
        self.sessions = sessions
        self.per_minute = per_minute

    def acquire(self, channel_id: str, now: dt.datetime) -> None:
        """Record a send to `channel_id`, or raise a transient DeliveryError saying when to retry."""
        with self.sessions.begin() as session:
            if session.get_bind().dialect.name == "postgresql":
                # Serialise the check-and-record for this robot across dispatchers.
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(channel_id.encode())}
                )
            recent = list(
                session.scalars(
                    select(DeliveryLog.sent_at)
                    .where(DeliveryLog.channel_id == channel_id, DeliveryLog.sent_at > now - WINDOW)
                    .order_by(DeliveryLog.sent_at)
                )
            )
            if len(recent) >= self.per_minute:
                wait = (recent[0] + WINDOW - now).total_seconds() + 1
                raise DeliveryError(
                    f"paced: {self.per_minute} messages in the last minute to this robot",
                    retry_after=max(wait, 1),
                )
            session.add(DeliveryLog(channel_id=channel_id, sent_at=now))
            if (session.scalar(select(func.count()).select_from(DeliveryLog)) or 0) > 10_000:
                session.execute(
                    delete(DeliveryLog).where(DeliveryLog.sent_at < now - dt.timedelta(hours=1))
                )
