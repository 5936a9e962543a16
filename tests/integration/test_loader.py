"""Loading the catalog into the database: idempotent, updates in place, retires what was removed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from db.models import Assignment, Plan, Target, Task, Unit
from tasks_catalog.check import check_catalog
from tasks_catalog.directory import Directory
from tasks_catalog.loader import export_catalog, load_catalog

from ..conftest import NOW


def load(sessions, plans, when=NOW):
    with sessions.begin() as session:
        return load_catalog(session, plans, Directory.load(), when)


def test_a_second_load_changes_nothing(sessions):
    plans, problems = check_catalog()
    assert not problems
    first = load(sessions, plans)
    assert first.counts["plans created"] == 5 and first.counts["tasks created"] == 110
    second = load(sessions, plans)
    assert not second.changed
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Task)) == 110
        assert session.scalar(select(func.count()).select_from(Unit)) == len(Directory.load().units)


def test_an_edited_file_updates_in_place_and_a_removed_task_is_retired(sessions):
    plans, _ = check_catalog()
    load(sessions, plans)
    plan = next(p for p in plans if p.slug == "zhoushan-standards-2023")
    with sessions() as session:
        task_id = session.scalar(
            select(Task.id).where(Task.ref == "二(一)1", Task.plan.has(Plan.slug == plan.slug))
        )
    edited = plan.model_copy(deep=True)
    edited.tasks[0].title = "推动标准化与科技创新互动发展（修订）"
    edited.tasks[0].units.reverse()
    edited.tasks[0].units[0].role, edited.tasks[0].units[1].role = "lead", "support"
    removed = edited.tasks.pop()
    edited.targets[0].value = edited.targets[0].value + 1
    later = NOW + dt.timedelta(days=1)
    report = load(sessions, [edited], later)
    assert report.counts["tasks updated"] == 1 and report.counts["tasks retired"] == 1
    assert report.counts["targets updated"] == 1
    with sessions() as session:
        task = session.get(Task, task_id)
        assert task.title.endswith("（修订）")  # same row, updated in place
        roles = {
            a.unit.name: a.role
            for a in session.scalars(select(Assignment).where(Assignment.task_id == task_id))
        }
        assert roles == {"市市场监管局": "lead", "市科技局": "support"}
        gone = session.scalar(
            select(Task).where(Task.ref == removed.ref, Task.plan.has(Plan.slug == plan.slug))
        )
        assert gone is not None and gone.retired_at is not None  # kept, not deleted
        exported = export_catalog(session, plan.slug)["plans"][0]
        assert removed.ref not in [t["ref"] for t in exported["tasks"]]
    # putting it back revives the same row
    load(sessions, [plan], later + dt.timedelta(days=1))
    with sessions() as session:
        assert session.scalar(select(Task.retired_at).where(Task.id == gone.id)) is None


def test_export_has_the_documented_shape(sessions):
    plans, _ = check_catalog()
    load(sessions, plans)
    with sessions() as session:
        data = export_catalog(session)
    plan = next(p for p in data["plans"] if p["source"] == "000_e8ca735cc27cb415.txt")
    assert plan["slug"] == "zhoushan-standards-2023" and plan["title"]
    task = plan["tasks"][0]
    assert task["ref"] == "二(一)1"
    assert [{"name": u["name"], "role": u["role"]} for u in task["units"]] == [
        {"name": "市科技局", "role": "lead"},
        {"name": "市市场监管局", "role": "support"},
    ]
    target = next(t for t in plan["targets"] if t["name"] == "新增主导或参与制修订国家标准")
    assert {
        k: target[k]
        for k in ("value", "unit", "cmp", "kind", "baseline", "baseline_year", "year", "owner")
    } == {
        "value": 50,
        "unit": "项",
        "cmp": ">=",
        "kind": "increment",
        "baseline": None,
        "baseline_year": None,
        "year": 2025,
        "owner": "市市场监管局",
    }
    with sessions() as session:
        decimal_target = session.scalar(select(Target).where(Target.name == "国内有效商标注册数"))
        assert float(decimal_target.baseline) == 1.23


def test_the_bulk_loader_does_exactly_what_the_per_row_baseline_does(sessions):
    """bench's baseline (one ORM object per row) and the bulk loader each find the other's work
    complete, on a first load and after an edit that updates, retires and adds rows."""
    from bench.baselines import load_catalog_per_row
    from bench.synthetic import generate

    directory, plans = generate("city")
    with sessions.begin() as session:
        first = load_catalog_per_row(session, plans, directory, NOW)
    with sessions.begin() as session:
        assert not load_catalog(session, plans, directory, NOW).changed
        before = export_catalog(session)
    assert first.counts["assignments created"] == 200 and first.counts["units created"] == 40

    edited = plans[0].model_copy(deep=True)
    edited.tasks[0].title += "（修订）"
    shared = next(t for t in edited.tasks[1:] if len(t.units) >= 2)
    shared.units.reverse()
    shared.units[0].role, shared.units[-1].role = "lead", "support"
    edited.tasks.pop()
    edited.tasks.append(edited.tasks[2].model_copy(update={"ref": "9(9)"}))
    edited.targets[0].value += 1
    edited.targets.pop()
    later = NOW + dt.timedelta(days=1)
    with sessions.begin() as session:
        report = load_catalog(session, [edited], directory, later)
    assert report.counts["tasks updated"] == 1 and report.counts["tasks retired"] == 1
    assert report.counts["tasks created"] == 1 and report.counts["targets retired"] == 1
    assert report.counts["assignments updated"] >= 2
    with sessions.begin() as session:
        assert not load_catalog_per_row(session, [edited], directory, later).changed
        after = export_catalog(session)["plans"][0]
    assert after != before["plans"][0]
    assert [t["title"] for t in after["tasks"]] == [t.title for t in edited.tasks]
    assert [[u["role"] for u in t["units"]] for t in after["tasks"]] == [
        [u.role for u in t.units] for t in edited.tasks
    ]
    assert [t["code"] for t in after["targets"]] == [t.code for t in edited.targets]


def test_the_synced_columns_are_the_ones_the_values_name():
    from tasks_catalog import loader, schema

    directory = Directory.load()
    unit = next(iter(directory.units.values()))
    task = schema.Task(ref="1", title="任务", units=[schema.UnitRef(name="市科技局", role="lead")])
    target = schema.Target(
        code="T1", name="指标", value=1, unit="项", cmp=">=", kind="increment", year=2025
    )
    assert tuple(loader.unit_values(directory, unit)) == loader.UNIT_FIELDS
    assert tuple(loader.task_values(0, task)) == loader.TASK_FIELDS
    assert tuple(loader.assignment_values(0, task.units[0])) == loader.ASSIGNMENT_FIELDS
    assert tuple(loader.target_values(0, target, unit.id)) == loader.TARGET_FIELDS


def test_opening_finds_the_same_units_as_the_work_it_sends(sessions):
    """`units_with_work` (column queries, used when opening) agrees with `work_by_unit` (the
    objects a request's template and reminders list) on every seed plan, collectives included."""
    from reporting.work import units_with_work, work_by_unit

    plans, _ = check_catalog()
    load(sessions, plans)
    with sessions() as session:
        for plan in session.scalars(select(Plan)):
            assert units_with_work(session, plan) == sorted(work_by_unit(session, plan)), plan.slug


def test_work_by_unit_from_columns_matches_the_object_version(sessions):
    """`work_by_unit` (column queries) gives every unit the same tasks, roles, order and targets
    as the ORM version it replaced (`bench.baselines.work_by_unit_orm`), collectives included."""
    from bench.baselines import work_by_unit_orm
    from reporting.work import goal_text, work_by_unit

    plans, _ = check_catalog()
    load(sessions, plans)
    with sessions() as session:
        for plan in session.scalars(select(Plan)):
            new, old = work_by_unit(session, plan), work_by_unit_orm(session, plan)
            assert sorted(new) == sorted(old), plan.slug
            assert any(w.tasks for w in new.values()), plan.slug
            for unit_id, work in old.items():
                got = new[unit_id]
                assert [(t.id, t.ref, t.title, role) for t, role in got.tasks] == [
                    (t.id, t.ref, t.title, role) for t, role in work.tasks
                ], (plan.slug, unit_id)
                assert [(t.id, t.name, t.measure, goal_text(t)) for t in got.targets] == [
                    (t.id, t.name, t.measure, goal_text(t)) for t in work.targets
                ], (plan.slug, unit_id)


def test_work_of_several_plans_read_at_once_is_each_plans_work(sessions):
    """`work_by_plans` (the assessment reads a batch of plans at once) gives each plan the
    work `work_by_unit` gives it alone, collectives included."""
    from reporting.work import work_by_plans, work_by_unit

    plans, _ = check_catalog()
    load(sessions, plans)
    with sessions() as session:
        loaded = list(session.scalars(select(Plan)))
        together = work_by_plans(session, [p.id for p in loaded])
        assert len(together) == len(loaded) > 1
        for plan in loaded:
            assert together[plan.id] == work_by_unit(session, plan), plan.slug


def test_one_units_work_read_alone_is_its_share_of_the_plans_work(sessions):
    """`unit_work` (a template or a form reads one unit's work, not its whole plan's) equals
    that unit's entry of `work_by_unit`, for every unit of every seed plan, collectives
    included (a member of 各县（区）政府 gets the collective's tasks)."""
    from reporting.work import UnitWork, unit_work, work_by_unit

    plans, _ = check_catalog()
    load(sessions, plans)
    with sessions() as session:
        for plan in session.scalars(select(Plan)):
            whole = work_by_unit(session, plan)
            for unit_id, work in whole.items():
                alone = unit_work(session, plan.id, unit_id)
                assert (alone.tasks, alone.targets) == (work.tasks, work.targets), unit_id
            assert unit_work(session, plan.id, "no-such-unit") == UnitWork()
