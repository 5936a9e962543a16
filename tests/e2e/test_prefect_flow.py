"""The tick through Prefect and through `duban tick` is one orchestration: a week replayed
through both leaves the same records."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from db.models import Base, LadderStep, Notification, Request, TickRun

D = dt.date
# 2025Q3 opens on 9-24; the National Day holiday runs to 10-8, Saturday 10-11 is a working day
# (调休) and Sunday 10-12 is not; the due date is 10-14.
WEEK = [D(2025, 9, 24), *(D(2025, 10, d) for d in range(6, 13))]


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def load_plan(sessions: sessionmaker[Session]) -> None:
    from tasks_catalog.check import check_catalog
    from tasks_catalog.directory import Directory
    from tasks_catalog.loader import load_catalog

    plans, _ = check_catalog()
    with sessions.begin() as session:
        load_catalog(session, [p for p in plans if p.slug == "zhoushan-standards-2023"], Directory.load(),
                     dt.datetime(2025, 9, 1, tzinfo=dt.UTC))  # fmt: skip


def records(sessions: sessionmaker[Session]) -> dict[str, object]:
    """What a replayed week leaves behind, without ids and timestamps of the machine (a
    reference code ends with its plan's id, which differs between two databases)."""
    with sessions() as session:
        runs = [
            (r.as_of, r.status, r.summary.get("opened_requests"), r.summary.get("digests"))
            for r in session.scalars(select(TickRun).order_by(TickRun.as_of))
        ]
        requests = sorted(session.execute(select(Request.code, Request.status, Request.due_on)))
        messages = sorted(
            (n.key, n.kind, n.channel, n.status, len(n.payload.get("items", [])))
            for n in session.scalars(select(Notification))
        )
        steps = sorted(
            (code, s.stage, s.day, s.handled_on, s.notification_key)
            for s, code in session.execute(
                select(LadderStep, Request.code).join(Request, LadderStep.request_id == Request.id)
            )
        )
    found = {"runs": runs, "requests": requests, "messages": messages, "steps": steps}
    return {key: [_without_ids(row) for row in rows] for key, rows in found.items()}


def _without_ids(row: tuple[object, ...]) -> tuple[object, ...]:
    return tuple(re.sub(r"-P\d+\b", "-P", v) if isinstance(v, str) else v for v in row)


def test_a_week_with_a_make_up_saturday_leaves_the_same_records_through_cli_and_flow(
    harness, tmp_path, monkeypatch, engine
):
    from db import make_engine, session_factory, upgrade
    from duban.cli import app
    from flows.prefect_flows import tick_flow

    # Through Prefect, on the test database.
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DUBAN_DATABASE_URL", url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    flowed = session_factory(engine)
    load_plan(flowed)
    for day in WEEK:
        tick_flow(as_of=day, var_dir=str(tmp_path / "flow"))

    # Through the command line, on a database of its own.
    cli_url = f"sqlite:///{tmp_path / 'cli.db'}"
    cli_engine = make_engine(cli_url)
    upgrade(cli_engine)
    typed = session_factory(cli_engine)
    load_plan(typed)
    monkeypatch.setenv("DUBAN_DATABASE_URL", cli_url)
    monkeypatch.setenv("DUBAN_VAR_DIR", str(tmp_path / "cli"))
    runner = CliRunner()
    for day in WEEK:
        result = runner.invoke(app, ["tick", "--as-of", day.isoformat(), "--no-dispatch"])
        assert result.exit_code == 0, result.output

    through_flow, through_cli = records(flowed), records(typed)
    assert through_flow == through_cli
    runs = {day: status for day, status, *_ in through_flow["runs"]}  # type: ignore[attr-defined]
    assert runs[D(2025, 10, 11)] == "ok"  # the make-up Saturday is a working day
    assert runs[D(2025, 10, 12)] == "skipped" and runs[D(2025, 10, 6)] == "skipped"
    handled = {(stage, day) for _, stage, day, *_ in through_flow["steps"]}  # type: ignore[attr-defined]
    assert ("before-3", D(2025, 10, 10)) in handled  # 10-10, 10-11, 10-13: three working days
    cli_engine.dispose()
