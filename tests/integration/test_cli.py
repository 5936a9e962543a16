"""The command line, as a user types it (Typer's CliRunner, real files, a real database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from duban.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("DUBAN_DATABASE_URL", raising=False)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args))

    return invoke


def test_extract_prints_json_in_the_export_shape(run, seeds):
    result = run("catalog", "extract", str(seeds / "000_e8ca735cc27cb415.txt"))
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["source"] == "000_e8ca735cc27cb415.txt"
    assert plan["tasks"][0]["units"] == [
        {"name": "市科技局", "role": "lead"},
        {"name": "市市场监管局", "role": "support"},
    ]
    assert {
        "name",
        "value",
        "unit",
        "cmp",
        "kind",
        "baseline",
        "baseline_year",
        "year",
        "owner",
    } <= set(plan["targets"][0])


def test_extract_yaml_is_a_valid_catalog_file(run, seeds, tmp_path):
    from tasks_catalog.files import read_plan

    result = run("catalog", "extract", str(seeds / "004_6a01f5a3f9ff8d89.txt"), "--format", "yaml")
    assert result.exit_code == 0
    path = tmp_path / "draft.yaml"
    path.write_text(result.stdout, encoding="utf-8")
    plan, _ = read_plan(path)
    assert plan.jurisdiction == "chengxiang" and len(plan.tasks) == 12


def test_extract_bad_input_exits_2_with_a_message(run, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = run("catalog", "extract", str(empty))
    assert result.exit_code == 2 and "empty" in result.output
    missing = run("catalog", "extract", str(tmp_path / "nope.txt"))
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_load_twice_then_export(run):
    first = run("catalog", "load")
    assert first.exit_code == 0, first.output
    assert "catalog updated" in first.output
    second = run("catalog", "load")
    assert "nothing changed" in second.output
    exported = json.loads(run("catalog", "export", "--format", "json").stdout)
    assert len(exported["plans"]) == 5
    shown = run("catalog", "show", "--plan", "zhoushan-standards-2023")
    assert shown.exit_code == 0 and "市科技局" in shown.output


def test_load_refuses_a_catalog_with_problems_and_writes_nothing(run, tmp_path):
    from tasks_catalog.paths import DATA_DIR

    bad = tmp_path / "catalog"
    bad.mkdir()
    for f in DATA_DIR.glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        if f.name != "units.yaml":
            text = text.replace("name: 市科技局", "name: 市科技委")
        (bad / f.name).write_text(text, encoding="utf-8")
    result = run("catalog", "load", "--dir", str(bad))
    assert (
        result.exit_code == 1
        and "市科技委" in result.output
        and "nothing was loaded" in result.output
    )
    assert not (tmp_path / "var" / "duban.db").exists()
    assert run("catalog", "check", "--dir", str(bad)).exit_code == 1


def test_units_list_json_has_stable_ids(run):
    result = run("units", "list", "--format", "json")
    units = json.loads(result.stdout)
    amr = next(u for u in units if u["name"] == "市市场监管局" and u["jurisdiction"] == "zhoushan")
    assert amr == {
        "id": "zs-amr",
        "name": "市市场监管局",
        "jurisdiction": "zhoushan",
        "kind": "department",
        "aliases": amr["aliases"],
    }
    assert {u["jurisdiction"] for u in units} == {"zhoushan", "jiaxing", "zhejiang", "chengxiang"}


def test_every_command_is_documented_in_the_readme():
    import typer.main

    readme = README.read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    missing = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        for full in [f"{name} {sub}" for sub in subcommands] if subcommands else [name]:
            if f"duban {full}" not in readme:
                missing.append(full)
    assert not missing, f"README does not document: {missing}"
