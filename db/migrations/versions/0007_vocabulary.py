"""statuses, roles and kinds from one vocabulary, checked by the database

Every status, role and kind column accepts only its vocabulary's values (`vocab.words`), and no
value has a space any more: target statuses and flag kinds written `on track`, `seriously
behind`, `no data`, `forecast miss` become `on_track`, `seriously_behind`, `no_data`,
`forecast_miss`, in the flags and in the stored assessments' figures alike.

The value lists are written out here, as they were when this migration was made: a later change
of the vocabulary comes with a migration of its own.

Revision ID: 0007_vocabulary
Revises: 0006_task_deadline
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007_vocabulary"
down_revision = "0006_task_deadline"
branch_labels = None
depends_on = None

RENAMED = {
    "on track": "on_track",
    "seriously behind": "seriously_behind",
    "no data": "no_data",
    "forecast miss": "forecast_miss",
}
CHECKS: dict[str, dict[str, tuple[str, ...]]] = {
    "unit": {"kind": ("department", "government", "party", "agency", "office", "collective")},
    "assignment": {"role": ("lead", "support")},
    "target": {"cmp": (">=", "<=", "=", ">", "≈"), "kind": ("increment", "cumulative", "level")},
    "request": {"status": ("pending", "submitted", "late", "waived")},
    "request_event": {"status": ("pending", "submitted", "late", "waived")},
    "submission": {"channel": ("excel", "web", "cli")},
    "progress_row": {"status": ("已完成", "推进中", "未启动", "受阻")},
    "flag": {
        "subject": ("request", "target", "task"),
        "kind": (
            "missing",
            "late",
            "behind",
            "seriously_behind",
            "no_data",
            "forecast_miss",
            "blocked",
            "copied",
        ),
        "severity": ("high", "medium", "low"),
    },
    "tick_run": {"status": ("running", "ok", "failed", "skipped")},
    "notification": {
        "status": ("pending", "sending", "sent", "failed", "undeliverable", "cancelled"),
        "kind": (
            "request",
            "reminder",
            "final",
            "overdue",
            "escalation",
            "invite",
            "receipt",
            "report",
            "admin",
            "test",
        ),
    },
}


def _in(column: str, values: tuple[str, ...]) -> str:
    allowed = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"{column} IN ({allowed})"


def upgrade() -> None:
    conn = op.get_bind()
    for old, new in RENAMED.items():
        conn.execute(
            sa.text("UPDATE flag SET kind = :new WHERE kind = :old"), {"old": old, "new": new}
        )
    rows = conn.execute(sa.text("SELECT id, figures FROM assessment")).all()
    for row_id, figures in rows:
        data = json.loads(figures) if isinstance(figures, str) else figures
        changed = False
        for target in data.get("targets", []):
            if target.get("status") in RENAMED:
                target["status"], changed = RENAMED[target["status"]], True
        if changed:
            conn.execute(
                sa.text("UPDATE assessment SET figures = :f WHERE id = :id"),
                {"f": json.dumps(data, ensure_ascii=False), "id": row_id},
            )
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for column, values in columns.items():
                batch.create_check_constraint(f"{column}_values", _in(column, values))


def downgrade() -> None:
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_constraint(f"{column}_values", type_="check")
    conn = op.get_bind()
    for old, new in RENAMED.items():
        conn.execute(
            sa.text("UPDATE flag SET kind = :old WHERE kind = :new"), {"old": old, "new": new}
        )
