"""Planner statistics on PostgreSQL: refreshed where a table changed much since it was last
analysed, before work whose query plans depend on them.

PostgreSQL picks its plans from each table's statistics, which `ANALYZE` gathers and
autovacuum refreshes — when it is on. Where it is off (as on the machine the benchmarks ran
on) or has not yet caught up with a bulk load (opening a period inserts a request per unit),
the planner guesses: a nation's assessment then scanned the whole request, submission and
progress tables for every batch of ten periods (1.4 s of queries a batch, 355 s in all;
0.04 s a batch once analysed, measured: bench/RESULTS.md). PostgreSQL's own advice after a
bulk load is to run ANALYZE; this does so only where it is due, by autovacuum's own default
rule, so where autovacuum keeps up it costs one query.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, text

log = logging.getLogger(__name__)

# autovacuum_analyze_threshold and autovacuum_analyze_scale_factor, PostgreSQL's defaults
THRESHOLD = 50
SCALE_FACTOR = 0.1

_STALE = text(
    """
    SELECT relname FROM pg_stat_user_tables
    WHERE schemaname = current_schema() AND relname IN :tables
      AND (coalesce(last_analyze, last_autoanalyze) IS NULL
           OR n_mod_since_analyze > :threshold + :scale * n_live_tup)
    ORDER BY relname
    """
).bindparams(bindparam("tables", expanding=True))


def refresh_statistics(connection: Connection, tables: Iterable[str]) -> list[str]:
    """ANALYZE those of `tables` never analysed or changed by more than autovacuum's
    threshold since; return their names. Elsewhere than PostgreSQL, nothing (SQLite's
    planner chose the indexes without statistics, measured)."""
    names = sorted(set(tables))
    if connection.dialect.name != "postgresql" or not names:
        return []
    stale = list(
        connection.execute(
            _STALE, {"tables": names, "threshold": THRESHOLD, "scale": SCALE_FACTOR}
        ).scalars()
    )
    quote = connection.dialect.identifier_preparer.quote
    for name in stale:
        connection.execute(text(f"ANALYZE {quote(name)}"))
    if stale:
        log.info("planner statistics refreshed: %s", ", ".join(stale))
    return stale
