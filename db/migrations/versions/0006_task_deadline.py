"""a task's deadline as written and its due date

The catalog now records when each task is due (2024年底前 → 2024-12-31; 长期坚持 → no date), so
reminders and lights can work per task, not only per reporting period.

Revision ID: 0006_task_deadline
Revises: 0005
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_task_deadline"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("due_date", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("due_date")
        batch_op.drop_column("deadline")
