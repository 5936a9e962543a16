"""A task turning 黄 or 红 is named in that unit's next digest (issue 19), once, within the
one-message-a-day rule: the digest that goes out anyway carries it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db.models import Notification, Task
from flows import tick
from notifications.render import Signature, render
from reporting.task_board import task_states

from ..conftest import at

D = dt.date


def digests_of(rt, unit_id):
    with rt.sessions() as session:
        rows = session.scalars(
            select(Notification)
            .where(Notification.key.like(f"digest:%:{unit_id}"))
            .order_by(Notification.key)
        )
        return [(r.key, r.payload) for r in rows]


def test_a_task_turning_yellow_is_named_in_the_units_next_digest_only(runtime):
    with runtime.sessions.begin() as session:
        first = task_states(session, runtime.calendar, D(2025, 9, 24), unit_id="zs-amr")[0]
        session.get(Task, first.task_id).due_date = D(2025, 10, 20)
        ref = first.ref
    tick.run_tick(runtime, D(2025, 9, 24), at(D(2025, 9, 24)))  # the period opens: the request
    [(_, opening)] = digests_of(runtime, "zs-amr")
    key = f"{first.plan}:{first.task_id}"
    assert opening["lights"][key] == "green"
    assert ref not in [c["ref"] for c in opening["light_changes"]]
    for day in (D(2025, 9, 25), D(2025, 10, 9), D(2025, 10, 10)):  # 10-10: the first reminder
        tick.run_tick(runtime, day, at(day))
    sent = digests_of(runtime, "zs-amr")
    later = sent[-1][1]
    assert sent[-1][0].startswith("digest:2025-10-10") and later["lights"][key] == "yellow"
    named = [c for c in later["light_changes"] if c["ref"] == ref]
    assert named and named[0]["text"].startswith("由绿转黄：距完成时限还有 ")
    context = {"programme": "标准强市建设", "how_to_submit": "交至领导小组办公室", "audience": "liaison",
               "salutation": "市市场监管局", "items": later["items"], "light_changes": later["light_changes"]}  # fmt: skip
    text = render("reminder", context, Signature("领导小组办公室"), D(2025, 10, 10)).text
    assert "以下任务进度预警" in text and f"{ref} {first.title}：由绿转黄" in text
    # the next digest does not name it again while it stays 黄
    tick.run_tick(runtime, D(2025, 10, 13), at(D(2025, 10, 13)))
    after = digests_of(runtime, "zs-amr")[-1]
    assert after[0].startswith("digest:2025-10-13")
    assert ref not in [c["ref"] for c in after[1]["light_changes"]]
