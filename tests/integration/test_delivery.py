"""Delivery through Apprise to real local servers: SMTP and a DingTalk-compatible robot."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from icalendar import Calendar
from sqlalchemy import select

from db.models import Notification
from flows import steps, tick
from flows.runtime import Runtime
from notifications.delivery import AppriseChannel
from notifications.dispatch import ICS_NAME
from notifications.pacing import Pacer

from ..conftest import at
from ..servers import DingTalkRobot, SmtpServer

D = dt.date
TOKEN, SECRET = "a1b2c3d4e5f6", "SEC0123456789abcdef"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def robot(monkeypatch):
    server = DingTalkRobot(TOKEN, SECRET).start()
    monkeypatch.setenv("DUBAN_DINGTALK_BASE_URL", server.base_url)
    yield server
    server.stop()


def channel_config(tmp_path, smtp_port: int, extra: str = "") -> os.PathLike:
    path = tmp_path / "apprise.txt"
    path.write_text(
        f"zs-sti=mailto://127.0.0.1:{smtp_port}?from=office@duban.test&to=sti@duban.test\n"
        f"zs-sti:leader=mailto://127.0.0.1:{smtp_port}?from=office@duban.test&to=sti.leader@duban.test\n"
        f"office=mailto://127.0.0.1:{smtp_port}?from=office@duban.test&to=office@duban.test\n"
        f"zs-amr=dingtalk://{SECRET}@{TOKEN}/13800000000\n" + extra,
        encoding="utf-8",
    )
    return path


def apprise_runtime(runtime: Runtime, path, clock) -> Runtime:
    channel = AppriseChannel.from_config(path, Pacer(runtime.sessions), clock)
    return Runtime(runtime.sessions, runtime.var_dir, runtime.calendar, channel, runtime.messages)


def statuses(runtime) -> dict[str, str]:
    with runtime.sessions() as session:
        return {n.channel: n.status for n in session.scalars(select(Notification))}


def test_email_arrives_with_alternatives_attachments_and_a_parseable_invite(
    runtime, smtp, robot, tmp_path
):
    rt = apprise_runtime(
        runtime, channel_config(tmp_path, smtp.port), lambda: at(D(2025, 9, 24), 10)
    )
    tick.run_tick(rt, D(2025, 9, 24), at(D(2025, 9, 24)))
    steps.dispatch_outbox(rt, lambda: at(D(2025, 9, 24), 10))
    sti = next(m for m in smtp.inbox.messages if m["To"].addresses[0].addr_spec == "sti@duban.test")
    assert sti["Subject"] == "【标准强市建设】关于报送2025年第三季度工作进展的通知"
    assert sti["Message-ID"].endswith("@duban.invalid>")
    assert "二(一)1 推动标准化与科技创新互动发展" in sti.get_body(("plain",)).get_content()
    assert "<table" in sti.get_body(("html",)).get_content()
    files = {p.get_filename(): p for p in sti.iter_attachments()}
    assert any(name.endswith(".xlsx") for name in files)
    invite = Calendar.from_ical(files[ICS_NAME].get_content())
    assert invite["METHOD"] == "REQUEST" and invite.walk("VEVENT")[0]["DTSTART"].dt.date() == D(
        2025, 10, 14
    )
    # DingTalk: signed correctly, markdown, @mention of the liaison's mobile
    assert robot.received and robot.received[0]["msgtype"] == "markdown"
    assert "@13800000000" in robot.received[0]["markdown"]["text"] and robot.received[0]["at"][
        "atMobiles"
    ] == ["13800000000"]
    got = statuses(rt)
    assert got["zs-sti"] == "sent" and got["zs-amr"] == "sent"
    assert (
        got["zs-eit"] == "undeliverable"
    )  # no channel configured: visible, never silently skipped
    with rt.sessions() as session:
        row = session.scalar(select(Notification).where(Notification.channel == "zs-eit"))
        assert "没有标签为" in row.last_error and "no channel for tag" in row.last_error


def test_secrets_never_reach_errors_rows_or_output(runtime, smtp, robot, tmp_path, capsys):
    robot.secret = "SECdifferent"  # the robot now rejects our signature: 310000, permanent
    rt = apprise_runtime(
        runtime, channel_config(tmp_path, smtp.port), lambda: at(D(2025, 9, 24), 10)
    )
    tick.run_tick(rt, D(2025, 9, 24), at(D(2025, 9, 24)))
    steps.dispatch_outbox(rt, lambda: at(D(2025, 9, 24), 10))
    with rt.sessions() as session:
        row = session.scalar(select(Notification).where(Notification.channel == "zs-amr"))
        assert row.status == "failed" and "310000" in row.last_error  # permanent: no retry
        dump = " ".join(
            f"{n.last_error} {n.payload}" for n in session.scalars(select(Notification))
        )
    captured = capsys.readouterr()
    for secret in (SECRET, TOKEN):
        assert secret not in dump and secret not in captured.out and secret not in captured.err


def test_smtp_down_then_back_loses_nothing(runtime, tmp_path):
    port = SmtpServer().port
    rt = apprise_runtime(runtime, channel_config(tmp_path, port), lambda: at(D(2025, 9, 24), 10))
    tick.run_tick(rt, D(2025, 9, 24), at(D(2025, 9, 24)))
    first = steps.dispatch_outbox(rt, lambda: at(D(2025, 9, 24), 10))
    assert first["retry"] >= 2  # server down: transient, requeued with backoff
    with rt.sessions() as session:
        row = session.scalar(select(Notification).where(Notification.channel == "zs-sti"))
        assert row.status == "pending" and "unreachable" in row.last_error and row.next_attempt_at
    smtp = SmtpServer(port).start()
    try:
        steps.dispatch_outbox(rt, lambda: at(D(2025, 9, 24), 11))
        assert statuses(rt)["zs-sti"] == "sent"
        assert (
            len(
                [
                    m
                    for m in smtp.inbox.messages
                    if m["To"].addresses[0].addr_spec == "sti@duban.test"
                ]
            )
            == 1
        )
    finally:
        smtp.stop()


def test_dingtalk_send_too_fast_is_retried_after_a_pause(runtime, smtp, robot, tmp_path):
    robot.too_fast = 1
    rt = apprise_runtime(
        runtime, channel_config(tmp_path, smtp.port), lambda: at(D(2025, 9, 24), 10)
    )
    tick.run_tick(rt, D(2025, 9, 24), at(D(2025, 9, 24)))
    steps.dispatch_outbox(rt, lambda: at(D(2025, 9, 24), 10))
    with rt.sessions() as session:
        row = session.scalar(select(Notification).where(Notification.channel == "zs-amr"))
        assert row.status == "pending" and "130101" in row.last_error
    steps.dispatch_outbox(rt, lambda: at(D(2025, 9, 24), 11))
    assert statuses(rt)["zs-amr"] == "sent" and len(robot.received) == 1


def test_the_pacer_holds_a_robot_to_twenty_messages_a_minute(sessions):
    from notifications.channels import DeliveryError

    pacer = Pacer(sessions)
    start = dt.datetime(2025, 9, 24, 1, 0, tzinfo=dt.UTC)
    for i in range(20):
        pacer.acquire("robot-1", start + dt.timedelta(seconds=i))
    with pytest.raises(DeliveryError, match="paced") as exc:
        pacer.acquire("robot-1", start + dt.timedelta(seconds=30))
    assert not exc.value.permanent and 30 <= exc.value.retry_after <= 32
    pacer.acquire("robot-2", start + dt.timedelta(seconds=30))  # another robot is not held
    pacer.acquire("robot-1", start + dt.timedelta(seconds=61))


def test_a_message_over_20000_bytes_is_trimmed_with_a_note():
    from notifications.render import fit_markdown

    text = "\n".join(f"{i}. 《舟山市质量强市建设“十四五”规划》2025年第三季度" for i in range(1000))
    fitted = fit_markdown(text)
    assert len(fitted.encode("utf-8")) <= 20000 and fitted.endswith("完整内容见邮件）")


def test_channels_test_reports_each_url(runtime, smtp, robot, tmp_path):
    channel = AppriseChannel.from_config(
        clock=lambda: at(D(2025, 9, 24), 10),
        path=channel_config(
            tmp_path,
            smtp.port,
            f"zs-amr=mailto://127.0.0.1:{smtp.port}?from=o@duban.test&to=nobody@duban.test\n",
        ),
    )
    results = channel.test("zs-amr")
    assert [(url.split(":")[0], ok) for url, ok, _ in results] == [
        ("dingtalk", True),
        ("mailto", False),
    ]
    assert "recipient refused (550)" in results[1][2]


def test_a_prepared_email_goes_out_as_prepared_to_each_address(smtp, tmp_path):
    """`prepare` serialises the email once per address of the recipient's URLs (while the
    previous message is with the server); the send then only talks SMTP, and each address receives
    the prepared bytes, addressed to it from the URL's sender."""
    from email.header import Header

    from notifications.channels import Outgoing
    from notifications.mail import build_email

    path = tmp_path / "apprise.txt"
    path.write_text(
        f"zs-sti=mailto://127.0.0.1:{smtp.port}?from=office@duban.test&to=a@duban.test,b@duban.test\n",
        encoding="utf-8",
    )
    channel = AppriseChannel.from_config(path)
    email = build_email(key="report:1", subject="工作进展报告", text="正文", html="<p>正文</p>",
                        sender=("领导小组办公室", "office@duban.invalid"), to=[("市科技局", "zs-sti@duban.invalid")],
                        attachments=[], when=dt.datetime(2025, 10, 14, tzinfo=dt.UTC), domain="duban.test")  # fmt: skip
    message = Outgoing("report:1", "zs-sti", "report", "工作进展报告", email, "正文")
    channel.prepare(message)
    assert sorted(addr for _, addr in message.wire) == ["a@duban.test", "b@duban.test"]
    email.replace_header("Subject", Header("改过的标题", "utf-8"))  # not what is sent any more
    channel.send(message)
    channel.smtp.close()
    got = {m["To"].addresses[0].addr_spec: m for m in smtp.inbox.messages}
    assert sorted(got) == ["a@duban.test", "b@duban.test"]
    for received in got.values():
        assert received["Subject"] == "工作进展报告"
        assert received["From"].addresses[0].addr_spec == "office@duban.test"
        assert received["From"].addresses[0].display_name == "领导小组办公室"
        # base64 bodies, although importing Apprise switched utf-8 to quoted-printable globally
        texts = [p for p in received.walk() if p.get_content_maintype() == "text"]
        assert texts and all(p["Content-Transfer-Encoding"] == "base64" for p in texts)


def test_headers_written_directly_are_what_compat32_folds() -> None:
    """SMTP_POLICY writes a short ASCII header as it is; compat32 must fold it to the same."""
    import random
    import string
    from email import policy

    from notifications.mail import SMTP_POLICY, build_email

    reference = policy.compat32.clone(linesep="\r\n")
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + ' \t=?;"<>,:()@.'
    for _ in range(5000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 100)))
        name = rng.choice(["X-Duban-Key", "Subject", "Content-Type", "Message-ID"])
        assert SMTP_POLICY.fold_binary(name, value) == reference.fold_binary(name, value)
    email = build_email(key="k" * 90, subject="【标准强市建设】" + "很长的主题" * 20, text="正文",
                        html="<p>正文</p>", sender=("办公室", "office@duban.test"),
                        to=[("市科技局" * 10, "unit@duban.test")], attachments=[],
                        when=dt.datetime(2025, 9, 24, tzinfo=dt.UTC), domain="duban.test")  # fmt: skip
    assert email.as_bytes(policy=SMTP_POLICY) == email.as_bytes(policy=reference)
    # headers compat32 does fold (kept for the next message) come out the same, every time
    wide = alphabet + "标准强市建设领导小组办公室，。"
    for _ in range(2000):
        value = "".join(rng.choice(wide) for _ in range(rng.randint(0, 120)))
        name = rng.choice(["From", "To", "Subject"])
        assert SMTP_POLICY.fold_binary(name, value) == reference.fold_binary(name, value)
        assert SMTP_POLICY.fold_binary(name, value) == reference.fold_binary(name, value)


def test_the_wire_form_is_what_the_stock_generator_writes() -> None:
    """`mail.wire` writes each body in one call instead of line by line: the same bytes, for
    text parts, attachments and bodies with every kind of line end."""
    import random
    from email import policy

    from notifications.mail import Attachment, build_email, wire

    reference = policy.compat32.clone(linesep="\r\n")
    rng = random.Random(5)
    alphabet = "标准强市建设，。：\n\r\t abcXYZ019<>&.é😀"
    for i in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 2000)))
        attachments = [Attachment(rng.choice(["a.xlsx", "通知.ics"]), rng.randbytes(rng.randint(0, 5000)),
                                  rng.choice(["text/calendar", "application/octet-stream"]))
                       for _ in range(rng.randint(0, 2))]  # fmt: skip
        email = build_email(key=f"k:{i}", subject=text[:40] or "主题", text=text, html=f"<p>{text}</p>",
                            sender=("办公室", "office@duban.test"), to=[(text[:10], "unit@duban.test")],
                            attachments=attachments, when=dt.datetime(2025, 9, 24, tzinfo=dt.UTC),
                            domain="duban.test")  # fmt: skip
        assert wire(email) == email.as_bytes(policy=reference)


def test_text_parts_are_what_mimetext_makes() -> None:
    """`text_part` encodes in C what MIMEText(text, subtype, utf-8 base64) encodes line by line."""
    import random
    from email.mime.text import MIMEText

    from notifications.mail import SMTP_POLICY, UTF8, text_part

    rng = random.Random(11)
    alphabet = "标准强市建设领导小组办公室，。：\n\r\t abcXYZ019<>&é€😀"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3000)))
        subtype = rng.choice(["plain", "html"])
        expected = MIMEText(text, subtype, UTF8)  # type: ignore[arg-type]
        assert text_part(text, subtype).as_bytes(policy=SMTP_POLICY) == expected.as_bytes(
            policy=SMTP_POLICY
        )
