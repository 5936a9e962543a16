"""The 通讯录's robot secrets stored sealed: room for the sealed form.

Revision ID: 0015_sealed_contact_secrets
Revises: 0014_extension_requests

Values written before are read as they are and sealed at their next write (`db.sealed`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_sealed_contact_secrets"
down_revision = "0014_extension_requests"
branch_labels = None
depends_on = None

COLUMNS = ("robot_token", "robot_secret", "wecom_key")


def upgrade() -> None:
    with op.batch_alter_table("unit_contact") as batch:
        for column in COLUMNS:
            batch.alter_column(column, type_=sa.String(400), existing_type=sa.String(200))


def downgrade() -> None:
    with op.batch_alter_table("unit_contact") as batch:
        for column in COLUMNS:
            batch.alter_column(column, type_=sa.String(200), existing_type=sa.String(400))
