"""One real flow run of the tick under Prefect's test harness."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db.models import Notification, TickRun


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_the_tick_flow_runs_the_steps_and_records_the_run(harness, tmp_path, monkeypatch, engine):
    from duban.settings import Settings
    from flows.prefect_flows import tick_flow
    from tasks_catalog.check import check_catalog
    from tasks_catalog.directory import Directory
    from tasks_catalog.loader import load_catalog

    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DUBAN_DATABASE_URL", url)
    from duban.bootstrap import open_database

    sessions = open_database(Settings(database_url=url))
    from db.models import Base

    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    plans, _ = check_catalog()
    with sessions.begin() as session:
        load_catalog(session, [p for p in plans if p.slug == "zhoushan-standards-2023"], Directory.load(),
                     dt.datetime(2025, 9, 1, tzinfo=dt.UTC))  # fmt: skip
    result = tick_flow(as_of=dt.date(2025, 9, 24), var_dir=str(tmp_path))
    assert result["opened_requests"] > 30 and result["digests"] == result["opened_requests"]
    skipped = tick_flow(as_of=dt.date(2025, 9, 27), var_dir=str(tmp_path))  # a Saturday off
    assert skipped["skipped"] == "not a working day"
    with sessions() as session:
        assert (
            session.scalar(select(TickRun.status).where(TickRun.as_of == dt.date(2025, 9, 24)))
            == "ok"
        )
        assert (
            session.scalar(select(Notification.status).limit(1)) == "pending"
        )  # dispatch is its own flow
