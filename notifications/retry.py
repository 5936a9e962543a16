"""When a message is tried again: one policy object that turns an attempt's result into a
decision (after procrastinate's `retry.py`), tested by a table (tests/test_retry.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from vocab.words import OutboxStatus


@dataclass(frozen=True)
class Decision:
    status: OutboxStatus  # PENDING (again later), FAILED, or what the attempt itself ended in
    wait: dt.timedelta | None = None  # for PENDING: how long until the next attempt
    counted: bool = True  # False: nothing reached a server, the attempt is given back


@dataclass(frozen=True)
class RetryPolicy:
    """Transient failures are tried again after 1, 2, 4, 8 … minutes (at most `cap`, or when
    the service asked: `retry_after`) until `max_attempts` attempts reached a server; then the
    message is FAILED. Permanent failures and no channel end it at once. An attempt that never
    reached a server (a server silent earlier in the run, the send hours) does not count."""

    max_attempts: int = 5
    base: dt.timedelta = dt.timedelta(minutes=1)
    cap: dt.timedelta = dt.timedelta(hours=2)

    def backoff(self, attempts: int) -> dt.timedelta:
        return min(self.base * (2 ** max(attempts - 1, 0)), self.cap)

    def decide(
        self,
        outcome: OutboxStatus,
        attempts: int,
        *,
        attempted: bool = True,
        retry_after: float | None = None,
    ) -> Decision:
        """`outcome` is what the attempt ended in (SENT, PENDING for a transient failure,
        FAILED for a permanent one, UNDELIVERABLE); `attempts` counts this one."""
        if outcome != OutboxStatus.PENDING:
            return Decision(outcome, counted=attempted)
        if attempted and attempts >= self.max_attempts:
            return Decision(OutboxStatus.FAILED)
        wait = dt.timedelta(seconds=retry_after) if retry_after else self.backoff(attempts)
        return Decision(OutboxStatus.PENDING, wait, counted=attempted)
