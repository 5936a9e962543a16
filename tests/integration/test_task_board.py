"""`duban tasks`: each unit's part of each task with its 完成时限, reported status and light."""

from __future__ import annotations

import datetime as dt
import json

from typer.testing import CliRunner

from db.models import Task
from duban.cli import app
from reporting.task_board import task_states

from ..conftest import fill_template
from .test_intake import opened, submit, template

D = dt.date


def test_each_task_has_its_unit_deadline_status_and_light(runtime, tmp_path):
    amr = opened(runtime)["zs-amr"]
    with runtime.sessions.begin() as session:
        states = task_states(session, runtime.calendar, D(2025, 10, 9), unit_id="zs-amr")
        first = session.get(Task, states[0].task_id)
        first.due_date = D(2025, 10, 17)  # 6 working days after 10-09 (10-11 is a 调休 Saturday)
    with runtime.sessions() as session:
        states = task_states(session, runtime.calendar, D(2025, 10, 9), unit_id="zs-amr")
    assert {s.unit_id for s in states} == {"zs-amr"} and all(s.status == "" for s in states)
    near = states[0]
    assert (near.light_word, near.due_on) == ("黄", "2025-10-17")
    assert near.reason.startswith("距完成时限还有 ")
    with runtime.sessions() as session:
        late = task_states(session, runtime.calendar, D(2025, 10, 20), unit_id="zs-amr")[0]
    assert late.light_word == "红" and late.reason == "已超过完成时限 1 个工作日"
    path = tmp_path / "amr.xlsx"
    path.write_bytes(fill_template(template(runtime, amr), status="已完成"))
    submit(runtime, path, dt.datetime(2025, 10, 9, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    with runtime.sessions() as session:
        done = task_states(session, runtime.calendar, D(2025, 10, 20), unit_id="zs-amr")[0]
    assert (done.status, done.light_word) == ("已完成", "绿")
    assert done.reason == "自报已完成，待办公室确认办结"


def test_duban_tasks_lists_json_and_a_table(tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("DUBAN_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["catalog", "load"]).exit_code == 0
    result = runner.invoke(
        app, ["tasks", "--unit", "zs-amr", "--as-of", "2025-10-09", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and {r["unit"] for r in rows} == {"市市场监管局"}
    assert {"plan", "ref", "due_on", "status", "light", "light_word", "reason"} <= set(rows[0])
    assert {r["light_word"] for r in rows} <= {"绿", "黄", "红", "办结"}
    table = runner.invoke(app, ["tasks", "--plan", rows[0]["plan"], "--as-of", "2025-10-09"])
    assert table.exit_code == 0 and "任务 tasks — 2025-10-09" in table.stdout
    missing = runner.invoke(app, ["tasks", "--unit", "no-such-unit"])
    assert missing.exit_code == 1 and "没有找到任务" in missing.output
    bad_day = runner.invoke(app, ["tasks", "--as-of", "2025-13-01"])
    assert bad_day.exit_code != 0
