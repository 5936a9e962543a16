"""a unit's official listing order

Reports, 通报 and the yearly 考核 list units in the order the office lists them (party organs,
the government's office, departments in the conventional order, county governments), never
by internal id: `unit.order`, loaded from units.yaml. Existing units get 99999 (after every
ordered unit) until the next catalog load sets their order.

Revision ID: 0009_unit_order
Revises: 0008_office_sessions
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_unit_order"
down_revision = "0007_vocabulary"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("order", sa.Integer(), nullable=False, server_default="99999")
        )


def downgrade() -> None:
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_column("order")
