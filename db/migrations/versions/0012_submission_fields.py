"""what a submission says beyond status, text and values (issue 19)

- submission.complete: false for a 暂存 (a submission that leaves tasks or targets unanswered;
  it changes no request status and stops no reminder); existing rows are complete.
- submission.filler / phone: 填报人 and 联系电话, given by the unit.
- submission.missing: what the submission left unanswered, as the Chinese lines the unit saw.
- submission.reasons: {target id: 未填原因} for targets reported without a value.
- progress_row.problems / next_steps: 存在问题 and 下步计划.
- indicator_value.note: the unit's 说明 for a value the plausibility checks questioned.
- task_closure: the office's 办结 or 退回 of a unit's part of a task it reported 已完成.

Revision ID: 0012_submission_fields
Revises: 0011_plan_status
Create Date: 2026-12-02 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_submission_fields"
down_revision = "0011_plan_status"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("complete", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column("filler", sa.String(50), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(40), nullable=True))
        batch_op.add_column(sa.Column("missing", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("reasons", sa.JSON(), nullable=True))
    with op.batch_alter_table("progress_row", schema=None) as batch_op:
        batch_op.add_column(sa.Column("problems", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("next_steps", sa.Text(), nullable=True))
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
    op.create_table(
        "task_closure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "action IN ('closed', 'returned')", name=op.f("ck_task_closure_action_values")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_task_closure_task_id_task")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_task_closure_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_closure")),
    )
    op.create_index(op.f("ix_task_closure_task_id"), "task_closure", ["task_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_task_closure_task_id"), table_name="task_closure")
    op.drop_table("task_closure")
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.drop_column("note")
    with op.batch_alter_table("progress_row", schema=None) as batch_op:
        batch_op.drop_column("next_steps")
        batch_op.drop_column("problems")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        for name in ("reasons", "missing", "phone", "filler", "complete"):
            batch_op.drop_column(name)
