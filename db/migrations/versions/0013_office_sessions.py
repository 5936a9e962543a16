"""office sessions kept on the server

An office sign-in opens a row in `office_session` (the SHA-256 of the cookie's random token,
who, from where, until when); logout revokes it, so a copied cookie stops working.

Revision ID: 0013_office_sessions
Revises: 0012_submission_fields
Create Date: 2026-12-02 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_office_sessions"
down_revision = "0012_submission_fields"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_office_session_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("office_session")
