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
