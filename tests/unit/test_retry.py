"""The retry policy, as a table: what an attempt's result becomes."""

from __future__ import annotations

import datetime as dt

import pytest

from notifications.retry import Decision, RetryPolicy
from vocab.words import OutboxStatus as S

M = dt.timedelta(minutes=1)
POLICY = RetryPolicy(max_attempts=5)


@pytest.mark.parametrize(
    ("outcome", "attempts", "attempted", "retry_after", "expected"),
    [
        (S.SENT, 1, True, None, Decision(S.SENT)),
        (S.PENDING, 1, True, None, Decision(S.PENDING, 1 * M)),  # transient: 1, 2, 4 … minutes
        (S.PENDING, 2, True, None, Decision(S.PENDING, 2 * M)),
        (S.PENDING, 4, True, None, Decision(S.PENDING, 8 * M)),
        (S.PENDING, 5, True, None, Decision(S.FAILED)),  # the fifth attempt that reached a server
        (
            S.PENDING,
            5,
            False,
            None,
            Decision(S.PENDING, 16 * M, counted=False),
        ),  # never reached one
        (
            S.PENDING,
            2,
            True,
            90,
            Decision(S.PENDING, dt.timedelta(seconds=90)),
        ),  # the service asked
        (S.FAILED, 1, True, None, Decision(S.FAILED)),  # permanent: at once
        (S.UNDELIVERABLE, 1, True, None, Decision(S.UNDELIVERABLE)),  # no channel for the tag
        (S.PENDING, 20, False, None, Decision(S.PENDING, 2 * 60 * M, counted=False)),  # capped
    ],
)
def test_decisions(outcome, attempts, attempted, retry_after, expected) -> None:
    got = POLICY.decide(outcome, attempts, attempted=attempted, retry_after=retry_after)
    assert got == expected
