"""The dispatcher with nobody watching: a silent SMTP server, a configuration Apprise refuses,
the limit, and the send hours."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from db.models import Notification
from notifications import outbox
from notifications.delivery import AppriseChannel
from notifications.dispatch import MessageConfig, dispatch

from ..conftest import SHANGHAI
from ..servers import SilentSmtpServer

NOW = dt.datetime(2025, 10, 9, 10, 0, tzinfo=SHANGHAI)


def enqueue(sessions, count: int) -> None:
    with sessions.begin() as session:
        for i in range(count):
            outbox.enqueue(session, key=f"report:{i:02}", recipient=f"u{i:02}", unit_id=None,
                           kind="report", subject=f"报告 {i}", payload={"text": "正文"}, now=NOW)  # fmt: skip


def config_for(tmp_path, port: int, count: int):
    path = tmp_path / "apprise.txt"
    path.write_text(
        "".join(
            f"u{i:02}=mailto://127.0.0.1:{port}?from=office@duban.test&to=u{i:02}@duban.test\n"
            for i in range(count)
        )
    )
    return path


@pytest.fixture
def silent():
    server = SilentSmtpServer().start()
    yield server
    server.stop()


def test_a_silent_smtp_server_costs_one_timeout_and_the_rows_wait_for_a_later_run(
    sessions, silent, tmp_path
):
    enqueue(sessions, 20)
    channel = AppriseChannel.from_config(config_for(tmp_path, silent.port, 20), smtp_timeout=1)
    started = time.monotonic()
    stats = dispatch(sessions, channel, MessageConfig(), lambda: NOW, batch=20)
    elapsed = time.monotonic() - started
    assert elapsed < 5, elapsed  # one timeout of 1 s, not twenty
    assert len(silent.connections) == 1  # not tried again in this run
    assert stats["retry"] == 20
    with sessions() as session:
        rows = list(session.scalars(select(Notification).order_by(Notification.id)))
    assert {r.status for r in rows} == {"pending"}
    assert all(r.next_attempt_at > NOW for r in rows)
    assert rows[0].attempts == 1 and "无应答" in rows[0].last_error
    assert {r.attempts for r in rows[1:]} == {0}  # never tried: their attempts are not used up


def dispatch_cli(tmp_path, config, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    environ |= {"DUBAN_VAR_DIR": str(tmp_path / "var"), "DUBAN_APPRISE_CONFIG": str(config)} | env
    code = "from duban.cli import app; app()"
    return subprocess.run([sys.executable, "-c", code, "dispatch", *args], env=environ,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_dispatch_honours_the_limit_and_gives_up_on_a_silent_server_in_seconds(silent, tmp_path):
    from db import make_engine, session_factory, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'duban.db'}")
    upgrade(engine)
    sessions = session_factory(engine)
    enqueue(sessions, 20)
    started = time.monotonic()
    result = dispatch_cli(tmp_path, config_for(tmp_path, silent.port, 20), "--limit", "3",
                          DUBAN_SEND_HOURS="always", DUBAN_SMTP_TIMEOUT="2")  # fmt: skip
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert elapsed < 30, elapsed
    assert len(silent.connections) == 1
    with sessions() as session:
        attempts = [
            n.attempts for n in session.scalars(select(Notification).order_by(Notification.id))
        ]
        claimed = session.scalar(
            select(Notification.id).where(Notification.claimed_by.is_not(None))
        )
    assert attempts == [1] + [0] * 19 and claimed is None  # three claimed, one tried, all back
    engine.dispose()


def test_a_configuration_apprise_refuses_stops_dispatch_with_a_clear_error(tmp_path):
    config = config_for(tmp_path, 25, 4000)
    assert config.stat().st_size > 128 * 1024
    result = dispatch_cli(tmp_path, config)
    assert result.returncode == 1
    assert "128 KB" in result.stderr and str(config) in result.stderr
    broken = tmp_path / "broken.txt"
    broken.write_text("这不是 Apprise 配置\n")
    result = dispatch_cli(tmp_path, broken)
    assert result.returncode == 1 and "未能" in result.stderr


def test_dispatch_outside_the_send_hours_says_until_when_messages_wait(tmp_path):
    from db import make_engine, session_factory, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'duban.db'}")
    upgrade(engine)
    enqueue(session_factory(engine), 2)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    environ |= {"DUBAN_VAR_DIR": str(tmp_path / "var"), "DUBAN_SEND_HOURS": "0-1"}
    code = "from duban.cli import app; app()"
    result = subprocess.run([sys.executable, "-c", code, "dispatch"], env=environ,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    engine.dispose()
    now = dt.datetime.now(SHANGHAI)
    if now.hour < 1:
        pytest.skip("inside the test's send hours")
    assert result.returncode == 0, result.stderr
    assert "2 条消息暂缓" in result.stdout and ":00 起发送" in result.stdout
