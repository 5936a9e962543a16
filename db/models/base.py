"""The declarative base: naming conventions, JSON types, and CHECK constraints from the
shared vocabulary."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, CheckConstraint, MetaData, Table
from sqlalchemy.orm import DeclarativeBase

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


def one_of(column: str, values: type[StrEnum]) -> CheckConstraint:
    """CHECK that `column` holds one of the vocabulary's values (named `<column>_values`)."""
    allowed = ", ".join("'" + v.value.replace("'", "''") + "'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_values")


def core_table(model: type[Base]) -> Table:
    """The Core table of a mapped class, typed (``Model.__table__`` is a FromClause to mypy): for
    the bulk inserts and updates that skip the ORM's per-row work."""
    t = model.__table__
    assert isinstance(t, Table)
    return t
