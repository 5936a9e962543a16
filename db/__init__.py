"""Database: SQLAlchemy 2 models, the engine and session factory, Alembic migrations."""

from db.engine import make_engine, session_factory, upgrade

__all__ = ["make_engine", "session_factory", "upgrade"]
