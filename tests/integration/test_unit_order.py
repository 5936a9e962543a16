"""Units in the office's official order: party organs, the government's office, departments in
the conventional order, county governments (units.yaml's `order`), loaded into the database
and followed by the assessment, never the internal id."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from db import make_engine, upgrade
from db.engine import alembic_config
from db.models import Period, Plan, Unit
from reporting.assess import assess_period
from reporting.yearly import score_year
from reporting.yearly_input import year_input
from tasks_catalog.directory import UNORDERED, Directory

from ..conftest import at


def test_every_unit_of_the_directory_has_its_official_order() -> None:
    directory = Directory.load()
    assert all(u.order != UNORDERED for u in directory.units.values())
    names = [u.name for u in directory.listed(directory.in_jurisdiction("zhoushan"))]
    assert names[:5] == ["市委办", "市委组织部", "市委宣传部", "市委政法委", "市府办"]
    assert names.index("市发改委") < names.index("市科技局") < names.index("市市场监管局")
    assert names.index("市市场监管局") < names.index("定海区政府") < names.index("嵊泗县政府")
    assert names[-3:] == ["各县（区）政府", "市级部门按职责分工负责", "功能区管委会"]


def test_a_unit_without_order_comes_last_and_a_bad_order_names_its_unit(tmp_path: Path) -> None:
    path = tmp_path / "units.yaml"
    path.write_text(
        "jurisdictions:\n- code: x\n  name: 某市\n  units:\n"
        "  - {id: a, name: 市甲局, kind: department}\n"
        "  - {id: b, name: 市乙局, kind: department, order: 20}\n",
        encoding="utf-8",
    )
    directory = Directory.load(path)
    assert [u.id for u in directory.listed(directory.in_jurisdiction("x"))] == ["b", "a"]
    path.write_text(
        path.read_text(encoding="utf-8").replace("order: 20", "order: 二十"), encoding="utf-8"
    )
    with pytest.raises(ValueError, match="unit b: order must be a whole number"):
        Directory.load(path)


def test_the_loader_stores_the_order_and_the_assessment_lists_units_by_it(runtime) -> None:
    from reporting.opening import ensure_periods, open_periods

    day = dt.date(2025, 9, 24)
    with runtime.sessions.begin() as session:
        assert session.scalar(select(Unit.order).where(Unit.id == "zs-pcgo")) == 110
        plan = session.scalars(select(Plan)).one()
        ensure_periods(session, plan, runtime.calendar)
        open_periods(session, day, at(day), runtime.calendar, runtime.var_dir)
    with runtime.sessions() as session:
        q3 = session.scalars(select(Period).where(Period.label == "2025Q3")).one()
        result = assess_period(session, q3, dt.date(2025, 10, 21))
    orders = [u.order for u in result.units]
    assert orders == sorted(orders) and UNORDERED not in orders
    assert result.units[0].unit_name == "市委办" and result.units[-1].unit_name == "嵊泗县政府"
    assert [t.unit_order for t in result.tasks] == sorted(t.unit_order for t in result.tasks)
    assert result.rates[-1].label == "2025Q3" and result.rates[-1].requested == len(result.units)
    scores = score_year(year_input([result], 2025)).scores  # nobody reported: all rank 1 at 0
    assert {s.score for s in scores} == {0} and [s.order for s in scores] == orders


def test_the_migration_adds_and_removes_the_order_column(tmp_path: Path) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from db.models import Base

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    assert "order" in {c["name"] for c in inspect(engine).get_columns("unit")}
    with engine.connect() as conn:  # the migrations make exactly the models
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    command.downgrade(alembic_config(engine), "0007_vocabulary")  # 0009's down_revision
    assert "order" not in {c["name"] for c in inspect(engine).get_columns("unit")}
    engine.dispose()
