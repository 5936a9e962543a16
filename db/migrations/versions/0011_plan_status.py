"""a plan's status: draft (草稿), published (已发布), ended (已结束)

An office imports a document as a draft and publishes it once `catalog check` finds nothing
wrong; only published plans get periods and requests. Plans loaded before this revision were
sent to units already, so they are published.

Revision ID: 0011_plan_status
Revises: 0010_contacts
Create Date: 2026-12-02 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_plan_status"
down_revision = "0010_contacts"
branch_labels = None
depends_on = None

STATUSES = ("draft", "published", "ended")  # as vocab.words.PlanStatus was at this revision


def upgrade() -> None:
    allowed = ", ".join(f"'{s}'" for s in STATUSES)
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(20), nullable=False, server_default="published")
        )
        batch_op.create_check_constraint("status_values", f"status IN ({allowed})")


def downgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_constraint("status_values", type_="check")
        batch_op.drop_column("status")
