"""`duban serve` left alone: scheduled runs that nobody triggered happen and leave their records.

The real command in its own process, with its own Prefect server, a schedule of every minute,
and a catalog whose monthly period is open today (whatever day CI runs on: the calendar file
makes today a working day).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from db import session_factory
from db.models import Base, Notification, Request, TickRun
from tasks_catalog.paths import DATA_DIR

from ..servers import free_port

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def workspace(tmp_path: Path) -> Path:
    """A catalog folder with the Zhoushan opinion reported monthly over this year."""
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    shutil.copy(DATA_DIR / "units.yaml", catalog / "units.yaml")
    plan = yaml.safe_load((DATA_DIR / "zhoushan-standards-2023.yaml").read_text(encoding="utf-8"))
    year = dt.datetime.now(SHANGHAI).year
    plan["start_year"], plan["end_year"] = year - 1, year + 1
    plan["reporting"]["cadence"] = "monthly"
    for target in plan["targets"]:
        target["year"] = year + 1
    (catalog / "plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    return catalog


def env_for(tmp_path: Path, database_url: str) -> dict[str, str]:
    today = dt.datetime.now(SHANGHAI).date()
    calendar = tmp_path / "calendar.yaml"
    days = [today + dt.timedelta(days=d) for d in (-1, 0, 1)]  # a run may straddle midnight
    calendar.write_text(yaml.safe_dump({"workdays": days}), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DUBAN_"))}
    return env | {
        "DUBAN_VAR_DIR": str(tmp_path / "var"),
        "DUBAN_DATABASE_URL": database_url,
        "DUBAN_CATALOG_DIR": str(workspace(tmp_path)),
        "DUBAN_CALENDAR_FILE": str(calendar),
        "DUBAN_SEND_HOURS": "always",
        "DUBAN_TICK_CRON": "* * * * *",
        "DUBAN_DISPATCH_EVERY": "60",
        "DUBAN_PORTAL_PORT": str(free_port()),
        "DUBAN_PREFECT_PORT": str(free_port()),
    }


def duban(*args: str, env: dict[str, str], **kwargs: object) -> subprocess.Popen[bytes]:
    code = "from duban.cli import app; app()"
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-c", code, *args], env=env, **kwargs
    )


def test_serve_runs_the_tick_and_dispatch_on_schedule_and_stops_on_sigterm(tmp_path, engine):
    url = engine.url.render_as_string(hide_password=False)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    env = env_for(tmp_path, url)
    assert duban("catalog", "load", env=env, stdout=subprocess.DEVNULL).wait(120) == 0
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = duban("serve", env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            tick, sent = wait_for_scheduled_work(session_factory(engine), tmp_path / "var", proc)
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(90)
    printed = log.read_text(errors="replace")
    assert tick.status == "ok", printed
    with session_factory(engine)() as session:  # a later minute's tick replays the day: no-op
        assert session.scalar(select(func.count(Request.id))) > 0
        assert session.scalar(select(func.count(Notification.id))) > 0
    assert sent, f"nothing in the outbox folder\n{printed}"
    assert code == 0, printed
    assert "Starting temporary server" not in printed  # no spare Prefect server
    assert "Traceback" not in printed, printed


def wait_for_scheduled_work(sessions, var: Path, proc, limit: float = 300):  # type: ignore[no-untyped-def]
    """The first tick run and the messages a scheduled dispatch wrote, once both are there."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert proc.poll() is None, "duban serve exited"
        with sessions() as session:
            tick = session.scalar(select(TickRun).where(TickRun.status.in_(("ok", "failed"))))
        sent = sorted((var / "outbox").rglob("*.eml"))
        if tick is not None and sent:
            return tick, sent
        time.sleep(2)
    pytest.fail("no scheduled tick and dispatch within the time limit")


def test_serve_refuses_a_portal_port_in_use(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = env_for(tmp_path, f"sqlite:///{tmp_path / 'd.db'}")
        env["DUBAN_PORTAL_PORT"] = str(taken.getsockname()[1])
        proc = duban("serve", env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        output = proc.communicate(timeout=60)[0].decode()
    assert proc.returncode == 1
    assert "已被占用" in output and "DUBAN_PORTAL_PORT" in output
