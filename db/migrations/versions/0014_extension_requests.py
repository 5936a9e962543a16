"""a unit's 延期申请

- extension_request: a unit asks for more time (reason, proposed date) from its page; the office
  approves (the request's deadline moves) or refuses it with a reason.

Revision ID: 0014_extension_requests
Revises: 0013_office_sessions
Create Date: 2026-12-02 07:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_extension_requests"
down_revision = "0013_office_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "extension_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("current_due", sa.Date(), nullable=False),
        sa.Column("proposed_due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(80), nullable=True),
        sa.Column("granted_due", sa.Date(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'refused')",
            name=op.f("ck_extension_request_status_values"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["request.id"],
            name=op.f("fk_extension_request_request_id_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_extension_request_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extension_request")),
    )
    op.create_index(op.f("ix_extension_request_request_id"), "extension_request", ["request_id"])
    op.create_index(op.f("ix_extension_request_status"), "extension_request", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_extension_request_status"), table_name="extension_request")
    op.drop_index(op.f("ix_extension_request_request_id"), table_name="extension_request")
    op.drop_table("extension_request")
