"""The dispatcher's pipeline: one message sent at a time, the next composed and queued behind
it, results committed over one held connection."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from db.models import Notification
from notifications import outbox
from notifications.channels import Outgoing
from notifications.dispatch import MessageConfig, dispatch

NOW = dt.datetime(2025, 10, 14, 1, tzinfo=dt.UTC)


class RecordingChannel:
    """A channel that keeps what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: Outgoing) -> str:
        self.sent.append(message.key)
        return "recorded"


def enqueue_reports(sessions, n: int) -> None:
    with sessions.begin() as session:
        for i in range(n):
            outbox.enqueue(session, key=f"report:{i:02}", recipient="office", unit_id=None,
                           kind="report", subject=f"报告{i}", payload={"text": f"第{i}份报告。", "salutation": "办公室"},
                           now=NOW)  # fmt: skip


def statuses(sessions) -> dict[str, str]:
    with sessions() as session:
        return {
            key: status
            for key, status in session.execute(select(Notification.key, Notification.status))
        }


def test_a_result_that_cannot_be_recorded_stops_the_dispatcher_before_the_next_message_goes(
    sessions, monkeypatch
):
    enqueue_reports(sessions, 5)
    real_record, calls = outbox.Recorder.record, []

    def failing_second(self, row_id, values):
        calls.append(row_id)
        if len(calls) == 2:
            raise RuntimeError("database gone")
        real_record(self, row_id, values)

    monkeypatch.setattr(outbox.Recorder, "record", failing_second)
    channel = RecordingChannel()
    with pytest.raises(RuntimeError, match="database gone"):
        dispatch(sessions, channel, MessageConfig(), lambda: NOW, batch=10)
    # The third message was composed and queued behind the second: it must not go out once
    # the second's result could not be recorded (it is re-sent after its lease instead).
    assert channel.sent == ["report:00", "report:01"]
    got = statuses(sessions)
    assert got["report:00"] == "sent"
    assert {got[f"report:{i:02}"] for i in range(1, 5)} == {"sending"}


def test_the_limit_counts_the_messages_handed_out_across_batches(sessions):
    enqueue_reports(sessions, 10)
    channel = RecordingChannel()
    stats = dispatch(sessions, channel, MessageConfig(), lambda: NOW, batch=3, limit=3)
    assert stats["sent"] == 3 and channel.sent == ["report:00", "report:01", "report:02"]
    # The limit is checked between batches: 3 handed out is under 4, so a second batch goes.
    stats = dispatch(sessions, channel, MessageConfig(), lambda: NOW, batch=3, limit=4)
    assert stats["sent"] == 6
    stats = dispatch(sessions, channel, MessageConfig(), lambda: NOW, batch=3)
    assert stats["sent"] == 1
    assert channel.sent == [f"report:{i:02}" for i in range(10)]
    assert set(statuses(sessions).values()) == {"sent"}


def postgresql_only(engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("synchronous_commit and dropped connections are PostgreSQL's")


def row_status(sessions, key: str) -> str:
    return statuses(sessions)[key]


def test_the_recorder_gives_its_connection_back_as_the_pool_lent_it(engine, sessions):
    postgresql_only(engine)
    enqueue_reports(sessions, 1)
    with sessions() as session:
        row_id = session.scalar(select(Notification.id))
    recorder = outbox.Recorder(engine)
    recorder.record(row_id, {"status": "sent", "sent_at": NOW})
    with engine.connect() as other:  # a second connection: the recorder holds the first
        assert other.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
    pid = recorder._connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
    assert recorder._connection().exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
    recorder.close()
    idle = [engine.connect() for _ in range(engine.pool.checkedin())]  # all the pool holds
    try:
        back = [c for c in idle if c.exec_driver_sql("SELECT pg_backend_pid()").scalar() == pid]
        assert len(back) == 1  # the recorder's connection went back into the pool…
        assert back[0].exec_driver_sql("SHOW synchronous_commit").scalar() == "on"  # …as lent
    finally:
        for conn in idle:
            conn.close()
    assert row_status(sessions, "report:00") == "sent"


def test_the_recorder_replaces_a_connection_the_server_dropped(engine, sessions):
    postgresql_only(engine)
    enqueue_reports(sessions, 2)
    with sessions() as session:
        first, second = session.scalars(select(Notification.id).order_by(Notification.id))
    with outbox.Recorder(engine) as recorder:
        recorder.record(first, {"status": "sent", "sent_at": NOW})
        pid = recorder._connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        recorder.record(second, {"status": "sent", "sent_at": NOW})
    assert set(statuses(sessions).values()) == {"sent"}
