"""Two ticks for the same day at once (two cron lines, a manual run beside the schedule): the
result equals one tick, and neither fails."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter

from sqlalchemy import select

from db.models import Notification, Request, TickRun


def tick_process(runtime, engine, day: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env |= {
        "DUBAN_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "DUBAN_VAR_DIR": str(runtime.var_dir),
    }
    code = "from duban.cli import app; app()"
    return subprocess.Popen([sys.executable, "-c", code, "tick", "--as-of", day, "--no-dispatch"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip


def test_two_ticks_of_one_day_at_once_do_the_days_work_once(runtime, engine):
    first, second = (tick_process(runtime, engine, "2025-09-24") for _ in range(2))
    outputs = [p.communicate(timeout=300)[0] for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    with runtime.sessions() as session:
        units = set(session.scalars(select(Request.unit_id)))
        keys = Counter(session.scalars(select(Notification.key)))
        runs = list(session.scalars(select(TickRun)))
    assert len(units) > 30
    assert sorted(keys) == sorted(f"digest:2025-09-24:{u}" for u in units)  # one each
    assert set(keys.values()) == {1}
    assert [r.status for r in runs] == ["ok"]  # whether the second waited its turn or not
