"""indexes on the history's foreign keys

The assessment reads a period's progress rows and indicator values by submission, flags by
period, events by request; without these indexes each of those reads scanned the whole table
(a province's 8 quarters are 230,000 progress rows; measured in bench/). PostgreSQL does not
index a foreign key by itself; SQLite neither.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 08:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = (
    ("request_event", "request_id"),
    ("progress_row", "submission_id"),
    ("indicator_value", "submission_id"),
    ("flag", "period_id"),
)


def upgrade() -> None:
    for table, column in INDEXES:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def downgrade() -> None:
    for table, column in reversed(INDEXES):
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
