"""The dispatcher's pipeline: one message sent at a time, each result committed (over one held
connection) before the next message can be delivered, and with SMTP that commit and the next
message's composing done while the server is busy with this one."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from sqlalchemy import select, text

from db.models import Notification
from notifications import dispatch as dispatch_module
from notifications import outbox
from notifications.channels import Outgoing
from notifications.delivery import AppriseChannel
from notifications.dispatch import MessageConfig, dispatch
from notifications.smtp import exchange

from ..servers import Inbox, SmtpServer

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


class RawInbox(Inbox):
    """Keeps the data exactly as it came over the wire (after the server's un-stuffing)."""

    def __init__(self) -> None:
        super().__init__()
        self.raw: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.raw.append(envelope.original_content)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.inbox = RawInbox()
    server.start()
    yield server
    server.stop()


def smtp_channel(tmp_path, port: int) -> AppriseChannel:
    path = tmp_path / "apprise.txt"
    path.write_text(
        f"office=mailto://127.0.0.1:{port}?from=office@duban.test&to=office@duban.test\n"
    )
    return AppriseChannel.from_config(path, clock=lambda: NOW)


def test_the_exchange_sends_what_sendmail_sends_and_refuses_as_it_does(smtp):
    data = b"Subject: x\r\n\r\n.leading dot\r\n..two\r\nno final line end"
    with smtplib.SMTP("127.0.0.1", smtp.port) as conn:
        assert conn.sendmail("a@duban.test", ["b@duban.test", "nobody@duban.test"], data) == (
            exchange(conn, "a@duban.test", ["b@duban.test", "nobody@duban.test"], data)
        )
        for send in (conn.sendmail, lambda *a: exchange(conn, *a)):
            with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
                send("a@duban.test", ["nobody@duban.test"], data)
            assert list(refused.value.recipients) == ["nobody@duban.test"]
            assert refused.value.recipients["nobody@duban.test"][0] == 550
        exchange(conn, "a@duban.test", ["b@duban.test"], data)  # the connection goes on
    assert smtp.inbox.raw[0] == smtp.inbox.raw[1] == smtp.inbox.raw[2]
    assert smtp.inbox.raw[0].startswith(b"Subject: x\r\n\r\n.leading dot\r\n..two\r\n")
    assert smtp.inbox.envelopes[0] == ("a@duban.test", ["b@duban.test"])


def test_a_failure_to_commit_the_last_result_delivers_nothing_of_the_next_message(smtp):
    with smtplib.SMTP("127.0.0.1", smtp.port) as conn:

        def ready() -> None:
            raise RuntimeError("database gone")

        with pytest.raises(RuntimeError, match="database gone"):
            exchange(conn, "a@duban.test", ["b@duban.test"], b"Subject: 1\r\n\r\nx\r\n", ready)
        assert smtp.inbox.raw == []
        exchange(conn, "a@duban.test", ["b@duban.test"], b"Subject: 2\r\n\r\ny\r\n")
    assert [m["Subject"] for m in smtp.inbox.messages] == ["2"]


@pytest.mark.parametrize("over", ["plain channel", "SMTP"])
def test_a_result_that_cannot_be_recorded_stops_the_dispatcher_before_the_next_message_goes(
    sessions, monkeypatch, over, smtp, tmp_path
):
    enqueue_reports(sessions, 5)
    real_record, calls = outbox.Recorder.record, []

    def failing_second(self, row_id, values):
        calls.append(row_id)
        if len(calls) == 2:
            raise RuntimeError("database gone")
        real_record(self, row_id, values)

    monkeypatch.setattr(outbox.Recorder, "record", failing_second)
    channel = RecordingChannel() if over == "plain channel" else smtp_channel(tmp_path, smtp.port)
    with pytest.raises(RuntimeError, match="database gone"):
        dispatch(sessions, channel, MessageConfig(), lambda: NOW, batch=10)
    # The third message was composed while the second was with the server: it must not go
    # out once the second's result could not be recorded (it is re-sent after its lease).
    if over == "plain channel":
        assert channel.sent == ["report:00", "report:01"]
    else:
        assert [m["X-Duban-Key"] for m in smtp.inbox.messages] == ["report:00", "report:01"]
    got = statuses(sessions)
    assert got["report:00"] == "sent"
    # The unrecorded one and the one composed behind it wait for their lease; the rows never
    # handed out go back at once, their attempt not counted.
    assert [got[f"report:{i:02}"] for i in range(1, 5)] == [
        "sending",
        "sending",
        "pending",
        "pending",
    ]


class WatchingChannel:
    """An overlapping channel that notes, when it is ready to deliver, what the database says
    of the messages so far and which messages have been composed."""

    def __init__(self, sessions, composed: list[str]) -> None:
        self.sessions, self.composed = sessions, composed
        self.seen: list[tuple[str, dict[str, str], list[str]]] = []

    def send(self, message: Outgoing) -> str:
        raise AssertionError("the dispatcher overlaps with a channel that can")

    def send_overlapped(self, message: Outgoing, ready, meanwhile) -> str:
        ready()
        ready()  # a second call does nothing
        self.seen.append((message.key, statuses(self.sessions), list(self.composed)))
        meanwhile()
        meanwhile()
        return "watched"


def test_each_result_is_committed_before_the_next_message_and_the_next_composed_meanwhile(
    sessions, monkeypatch
):
    enqueue_reports(sessions, 4)
    composed: list[str] = []
    real_compose = dispatch_module.compose

    def noting(session, row, *args, **kwargs):
        composed.append(row.key)
        return real_compose(session, row, *args, **kwargs)

    monkeypatch.setattr(dispatch_module, "compose", noting)
    channel = WatchingChannel(sessions, composed)
    stats = dispatch(sessions, channel, MessageConfig(), lambda: NOW, batch=3)
    assert stats["sent"] == 4
    keys = [f"report:{i:02}" for i in range(4)]
    for i, (key, seen, composed_then) in enumerate(channel.seen):
        assert key == keys[i]
        assert [seen[k] for k in keys[:i]] == ["sent"] * i  # the ones before: committed
        assert seen[key] == "sending"
        assert {seen[k] for k in keys[i + 1 :]} <= {"sending", "pending"}  # batches of 3
        assert composed_then == keys[: i + 1]  # the next is composed after ready, not before
    assert composed == keys
    assert set(statuses(sessions).values()) == {"sent"}


def test_a_message_that_cannot_be_composed_is_retried_later_and_never_stops_the_others(
    sessions, monkeypatch, smtp, tmp_path
):
    enqueue_reports(sessions, 4)
    real_compose = dispatch_module.compose

    def failing_third(session, row, *args, **kwargs):
        if row.key == "report:02":
            raise ValueError("bad payload")
        return real_compose(session, row, *args, **kwargs)

    monkeypatch.setattr(dispatch_module, "compose", failing_third)
    stats = dispatch(sessions, smtp_channel(tmp_path, smtp.port), MessageConfig(), lambda: NOW)
    assert stats["sent"] == 3 and stats["retry"] == 1
    assert [m["X-Duban-Key"] for m in smtp.inbox.messages] == [
        "report:00",
        "report:01",
        "report:03",
    ]
    with sessions() as session:
        row = session.scalar(select(Notification).where(Notification.key == "report:02"))
        assert row.status == "pending" and "bad payload" in row.last_error
        assert row.next_attempt_at > NOW  # retried with backoff, failed after max attempts


def test_the_limit_is_never_exceeded_across_batches(sessions):
    enqueue_reports(sessions, 10)
    channel = RecordingChannel()
    stats = dispatch(sessions, channel, MessageConfig(), lambda: NOW, batch=3, limit=3)
    assert stats["sent"] == 3 and channel.sent == ["report:00", "report:01", "report:02"]
    # The limit holds across batches: a second batch claims only what is left of it.
    stats = dispatch(sessions, channel, MessageConfig(), lambda: NOW, batch=3, limit=4)
    assert stats["sent"] == 4
    stats = dispatch(sessions, channel, MessageConfig(), lambda: NOW, batch=3)
    assert stats["sent"] == 3
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


class RefusingChannel:
    """A channel whose server always answers 'try again later'."""

    def send(self, message: Outgoing) -> str:
        from notifications.channels import DeliveryError

        raise DeliveryError("451 try again later")


def test_a_message_that_keeps_failing_ends_failed_after_max_attempts(sessions):
    enqueue_reports(sessions, 1)
    config = MessageConfig(max_attempts=3)
    later = NOW
    for attempt in range(1, 4):
        stats = dispatch(sessions, RefusingChannel(), config, lambda at=later: at)
        with sessions() as session:
            row = session.scalar(select(Notification))
        assert row.attempts == attempt and "451" in row.last_error
        expected = "failed" if attempt == 3 else "pending"
        assert row.status == expected and stats["failed" if attempt == 3 else "retry"] == 1
        later = row.next_attempt_at or later  # the backoff, honoured
    final = dispatch(sessions, RefusingChannel(), config, lambda: later + dt.timedelta(days=1))
    assert +final == {}  # a failed row is not tried again
