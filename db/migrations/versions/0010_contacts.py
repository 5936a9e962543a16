"""the contact directory: a unit's liaison, leader and robots; the office's contact and phone

Contacts become office data (`duban contacts import`, /office/contacts) instead of lines of an
Apprise file written by IT; delivery builds channels from them.

Revision ID: 0010_contacts
Revises: 0009_unit_order
Create Date: 2026-12-02 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_contacts"
down_revision = "0009_unit_order"
branch_labels = None
depends_on = None

PEOPLE = ("liaison", "leader")


def upgrade() -> None:
    people = []
    for who in PEOPLE:
        people += [
            sa.Column(f"{who}_name", sa.String(100), nullable=True),
            sa.Column(f"{who}_mobile", sa.String(30), nullable=True),
            sa.Column(f"{who}_email", sa.String(200), nullable=True),
            sa.Column(f"{who}_userid", sa.String(100), nullable=True),
        ]
    op.create_table(
        "unit_contact",
        sa.Column("unit_id", sa.String(64), nullable=False),
        *people,
        sa.Column("robot_token", sa.String(200), nullable=True),
        sa.Column("robot_secret", sa.String(200), nullable=True),
        sa.Column("wecom_key", sa.String(200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_unit_contact_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_unit_contact")),
    )
    op.create_table(
        "office_contact",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("person", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(50), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_office_contact_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_contact")),
    )


def downgrade() -> None:
    op.drop_table("office_contact")
    op.drop_table("unit_contact")
