"""Dispatchers as separate processes: killed mid-batch, and two at once on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlalchemy import select

from db.models import Notification, Request
from flows import tick

from ..conftest import at
from ..servers import SlowInbox, SmtpServer

D = dt.date


def setup_outbox(runtime, tmp_path, port: int):
    """Open 2025Q3 (one request digest per unit) and route every unit to the SMTP server."""
    tick.run_tick(runtime, D(2025, 9, 24), at(D(2025, 9, 24)))
    with runtime.sessions() as session:
        tags = sorted(set(session.scalars(select(Request.unit_id))))
        keys = set(session.scalars(select(Notification.key)))
    config = tmp_path / "apprise.txt"
    config.write_text(
        f"{', '.join(tags)}=mailto://127.0.0.1:{port}?from=office@duban.test&to=unit@duban.test\n"
    )
    return config, keys


def dispatcher(runtime, engine, config, worker: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DUBAN_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "DUBAN_APPRISE_CONFIG": str(config),
        "DUBAN_VAR_DIR": str(runtime.var_dir),
        "DUBAN_SEND_HOURS": "always",
        "DUBAN_OUTBOX_LEASE_SECONDS": "2",
    }
    code = "from duban.cli import app; app()"
    return subprocess.Popen([sys.executable, "-c", code, "dispatch", "--worker", worker], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip


def message_keys(server) -> Counter[str]:
    return Counter(m["X-Duban-Key"] for m in server.inbox.messages)


def test_a_dispatcher_killed_mid_batch_loses_nothing(runtime, engine, tmp_path):
    server = SmtpServer()
    server.inbox = SlowInbox(0.15)
    server.start()
    try:
        config, keys = setup_outbox(runtime, tmp_path, server.port)
        proc = dispatcher(runtime, engine, config, "doomed")
        deadline = time.time() + 60
        while len(server.inbox.messages) < 5 and time.time() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        delivered_before = len(server.inbox.messages)
        assert 5 <= delivered_before < len(keys)
        time.sleep(2.5)  # the dead dispatcher's lease expires
        again = dispatcher(runtime, engine, config, "survivor")
        assert again.wait(timeout=120) == 0, again.stdout.read().decode()
        got = message_keys(server)
        assert set(got) == keys  # nothing lost
        assert sum(got.values()) - len(got) <= 1  # at most the message in flight went twice
        with runtime.sessions() as session:
            assert set(session.scalars(select(Notification.status))) == {"sent"}
    finally:
        server.stop()


@pytest.mark.skipif(
    not os.environ.get("DUBAN_TEST_DATABASE_URL"),
    reason="needs PostgreSQL (DUBAN_TEST_DATABASE_URL)",
)
def test_two_dispatchers_on_postgresql_send_each_message_once(runtime, engine, tmp_path):
    if engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED claims are PostgreSQL's; SQLite allows one writer")
    server = SmtpServer()
    server.inbox = SlowInbox(0.02)
    server.start()
    try:
        config, keys = setup_outbox(runtime, tmp_path, server.port)
        procs = [dispatcher(runtime, engine, config, f"w{i}") for i in (1, 2)]
        for p in procs:
            assert p.wait(timeout=120) == 0, p.stdout.read().decode()
        got = message_keys(server)
        assert set(got) == keys and all(n == 1 for n in got.values())
        with runtime.sessions() as session:
            rows = list(session.scalars(select(Notification)))
        assert {n.status for n in rows} == {"sent"}
        assert {n.payload["sent_by"] for n in rows} == {"w1", "w2"}  # both took part
    finally:
        server.stop()
