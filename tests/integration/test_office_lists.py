"""The office's lists on the read side (`reporting.office_lists`), as the CLI prints them and
the portal may show them: requests by due date and code, the outbox newest first, a period
label's ids across plans."""

from __future__ import annotations

import datetime as dt

from db.models import Notification
from flows import steps
from notifications import outbox
from reporting.office_lists import outbox_rows, period_ids, plan_slugs, request_rows
from vocab.words import MessageKind, OutboxStatus, RequestStatus

from ..conftest import at

DAY = dt.date(2025, 9, 24)


def test_requests_are_listed_by_due_date_then_code_and_filtered(runtime) -> None:
    assert steps.open_and_request(runtime, DAY, at(DAY)) > 0
    with runtime.sessions() as session:
        rows = request_rows(session)
        q3 = request_rows(session, period="2025Q3", status=RequestStatus.PENDING)
        assert request_rows(session, status=RequestStatus.WAIVED) == []
        assert request_rows(session, period="2031Q1") == []
    assert rows and [(r["due_on"], r["code"]) for r in rows] == sorted(
        (r["due_on"], r["code"]) for r in rows
    )
    assert q3 and {r["period"] for r in q3} == {"2025Q3"}
    assert all(r["code"].startswith("2025Q3-") and r["sequence"] >= 0 for r in q3)
    assert {r["unit"] for r in q3} >= {"市科技局"}


def test_period_ids_follow_the_label_and_the_plan(runtime) -> None:
    steps.open_and_request(runtime, DAY, at(DAY))
    with runtime.sessions() as session:
        assert plan_slugs(session) == ["zhoushan-standards-2023"]
        ids = period_ids(session, "2025Q3")
        assert len(ids) == 1
        assert period_ids(session, "2025Q3", "zhoushan-standards-2023") == ids
        assert period_ids(session, "2025Q3", "no-such-plan") == []
        assert period_ids(session, "1999Q1") == []


def test_the_outbox_is_listed_newest_first_by_status_and_limited(runtime) -> None:
    with runtime.sessions.begin() as session:
        for n in range(3):
            outbox.enqueue(session, key=f"k{n}", recipient="zs-sti", unit_id=None, kind=MessageKind.REMINDER,
                           subject="" if n == 2 else f"主题{n}", payload={}, now=at(DAY))  # fmt: skip
    with runtime.sessions.begin() as session:
        oldest = outbox_rows(session)[-1]
        session.get_one(Notification, oldest["id"]).status = OutboxStatus.FAILED
    with runtime.sessions() as session:
        rows = outbox_rows(session)
        assert [r["key"] for r in rows] == ["k2", "k1", "k0"]
        assert rows[0]["subject"] == "" and rows[0]["sent_at"] is None
        assert [r["key"] for r in outbox_rows(session, OutboxStatus.FAILED)] == ["k0"]
        assert [r["key"] for r in outbox_rows(session, limit=1)] == ["k2"]
