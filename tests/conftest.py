"""Shared fixtures. Database tests run on SQLite, and also on PostgreSQL when
DUBAN_TEST_DATABASE_URL is set (`.ci/run` sets it)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from db import make_engine, session_factory, upgrade
from db.models import Base

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2025, 7, 1, 9, 0, tzinfo=SHANGHAI)

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("DUBAN_TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session", autouse=True)
def sealed_columns() -> None:
    """The key of the sealed columns, as the entry points set it from Duban's secret."""
    from db.sealed import seal_with

    seal_with("a test secret for the sealed columns")


@pytest.fixture(scope="session")
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.fail(f"seed documents not found at {SEEDS}; CI clones the repo beside ../shared")
    return SEEDS


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = os.environ["DUBAN_TEST_DATABASE_URL"]
    eng = make_engine(url)
    if request.param == "postgresql":
        with eng.begin() as conn:  # a clean schema for this run
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """A session factory on an emptied database."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    yield session_factory(engine)


@pytest.fixture
def runtime(sessions, tmp_path):
    """A runtime on the emptied test database with the Zhoushan opinion loaded."""
    from flows.runtime import Runtime
    from notifications.channels import FileOutbox
    from notifications.dispatch import MessageConfig
    from reporting.workdays import WorkCalendar
    from tasks_catalog.check import check_catalog
    from tasks_catalog.directory import Directory
    from tasks_catalog.loader import load_catalog

    plans, _ = check_catalog()
    with sessions.begin() as session:
        load_catalog(
            session,
            [p for p in plans if p.slug == "zhoushan-standards-2023"],
            Directory.load(),
            NOW,
        )
    var = tmp_path / "var"
    return Runtime(sessions, var, WorkCalendar(), FileOutbox(var / "outbox"), MessageConfig())


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=SHANGHAI)


def fill_template(
    path: Path,
    *,
    status: str = "推进中",
    text: str = "本季度完成了阶段性工作。",
    value: object = 10,
) -> bytes:
    """Fill every input cell of a template the way a unit would in Excel/WPS."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(path)
    tasks = wb["任务进展"]
    for row in range(2, tasks.max_row + 1):
        tasks.cell(row=row, column=8, value=status)
        tasks.cell(row=row, column=9, value=f"{text}（{tasks.cell(row=row, column=3).value}）")
    targets = wb["指标数据"]
    for row in range(2, targets.max_row + 1):
        targets.cell(row=row, column=7, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
