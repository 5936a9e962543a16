"""The dispatcher's claim on outbox rows: taken a few at a time up to the run's limit, the
lease renewed while it works, rows lost to another dispatcher skipped, and rows it did not get
to released without counting an attempt."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Notification
from notifications import outbox

log = logging.getLogger(__name__)


class Claims:
    """The rows one dispatch run claims, handed out one at a time with the session they were
    read in (each compose is its own short read transaction in it).

    Rows are claimed `batch` at a time, never more than `limit` in all. The lease of the rows
    not yet sent is renewed once a third of it has passed, and a row whose lease lapsed and was
    taken back by another dispatcher is not handed out here: so a slow batch is never sent
    twice. Rows left when the run stops early go back to pending, their attempt not counted.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        now: Callable[[], dt.datetime],
        worker: str,
        *,
        batch: int,
        limit: int | None,
        lease: dt.timedelta,
        may_send: Callable[[dt.datetime], bool] | None = None,
    ):
        self.sessions, self.now, self.worker = sessions, now, worker
        self.batch, self.limit, self.lease, self.may_send = batch, limit, lease, may_send
        self.handed = 0
        self._rows: list[Notification] = []
        self._reader: Session | None = None
        self._renewed: dt.datetime | None = None
        self._done = False

    def next(self) -> tuple[Session, Notification] | None:
        if not self._rows and not self._done:
            self._claim()
        if self._rows and self.now() - (self._renewed or self.now()) > self.lease / 3:
            self._renew()
        if not self._rows:
            return None
        self.handed += 1
        assert self._reader is not None
        return self._reader, self._rows.pop(0)

    def _claim(self) -> None:
        wanted = self.batch if self.limit is None else min(self.batch, self.limit - self.handed)
        if wanted <= 0:
            self._done = True
            return
        now = self.now()
        kinds = None if self.may_send is None or self.may_send(now) else ("admin",)
        with self.sessions.begin() as session:
            ids = outbox.claim(session, now, self.worker, wanted, kinds)
        if not ids:
            self._done = True
            return
        self._renewed = now
        self.close()
        self._reader = self.sessions(expire_on_commit=False)
        self._rows = list(
            self._reader.scalars(
                select(Notification).where(Notification.id.in_(ids)).order_by(Notification.id)
            )
        )
        self._reader.commit()

    def _renew(self) -> None:
        now = self.now()
        with self.sessions.begin() as session:
            ours = outbox.renew(session, [r.id for r in self._rows], self.worker, now)
        lost = [r.id for r in self._rows if r.id not in ours]
        if lost:
            log.warning("lease of outbox rows %s lapsed and another dispatcher took them", lost)
        self._rows = [r for r in self._rows if r.id in ours]
        self._renewed = now

    def release(self) -> int:
        """Give back the rows claimed and not handed out; stop claiming."""
        self._done = True
        ids, self._rows = [r.id for r in self._rows], []
        if not ids:
            return 0
        with self.sessions.begin() as session:
            return outbox.release(session, ids, self.worker)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
