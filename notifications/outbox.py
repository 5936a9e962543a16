"""The outbox: every message Duban decided to send is a row, keyed so it exists once.

Rows are claimed atomically — `FOR UPDATE SKIP LOCKED` on PostgreSQL, a conditional UPDATE that
must change exactly one row on SQLite — so any number of dispatchers can drain it. A claim is a
lease: a dispatcher killed mid-send leaves its row 'sending', and the row returns to 'pending'
when the lease expires, so nothing is lost (at most the message in flight is sent twice, and
its stable Message-ID lets mail clients fold the copy).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from db.batching import batched
from db.models import Notification
from db.models.base import core_table

PENDING, SENDING, SENT, FAILED, UNDELIVERABLE, CANCELLED = (
    "pending",
    "sending",
    "sent",
    "failed",
    "undeliverable",
    "cancelled",
)
STATUSES = (PENDING, SENDING, SENT, FAILED, UNDELIVERABLE, CANCELLED)
LEASE = dt.timedelta(minutes=10)


def enqueue(
    session: Session,
    *,
    key: str,
    recipient: str,
    unit_id: str | None,
    kind: str,
    subject: str,
    payload: dict[str, Any],
    now: dt.datetime,
    attachments: list[Any] | None = None,
) -> tuple[Notification, bool]:
    """Insert the message unless its key exists; return (row, created)."""
    existing = session.scalar(select(Notification).where(Notification.key == key))
    if existing is not None:
        return existing, False
    row = Notification(
        key=key,
        channel=recipient,
        unit_id=unit_id,
        kind=kind,
        subject=subject,
        payload=payload,
        attachments=attachments or [],
        status=PENDING,
        attempts=0,
        created_at=now,
    )
    try:
        with session.begin_nested():  # another worker may insert the same key meanwhile
            session.add(row)
    except IntegrityError:
        existing = session.scalar(select(Notification).where(Notification.key == key))
        assert existing is not None
        return existing, False
    return row, True


def existing(session: Session, keys: list[str]) -> dict[str, Notification]:
    """The rows that already have these keys."""
    found: dict[str, Notification] = {}
    for chunk in batched(keys, 500):
        found |= {
            n.key: n
            for n in session.scalars(select(Notification).where(Notification.key.in_(chunk)))
        }
    return found


def enqueue_many(session: Session, rows: list[dict[str, Any]], now: dt.datetime) -> set[str]:
    """Insert new messages in one statement; return the keys inserted. If another worker
    inserted one of the keys meanwhile, fall back to one row at a time (each a no-op or not)."""
    if not rows:
        return set()
    values = [
        {"subject": "", "attachments": [], "status": PENDING, "attempts": 0, "created_at": now, **r}
        for r in rows
    ]
    try:
        with session.begin_nested():
            session.execute(core_table(Notification).insert(), values)
        return {r["key"] for r in rows}
    except IntegrityError:
        created = set()
        for r in values:
            _, new = enqueue(
                session,
                key=r["key"],
                recipient=r["channel"],
                unit_id=r["unit_id"],
                kind=r["kind"],
                subject="",
                payload=r["payload"],
                now=now,
            )
            if new:
                created.add(r["key"])
        return created


def reclaim_expired(session: Session, now: dt.datetime, lease: dt.timedelta = LEASE) -> int:
    """Return rows whose dispatcher died mid-send to 'pending'."""
    result = session.execute(
        update(Notification)
        .where(Notification.status == SENDING, Notification.claimed_at < now - lease)
        .values(
            status=PENDING,
            claimed_at=None,
            claimed_by=None,
            last_error="dispatcher stopped mid-send; requeued",
        )
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


def claim(
    session: Session,
    now: dt.datetime,
    worker: str,
    limit: int = 20,
    kinds: tuple[str, ...] | None = None,
) -> list[int]:
    """Claim up to `limit` due rows (of `kinds`, if given) for `worker`; return their ids.
    Commit right after."""
    due = (
        select(Notification.id)
        .where(Notification.status == PENDING)
        .where(or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now))
        .order_by(Notification.id)
        .limit(limit)
    )
    if kinds is not None:
        due = due.where(Notification.kind.in_(kinds))
    table = core_table(Notification)
    claimed = table.update().values(
        status=SENDING, claimed_at=now, claimed_by=worker, attempts=table.c.attempts + 1
    )
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(due.with_for_update(skip_locked=True)))
        if ids:
            session.execute(claimed.where(table.c.id.in_(ids)))
        return ids
    # SQLite has one writer at a time; the status condition leaves out a row another
    # dispatcher claimed since. One statement for the batch (it was one per row: measured).
    rows = session.execute(
        claimed.where(table.c.id.in_(due), table.c.status == PENDING).returning(table.c.id)
    )
    return sorted(row_id for (row_id,) in rows)


def renew(session: Session, ids: list[int], worker: str, now: dt.datetime) -> set[int]:
    """Extend the lease of `worker`'s claimed rows among `ids`; return the ids still its own
    (a row another dispatcher took back after a lapsed lease must not be sent again here)."""
    if not ids:
        return set()
    table = core_table(Notification)
    rows = session.execute(
        table.update()
        .where(table.c.id.in_(ids), table.c.claimed_by == worker, table.c.status == SENDING)
        .values(claimed_at=now)
        .returning(table.c.id)
    )
    return {row_id for (row_id,) in rows}


def release(session: Session, ids: list[int], worker: str) -> int:
    """Give `worker`'s claimed rows among `ids` back, unsent and with the attempt not counted
    (the dispatcher stopped, or their server is not answering in this run)."""
    if not ids:
        return 0
    table = core_table(Notification)
    result = session.execute(
        table.update()
        .where(table.c.id.in_(ids), table.c.claimed_by == worker, table.c.status == SENDING)
        .values(status=PENDING, claimed_at=None, claimed_by=None, attempts=table.c.attempts - 1)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


class Recorder:
    """Commits messages' outcomes, each an UPDATE in its own short transaction, over one
    connection held for a dispatch run.

    Checking a pooled connection out and back in for every message (reset, ping, and on
    PostgreSQL a `SET LOCAL`) cost three quarters of a recorded result (0.40 of 0.52 ms on
    SQLite, measured in bench/dispatch_smtp.py): the held connection pays that once. Each
    result is still committed before the next message goes, so a dispatcher killed at any
    point re-sends at most the one message in flight.

    On PostgreSQL the commits do not wait for the WAL flush (synchronous_commit off for this
    connection while it is held): a dispatcher that dies right after still leaves the row
    recorded, and only a crash of the database server itself within that fraction of a second
    could lose the record and so send the message again after its lease. That wait was most
    of the cost of a sent message (measured). A connection the server dropped is replaced once.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self._conn: Connection | None = None
        self._update = (
            core_table(Notification)
            .update()
            .where(Notification.__table__.c.id == bindparam("row_id"))
        )

    def _connection(self) -> Connection:
        if self._conn is None:
            # Autocommit: the one UPDATE is its own transaction, without a BEGIN and a COMMIT
            # of its own (on PostgreSQL a round trip fewer; the pool resets the level).
            self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if self.engine.dialect.name == "postgresql":
                self._conn.exec_driver_sql("SET synchronous_commit TO OFF")
        return self._conn

    def record(self, row_id: int, values: dict[str, Any]) -> None:
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.execute(self._update, {"row_id": row_id, **values})
                return
            except DBAPIError as exc:
                self._discard()
                if attempt == 2 or not exc.connection_invalidated:
                    raise

    def _discard(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.invalidate()  # never back into the pool with synchronous_commit off
            conn.close()

    def close(self) -> None:
        """Give the connection back to the pool as the pool lent it."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if self.engine.dialect.name == "postgresql":
                conn.exec_driver_sql("RESET synchronous_commit")
        except DBAPIError:
            conn.invalidate()
        finally:
            conn.close()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def requeue(session: Session, ids: list[int] | None, now: dt.datetime) -> int:
    """Put failed (or the given) rows back to pending for another round of attempts."""
    query = update(Notification).values(
        status=PENDING, attempts=0, next_attempt_at=now, last_error=None
    )
    if ids is None:
        query = query.where(Notification.status.in_((FAILED, UNDELIVERABLE)))
    else:
        query = query.where(Notification.id.in_(ids), Notification.status != SENDING)
    return session.execute(query).rowcount or 0  # type: ignore[attr-defined]


def count_due(session: Session, now: dt.datetime, exclude_kinds: tuple[str, ...] = ()) -> int:
    """Pending rows whose next attempt has come (other than of `exclude_kinds`)."""
    query = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.status == PENDING)
        .where(or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now))
    )
    if exclude_kinds:
        query = query.where(Notification.kind.not_in(exclude_kinds))
    return session.scalar(query) or 0
