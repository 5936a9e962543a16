"""Drain the outbox: claim (`claims`), compose just before sending (`compose`), send one
message at a time, record each result before the next can go.

The composing names are re-exported here, where the dispatcher's callers look for them."""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from db.models import Notification
from notifications import outbox
from notifications.channels import (
    Channel,
    DeliveryError,
    NoChannel,
    Outgoing,
    Overlapping,
    Preparing,
)
from notifications.claims import Claims
from notifications.compose import (
    ICS_NAME,
    MessageConfig,
    compose,
    event_for,
    notice_subject,
    with_office_contact,
)
from notifications.retry import RetryPolicy
from vocab.words import OutboxStatus

log = logging.getLogger(__name__)
__all__ = ["ICS_NAME", "MessageConfig", "compose", "dispatch", "event_for", "notice_subject"]


def dispatch(
    sessions: sessionmaker[Session],
    channel: Channel,
    config: MessageConfig,
    now: Callable[[], dt.datetime],
    *,
    worker: str = "dispatcher",
    batch: int = 20,
    limit: int | None = None,
    may_send: Callable[[dt.datetime], bool] | None = None,
    templates: Callable[[dict[str, Any]], Path | None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> Counter[str]:
    """Send what is due; return counts by outcome.

    Rows are claimed `batch` at a time. Each message is composed (re-checking that it is still
    wanted) just before it goes, one is sent at a time, and each result is committed before
    the next message can be delivered, so a dispatcher killed at any point re-sends at most
    one message once its lease runs out. A channel that can (`channels.Overlapping`, SMTP)
    has that commit made while its server answers the next message's MAIL FROM, and the
    message after composed while its server takes in the data: the dispatcher's own work
    done in the server's time, in one thread (results over one held connection,
    `outbox.Recorder`).

    `may_send(now)` says whether messages to units may go out now (working days and hours);
    when it says no, only alerts to the admin go. `stop()` is asked before each message: once
    it says yes (SIGTERM), the message in flight is finished and recorded and the rest of the
    claimed rows go back to pending.
    """
    stats: Counter[str] = Counter()
    config = with_office_contact(sessions, config)
    lease = dt.timedelta(seconds=config.lease_seconds)
    # Two dispatchers may share a name (`duban dispatch` runs as "cli"): the claim is this run's.
    claimant = f"{worker}:{os.getpid()}:{secrets.token_hex(3)}"
    with sessions.begin() as session:
        stats["requeued"] += outbox.reclaim_expired(session, now(), lease)
    claims = Claims(
        sessions, now, claimant, batch=batch, limit=limit, lease=lease, may_send=may_send
    )
    preparer = channel if isinstance(channel, Preparing) else None

    def composed() -> tuple[Notification, Outgoing | Unbuilt | None] | None:
        """The next claimed row and its message, serialised for sending, or None."""
        if stop is not None and stop():
            return None
        claimed = claims.next()
        if claimed is None:
            return None
        reader, row = claimed
        try:
            outgoing = compose(reader, row, config, now(), templates)
        except Exception as exc:  # one message that cannot be built never stops the others
            reader.rollback()
            log.exception("outbox row %s could not be composed", row.id)
            return row, Unbuilt(f"无法生成消息 (could not compose): {type(exc).__name__}: {exc}")
        reader.commit()
        if outgoing is not None and preparer is not None:
            preparer.prepare(outgoing)
        return row, outgoing

    try:
        with outbox.Recorder(sessions.kw["bind"]) as recorder:
            step = _Step(recorder, composed)
            current = composed()
            try:
                while current is not None:
                    row, outgoing = current
                    result = step.deliver(channel, outgoing, row.id)
                    outcome, values = outcome_of(row, outgoing, result, config, now, worker)
                    step.done(row.id, values)  # committed before the next message can go
                    stats[outcome] += 1
                    current = step.following()
            finally:
                step.record_last()
    finally:
        try:
            stats["released"] += claims.release()
        except Exception:  # the database may be what failed; the lease returns them then
            log.exception("could not give back the claimed rows not sent")
        claims.close()
    return stats


class _NotRecorded(BaseException):
    """The previous message's result could not be committed (the error is its cause): stop
    before this message goes. A BaseException, so no channel's error handling takes it for a
    failed delivery."""


class _Step:
    """One message's turn: the previous message's result, committed before this one can be
    delivered, and the next message, composed while this one is with the server. Each is
    done once, by the channel when it overlaps (`channels.Overlapping`), else around `send`."""

    def __init__(
        self,
        recorder: outbox.Recorder,
        composed: Callable[[], tuple[Notification, Outgoing | Unbuilt | None] | None],
    ):
        self.recorder = recorder
        self.composed = composed
        self.unrecorded: tuple[int, dict[str, Any]] | None = None  # delivered, not committed
        self._composing = False
        self._next: tuple[Notification, Outgoing | Unbuilt | None] | None = None
        self._failed: Exception | None = None  # composing the next message failed

    def record_previous(self) -> None:
        if self.unrecorded is None:
            return
        row_id, values = self.unrecorded
        self.unrecorded = None
        try:
            self.recorder.record(row_id, values)
        except Exception as exc:
            raise _NotRecorded() from exc

    def compose_next(self) -> None:
        """Compose the next message; an error is raised after this message's delivery."""
        if self._composing:
            return
        self._composing = True
        try:
            self._next = self.composed()
        except Exception as exc:
            self._failed = exc

    def deliver(
        self, channel: Channel, outgoing: Outgoing | Unbuilt | None, row_id: int
    ) -> Delivery:
        self._composing, self._next, self._failed = False, None, None
        try:
            if isinstance(channel, Overlapping) and isinstance(outgoing, Outgoing):
                result = deliver(channel, outgoing, row_id, self.record_previous, self.compose_next)
            else:
                self.record_previous()
                result = deliver(channel, outgoing, row_id)
            self.record_previous()  # if the channel had no occasion to
        except _NotRecorded as stop:
            raise _cause(stop) from None
        return result

    def done(self, row_id: int, values: dict[str, Any]) -> None:
        self.unrecorded = (row_id, values)

    def following(self) -> tuple[Notification, Outgoing | Unbuilt | None] | None:
        self.compose_next()  # if the channel had no occasion to
        if self._failed is not None:
            raise self._failed
        return self._next

    def record_last(self) -> None:
        try:
            self.record_previous()
        except _NotRecorded as stop:
            raise _cause(stop) from None


def _cause(stop: _NotRecorded) -> BaseException:
    assert stop.__cause__ is not None
    return stop.__cause__


@dataclass(frozen=True)
class Unbuilt:
    """A claimed row whose message could not be composed: retried, then failed, with why."""

    error: str


@dataclass
class Delivery:
    outcome: str = outbox.SENT
    error: str | None = None
    where: str | None = None
    done: set[str] = field(default_factory=set)
    retry_after: float | None = None
    attempted: bool = True


def deliver(
    channel: Channel,
    outgoing: Outgoing | Unbuilt | None,
    row_id: int,
    ready: Callable[[], None] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> Delivery:
    """Hand one message to the channel (with `ready` and `meanwhile` when it overlaps);
    classify what happened (raises only what `ready` raises)."""
    if outgoing is None:
        return Delivery(outbox.CANCELLED)
    if isinstance(outgoing, Unbuilt):
        return Delivery(outbox.PENDING, outgoing.error)
    try:
        if ready is not None and meanwhile is not None:
            assert isinstance(channel, Overlapping)
            return Delivery(where=channel.send_overlapped(outgoing, ready, meanwhile))
        return Delivery(where=channel.send(outgoing))
    except NoChannel as exc:
        return Delivery(outbox.UNDELIVERABLE, str(exc))
    except DeliveryError as exc:
        outcome = outbox.FAILED if exc.permanent else outbox.PENDING
        return Delivery(outcome, str(exc), None, set(exc.done), exc.retry_after, exc.attempted)
    except Exception as exc:  # an unexpected failure must not lose the row
        log.exception("delivery of %s failed unexpectedly", row_id)
        return Delivery(outbox.PENDING, f"{type(exc).__name__}: {exc}")


def outcome_of(
    row: Notification,
    outgoing: Outgoing | Unbuilt | None,
    result: Delivery,
    config: MessageConfig,
    now: Callable[[], dt.datetime],
    worker: str,
) -> tuple[str, dict[str, Any]]:
    """What to count and what to store for one delivery."""
    decision = RetryPolicy(config.max_attempts).decide(
        OutboxStatus(result.outcome),
        row.attempts,
        attempted=result.attempted,
        retry_after=result.retry_after,
    )
    outcome = decision.status
    values: dict[str, Any] = {
        "status": outcome,
        "last_error": result.error,
        "claimed_at": None,
        "claimed_by": None,
    }
    payload = row.payload
    if result.done:
        delivered = sorted(set(payload.get("delivered_to", [])) | result.done)
        payload = {**payload, "delivered_to": delivered}
    if decision.wait is not None:
        values["next_attempt_at"] = now() + decision.wait
    if not decision.counted:  # nothing reached a server: this claim does not count
        values["attempts"] = row.attempts - 1
    if outcome == outbox.SENT:
        assert isinstance(outgoing, Outgoing)
        values |= {"sent_at": now(), "subject": outgoing.subject}
        payload = {**payload, "delivered": result.where, "sent_by": worker}
    if payload is not row.payload:
        values["payload"] = payload
    return ("retry" if outcome == outbox.PENDING else outcome), values
