"""Planner statistics are refreshed where a table changed much since it was last analysed
(on PostgreSQL; elsewhere nothing is done), and the assessment's tick does so first."""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import Connection, insert, text

from db.models import Unit
from db.statistics import refresh_statistics
from flows import steps
from reporting.assess import TABLES
from vocab.words import UnitKind

from ..conftest import at


def analysed(conn: Connection, table: str) -> dt.datetime | None:
    return conn.execute(
        text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = :t"), {"t": table}
    ).scalar()


def wait_for_changes(engine, table: str, at_least: int) -> None:
    """The server's counters reach other sessions once the writing one has flushed them."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            changed = conn.execute(
                text("SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = :t"),
                {"t": table},
            ).scalar()
        if changed is not None and changed >= at_least:
            return
        time.sleep(0.1)
    raise AssertionError(f"{table}: {changed} changes counted, expected {at_least}")


def test_tables_are_analysed_only_when_they_changed_much(engine, sessions) -> None:
    with engine.begin() as conn:
        if engine.dialect.name != "postgresql":
            assert refresh_statistics(conn, ["unit", "request"]) == []
            return
        conn.execute(text("ANALYZE unit"))
        conn.execute(text("ANALYZE request"))
        assert refresh_statistics(conn, ["unit", "request"]) == []  # just analysed
        before = analysed(conn, "unit")
    with engine.begin() as conn:  # 300 new units: over 50 + 10 % of the table
        conn.execute(
            insert(Unit),
            [{"id": f"u{i:03d}", "jurisdiction": "测试市", "name": f"单位{i}", "kind": UnitKind.DEPARTMENT}
             for i in range(300)],
        )  # fmt: skip
        conn.execute(text("SELECT pg_stat_force_next_flush()"))
    wait_for_changes(engine, "unit", 300)
    with engine.begin() as conn:
        assert refresh_statistics(conn, ["unit", "request"]) == ["unit"]
    with engine.begin() as conn:  # the statistics views are read once a transaction
        after = analysed(conn, "unit")
        assert before is not None and after is not None and after > before
        assert refresh_statistics(conn, ["unit", "request"]) == []
        assert conn.execute(
            text("SELECT count(*) FROM pg_stats WHERE tablename = 'unit' AND attname = 'name'")
        ).scalar() == 1  # fmt: skip


def test_the_assessment_tick_analyses_what_its_queries_read(engine, runtime) -> None:
    """Opening a period bulk-inserts a request per unit; the assessment that follows finds
    its tables analysed (on PostgreSQL) before it plans its queries."""
    steps.open_and_request(runtime, dt.date(2025, 9, 24), at(dt.date(2025, 9, 24)))
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_stat_reset_single_table_counters('request'::regclass)"))
    day = dt.date(2025, 10, 14)
    written = steps.assess_and_report(runtime, day, at(day), [], force=True)
    assert written
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in ("request", "submission", "progress_row", "assignment"):
            assert analysed(conn, table) is not None, table
        assert "request" not in refresh_statistics(conn, TABLES)  # fresh now
