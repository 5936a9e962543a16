"""Locks that end with the process holding them: a PostgreSQL session advisory lock, or on
SQLite an flock on a file beside the database. A crashed holder never leaves a stale lock."""

from __future__ import annotations

import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text


@contextmanager
def try_exclusive(engine: Engine, name: str, lock_dir: Path) -> Iterator[bool]:
    """Hold the lock `name` for the block if no one else does; yield whether it is held.
    On SQLite the lock file lives beside the database file (every process that shares the
    database shares it), else in `lock_dir`."""
    if engine.dialect.name == "postgresql":
        with _advisory(engine, name) as held:
            yield held
        return
    database = engine.url.database
    if database and database != ":memory:":
        lock_dir = Path(database).resolve().parent / ".locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"{name}.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _advisory(engine: Engine, name: str) -> Iterator[bool]:
    key = zlib.crc32(name.encode("utf-8"))
    with engine.connect() as conn:
        held = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))
        conn.commit()
        try:
            yield held
        finally:
            if held:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
