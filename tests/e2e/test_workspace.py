"""An office sets up its own programme: `duban init`, a corpus document imported as a draft,
corrected through the 任务分工表, published; the tick sends only for the published plan.
Commands run inside the workspace folder with no DUBAN_* variable set."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from db.models import AuditLog, Period, Plan, Request
from duban.cli import app
from duban.settings import Settings
from tasks_catalog.files import read_plan
from tests.integration.test_catalog_sheet import SOFFICE, resave_with_libreoffice
from vocab.words import PlanStatus

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
DOCUMENT = CORPUS / "27_kaifeng_anquan_shengchan_2016_prose_leads.txt"
OTHER = CORPUS / "28_chizhou_sizui_yingshang_2017.txt"


@pytest.fixture
def office(tmp_path, monkeypatch, sessions):
    """Run `duban ARGS` as a user would inside the workspace `tmp_path/office` (once made)."""
    for name in list(__import__("os").environ):
        if name.startswith("DUBAN_") and name != "DUBAN_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)

    def run(*args: str, code: int = 0):
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output + repr(result.exception)
        return result.output

    run.url = url  # type: ignore[attr-defined]
    return run


def _use_test_database(folder: Path, url: str) -> None:
    with (folder / "duban.toml").open("a", encoding="utf-8") as f:
        f.write(f'database_url = "{url}"\n')


def test_init_copies_only_its_jurisdictions_units_and_settings_are_read_from_the_folder(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("DUBAN_VAR_DIR", raising=False)
    result = CliRunner().invoke(app, ["init", str(tmp_path / "zs"), "--jurisdiction", "zhoushan"])
    assert result.exit_code == 0, result.output
    units = (tmp_path / "zs" / "catalog" / "units.yaml").read_text(encoding="utf-8")
    assert "市市场监管局" in units and "嘉兴" not in units and "chengxiang" not in units
    assert (tmp_path / "zs" / "calendar.yaml").exists() and (tmp_path / "zs" / "var").is_dir()
    monkeypatch.chdir(tmp_path / "zs" / "var")  # a subfolder finds the workspace too
    settings = Settings()
    assert settings.workspace == tmp_path / "zs" and settings.jurisdiction == "zhoushan"
    assert settings.catalog_path() == tmp_path / "zs" / "catalog"
    assert settings.var_dir == tmp_path / "zs" / "var"
    assert settings.calendar_path() == tmp_path / "zs" / "calendar.yaml"
    assert settings.office_name.startswith("舟山市")


def test_a_secret_and_the_database_url_come_from_files_the_settings_name(tmp_path, monkeypatch):
    for name in ("DUBAN_VAR_DIR", "DUBAN_DATABASE_URL", "DUBAN_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    CliRunner().invoke(app, ["init", str(tmp_path / "w"), "-j", "new", "--name", "新市"])
    (tmp_path / "w" / "secrets").mkdir()
    (tmp_path / "w" / "secrets" / "url").write_text("sqlite:///elsewhere.db\n")
    (tmp_path / "w" / "secrets" / "key").write_text("k" * 64)
    with (tmp_path / "w" / "duban.toml").open("a", encoding="utf-8") as f:
        f.write('database_url_file = "secrets/url"\nsecret_key_file = "secrets/key"\n')
    monkeypatch.chdir(tmp_path / "w")
    settings = Settings()
    assert settings.db_url() == "sqlite:///elsewhere.db" and settings.secret() == "k" * 64
    monkeypatch.setenv("DUBAN_DATABASE_URL", "sqlite:///env.db")  # the environment wins
    assert Settings().db_url() == "sqlite:///env.db"


def test_a_new_jurisdiction_needs_its_name_and_a_workspace_is_never_overwritten(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["init", str(tmp_path / "k"), "-j", "kaifeng"])
    assert result.exit_code == 1 and "--name" in result.output
    assert not (tmp_path / "k" / "duban.toml").exists()
    assert runner.invoke(app, ["init", str(tmp_path / "k"), "-j", "kaifeng", "--name", "开封市"]).exit_code == 0  # fmt: skip
    result = runner.invoke(app, ["init", str(tmp_path / "k"), "-j", "zhoushan"])
    assert result.exit_code == 1 and "已经是督办工作目录" in result.output


def test_an_unknown_setting_in_the_file_is_named(tmp_path, monkeypatch):
    CliRunner().invoke(app, ["init", str(tmp_path / "w"), "-j", "zhoushan"])
    with (tmp_path / "w" / "duban.toml").open("a", encoding="utf-8") as f:
        f.write('offce_name = "错字"\n')
    monkeypatch.chdir(tmp_path / "w")
    with pytest.raises(ValueError, match="offce_name"):
        Settings()
    result = CliRunner().invoke(app, ["catalog", "check"])
    assert result.exit_code == 2 and "没有这些设置项：offce_name" in result.output


def _edit(data: bytes, ref: str, lead: str, deadline: str) -> bytes:
    book = load_workbook(io.BytesIO(data))
    ws = book["任务分工"]
    headers = {ws.cell(3, c).value: c for c in range(1, ws.max_column + 1)}
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value == ref)
    ws.cell(row, headers["牵头单位"]).value = lead
    ws.cell(row, headers["完成时限"]).value = deadline
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_from_a_corpus_document_to_a_published_plan_and_the_tick_sends_only_for_it(
    office, tmp_path, sessions, monkeypatch
):
    started = time.perf_counter()
    office("init", "office", "--jurisdiction", "kaifeng", "--name", "开封市")
    _use_test_database(tmp_path / "office", office.url)
    monkeypatch.chdir(tmp_path / "office")
    said = office("catalog", "import", str(DOCUMENT), "--add-units", "--slug", "kaifeng-safety")
    assert "已加入单位名录：市公安局" in said and "已载入（草稿）" in said
    office("catalog", "import", str(DOCUMENT), "--slug", "kaifeng-kept-draft")
    office("catalog", "export", "--plan", "kaifeng-safety", "--format", "xlsx", "-o", "分工.xlsx")
    sheet = Path("分工.xlsx")
    sheet.write_bytes(_edit(sheet.read_bytes(), "1", "市公安局", "2016年12月底前"))
    said = office("catalog", "apply", "分工.xlsx", "--as", "李四")
    assert "市公安局" in said and "2016年12月底前" in said
    said = office("catalog", "publish", "kaifeng-safety", "--as", "张三")
    elapsed = time.perf_counter() - started
    assert "已发布" in said
    print(f"duban init → published plan: {elapsed:.2f} s")

    plan, _ = read_plan(Path("catalog/kaifeng-safety.yaml"))
    assert plan.status == PlanStatus.PUBLISHED and plan.published_by == "张三"
    first = plan.tasks[0]
    assert first.units[0].name == "市公安局" and first.units[0].role == "lead"
    assert str(first.due_date) == "2016-12-31"
    listing = office("catalog", "show")
    assert "已发布" in listing and "草稿" in listing

    office("tick", "--as-of", "2016-12-26", "--no-dispatch")
    with sessions() as session:
        status = dict(session.execute(select(Plan.slug, Plan.status)).all())
        assert status == {"kaifeng-safety": "published", "kaifeng-kept-draft": "draft"}
        per_plan = dict(
            session.execute(
                select(Plan.slug, func.count(Request.id))
                .join(Period, Period.plan_id == Plan.id)
                .join(Request, Request.period_id == Period.id)
                .group_by(Plan.slug)
            ).all()
        )
        assert per_plan == {"kaifeng-safety": 8}  # 市安全监管局 lost its one task to 市公安局
        drafts_periods = session.scalar(
            select(func.count(Period.id)).join(Plan).where(Plan.slug == "kaifeng-kept-draft")
        )
        assert drafts_periods == 0
        audit = session.execute(select(AuditLog.actor, AuditLog.action, AuditLog.target)).all()
        assert ("张三", "publish", "plan:kaifeng-safety") in audit
        assert ("李四", "apply", "plan:kaifeng-safety") in audit


def test_a_plan_with_problems_is_not_published_and_they_are_listed_in_chinese(
    office, tmp_path, monkeypatch
):
    office("init", "office", "--jurisdiction", "chizhou", "--name", "池州市")
    _use_test_database(tmp_path / "office", office.url)
    monkeypatch.chdir(tmp_path / "office")
    said = office("catalog", "import", str(OTHER))
    assert "单位名录中没有" in said and "暂未载入" in said
    slug = read_plan(next(Path("catalog").glob("28*.yaml")))[0].slug
    said = office("catalog", "publish", slug, code=1)
    assert "单位名录中没有“市工商质监局”" in said and "未发布" in said
    assert read_plan(Path(f"catalog/{slug}.yaml"))[0].status == PlanStatus.DRAFT
    office("catalog", "load")  # a draft's problems keep only that draft out


def test_a_bad_sheet_is_refused_whole_with_cell_references(office, tmp_path, monkeypatch):
    office("init", "office", "--jurisdiction", "kaifeng", "--name", "开封市")
    _use_test_database(tmp_path / "office", office.url)
    monkeypatch.chdir(tmp_path / "office")
    office("catalog", "import", str(DOCUMENT), "--add-units", "--slug", "ks")
    before = Path("catalog/ks.yaml").read_bytes()
    office("catalog", "export", "--plan", "ks", "--format", "xlsx", "-o", "f.xlsx")
    data = _edit(Path("f.xlsx").read_bytes(), "1", "市公安局", "2016年12月底前")
    Path("f.xlsx").write_bytes(_edit(data, "2", "不存在的局", "明年某天"))
    said = office("catalog", "apply", "f.xlsx", code=1)
    assert "任务分工!C5" in said and "任务分工!E5" in said and "未作任何改动" in said
    assert Path("catalog/ks.yaml").read_bytes() == before


def test_plans_loaded_before_the_status_existed_become_published(tmp_path):
    from alembic import command
    from sqlalchemy import inspect, text

    from db import make_engine, upgrade
    from db.engine import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    command.upgrade(alembic_config(engine), "0009_unit_order")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO plan (slug, title, jurisdiction, start_year, end_year, source_file,"
            " source_sha256, reporting) VALUES ('old', '旧计划', 'zhoushan', 2021, 2025, 'a.txt',"
            " :sha, '{}')"), {"sha": "0" * 64})  # fmt: skip
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM plan")).scalar() == "published"
    command.downgrade(alembic_config(engine), "0009_unit_order")
    assert "status" not in {c["name"] for c in inspect(engine).get_columns("plan")}
    engine.dispose()


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_an_imported_plans_sheet_saved_by_libreoffice_applies_as_no_change(
    office, tmp_path, monkeypatch
):
    office("init", "office", "--jurisdiction", "kaifeng", "--name", "开封市")
    _use_test_database(tmp_path / "office", office.url)
    monkeypatch.chdir(tmp_path / "office")
    office("catalog", "import", str(DOCUMENT), "--add-units", "--slug", "ks")
    office("catalog", "export", "--plan", "ks", "--format", "xlsx", "-o", str(tmp_path / "ks.xlsx"))
    (saved,) = resave_with_libreoffice([tmp_path / "ks.xlsx"], tmp_path / "out", tmp_path / "lo")
    Path("resaved.xlsx").write_bytes(saved)
    assert "没有改动" in office("catalog", "apply", "resaved.xlsx")


def test_outside_a_workspace_nothing_is_written_into_the_shipped_examples(tmp_path, monkeypatch):
    from tasks_catalog.paths import DATA_DIR

    monkeypatch.delenv("DUBAN_CATALOG_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in DATA_DIR.iterdir())
    runner = CliRunner()
    for args in (["catalog", "import", str(DOCUMENT)], ["catalog", "publish", "zhoushan-standards-2023"]):  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and "duban init" in result.output
    assert sorted(p.name for p in DATA_DIR.iterdir()) == before
