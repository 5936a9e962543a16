"""Wire the app: every entry point (CLI, flows, tests) gets its sessions from here."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from db import make_engine, session_factory, upgrade
from duban.settings import Settings


def open_database(settings: Settings) -> sessionmaker[Session]:
    """Return a session factory on the configured database, its schema upgraded to head."""
    engine = make_engine(settings.db_url())
    upgrade(engine)
    return session_factory(engine)
