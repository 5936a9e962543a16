"""办结 and 退回 (issue 19): the office answers a unit's 已完成; both audited, the unit told, the
light follows; a returned task stays open until the unit reports 已完成 again."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from db.models import AuditLog, TaskClosure
from duban.cli import app
from reporting.closure import ClosureRefused, decide
from reporting.task_board import task_states
from vocab.words import ClosureAction

from ..conftest import at, fill_template
from .test_intake import opened, submit, template

D = dt.date
PLAN = "zhoushan-standards-2023"


AS_OF = D(2025, 10, 20)


def first_task(runtime):
    with runtime.sessions() as session:
        return task_states(session, runtime.calendar, AS_OF, PLAN, "zs-amr")[0]


def report(runtime, tmp_path, request, status, day, name):
    path = tmp_path / name
    path.write_bytes(
        fill_template(
            template(runtime, request), status=status, text=f"{status}：{day}已印发实施方案"
        )
    )
    submit(runtime, path, at(day))


def test_return_then_report_again_then_close(runtime, tmp_path):
    amr = opened(runtime)["zs-amr"]
    ref = first_task(runtime).ref
    with runtime.sessions.begin() as session, pytest.raises(ClosureRefused, match="尚未报“已完成”"):
        decide(
            session, PLAN, ref, "zs-amr", ClosureAction.CLOSED, actor="bgs", now=at(D(2025, 10, 9))
        )
    report(runtime, tmp_path, amr, "已完成", D(2025, 10, 9), "done.xlsx")
    assert first_task(runtime).light_word == "绿"  # 自报已完成，待办公室确认办结
    with runtime.sessions.begin() as session:
        with pytest.raises(ClosureRefused, match="退回须写明原因"):
            decide(
                session,
                PLAN,
                ref,
                "zs-amr",
                ClosureAction.RETURNED,
                actor="bgs",
                now=at(D(2025, 10, 10)),
            )
        decide(session, PLAN, ref, "zs-amr", ClosureAction.RETURNED, actor="bgs", now=at(D(2025, 10, 10)),
               reason="佐证材料不足")  # fmt: skip
    back = first_task(runtime)
    assert back.reason.startswith("已退回（佐证材料不足）；") and back.light_word in (
        "绿",
        "黄",
        "红",
    )
    with runtime.sessions.begin() as session, pytest.raises(ClosureRefused):
        decide(
            session, PLAN, ref, "zs-amr", ClosureAction.CLOSED, actor="bgs", now=at(D(2025, 10, 11))
        )
    report(runtime, tmp_path, amr, "已完成", D(2025, 10, 13), "again.xlsx")  # reported again
    with runtime.sessions.begin() as session:
        decide(
            session, PLAN, ref, "zs-amr", ClosureAction.CLOSED, actor="bgs", now=at(D(2025, 10, 14))
        )
    closed = first_task(runtime)
    assert (closed.light_word, closed.reason) == ("办结", "已办结")
    with runtime.sessions() as session:
        actions = [a.action for a in session.scalars(select(AuditLog).order_by(AuditLog.id))]
        kept = session.scalars(select(TaskClosure).order_by(TaskClosure.id)).all()
    assert actions == ["task-returned", "task-closed"]
    assert [k.action for k in kept] == ["returned", "closed"] and kept[1].account.startswith(
        "已完成："
    )
    with (
        runtime.sessions.begin() as session,
        pytest.raises(ClosureRefused, match="已于 2025-10-14 办结"),
    ):
        decide(session, PLAN, ref, "zs-amr", ClosureAction.RETURNED, actor="bgs", now=at(D(2025, 10, 15)),
               reason="再议")  # fmt: skip


def test_the_office_closes_and_returns_from_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("DUBAN_DATABASE_URL", raising=False)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, list(args))

    assert run("catalog", "load").exit_code == 0
    assert run("tick", "--as-of", "2025-09-24").exit_code == 0  # the dispatch writes the templates
    blank = next((tmp_path / "var" / "templates").rglob("2025Q3-zs-amr-*.xlsx"))
    partial = tmp_path / "partial.xlsx"
    wb = load_workbook(blank)
    wb["任务进展"]["H2"], wb["任务进展"]["I2"] = "已完成", "已印发实施方案"
    wb.save(partial)
    result = run("submit", str(partial))
    assert result.exit_code == 0 and "已暂存" in result.stdout and "任务进展!H3" in result.stdout
    full = tmp_path / "full.xlsx"
    full.write_bytes(fill_template(blank, status="已完成"))
    assert "已记录为 2025Q3-zs-amr" in run("submit", str(full)).stdout
    rows = json.loads(run("tasks", "--unit", "zs-amr", "--format", "json").stdout)
    reported = next(r for r in rows if r["status"] == "已完成")  # the template's plan
    ref, plan = reported["ref"], reported["plan"]
    refused = run("tasks", "return", ref, "--plan", plan, "--unit", "zs-amr", "--reason", " ")
    assert refused.exit_code == 1 and "退回须写明原因" in refused.output
    done = run("tasks", "close", ref, "--plan", plan, "--unit", "zs-amr", "--by", "bgs")
    assert done.exit_code == 0 and "已办结" in done.stdout
    rows = json.loads(run("tasks", "--unit", "zs-amr", "--format", "json").stdout)
    assert next(r for r in rows if (r["ref"], r["plan"]) == (ref, plan))["light_word"] == "办结"
    unknown = run("tasks", "close", "九(九)9", "--plan", plan, "--unit", "zs-amr")
    assert unknown.exit_code == 1 and "没有任务 九(九)9" in unknown.output
