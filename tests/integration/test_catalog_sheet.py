"""The Excel round trip of a plan's catalog: the 任务分工表 an office edits in Excel, WPS or
LibreOffice and hands back."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tasks_catalog.check import plan_files
from tasks_catalog.directory import Directory
from tasks_catalog.files import read_plan
from tasks_catalog.paths import DATA_DIR
from tasks_catalog.schema import Plan, Target, Task, UnitRef
from tasks_catalog.sheet import SheetRejected, apply_sheet, export_plan, sheet_plan_slug

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc",
)
PLANS = [p.stem for p in plan_files()]
HEADER = 3  # the title, the document line, then the header row


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load()


def plan_named(slug: str) -> Plan:
    return read_plan(DATA_DIR / f"{slug}.yaml")[0]


@pytest.fixture
def plan() -> Plan:
    return plan_named("zhoushan-standards-2023")


def edited(data: bytes, *edits: Callable[[Workbook], None]) -> bytes:
    """The workbook after the edits, saved again (by openpyxl standing in for the office)."""
    book = load_workbook(io.BytesIO(data))
    for edit in edits:
        edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def column(ws: Worksheet, header: str) -> int:
    return next(c.column for c in ws[HEADER] if c.value == header)


def row_of(ws: Worksheet, first_cell: str) -> int:
    return next(r for r in range(HEADER + 1, ws.max_row + 1) if ws.cell(r, 1).value == first_cell)


def set_cell(sheet: str, first_cell: str, header: str, value: object) -> Callable[[Workbook], None]:
    """An edit: in `sheet`, the row whose first cell is `first_cell`, column `header`."""

    def edit(book: Workbook) -> None:
        ws = book[sheet]
        ws.cell(row_of(ws, first_cell), column(ws, header)).value = value

    return edit


def resave_with_libreoffice(files: list[Path], out: Path, profile: Path) -> list[bytes]:
    """The files as LibreOffice saves them (xlsx → xlsx); a profile of their own, so runs in
    parallel do not share one."""
    assert SOFFICE is not None
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return [(out / f.name).read_bytes() for f in files]


# --- the round trip ------------------------------------------------------------------------


@pytest.mark.parametrize("slug", PLANS)
def test_export_then_apply_changes_nothing_for_every_shipped_plan(
    slug: str, directory: Directory
) -> None:
    plan = plan_named(slug)
    result = apply_sheet(export_plan(plan, directory), plan, directory)
    assert result.changes == []
    assert result.plan == plan


def test_a_returned_file_says_which_plan_it_belongs_to(plan: Plan, directory: Directory) -> None:
    assert sheet_plan_slug(export_plan(plan, directory)) == "zhoushan-standards-2023"


def test_the_same_plan_exports_the_same_bytes(plan: Plan, directory: Directory) -> None:
    assert export_plan(plan, directory) == export_plan(plan, directory)


def formula_looking_plan() -> Plan:
    plan = plan_named("zhoushan-standards-2023")
    tasks = list(plan.tasks)
    tasks[0] = tasks[0].model_copy(
        update={"title": '=HYPERLINK("http://evil.example","点击")', "body": "+1 提升标准水平"}
    )
    tasks[1] = tasks[1].model_copy(update={"title": "-2 项制度", "body": "@SUM(A1:A9)"})
    return plan.model_copy(update={"tasks": tasks})


@pytest.fixture(scope="module")
def saved_by_libreoffice(
    tmp_path_factory: pytest.TempPathFactory, directory: Directory
) -> dict[str, tuple[Plan, bytes]]:
    """Every shipped plan's sheet, and one with formula-looking text, opened and saved by
    LibreOffice (one conversion for all of them: it takes seconds to start)."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc")
    folder = tmp_path_factory.mktemp("libreoffice")
    plans = {slug: plan_named(slug) for slug in PLANS} | {"formulas": formula_looking_plan()}
    files = []
    for name, plan in plans.items():
        files.append(folder / "in" / f"{name}.xlsx")
        files[-1].parent.mkdir(exist_ok=True)
        files[-1].write_bytes(export_plan(plan, directory))
    saved = resave_with_libreoffice(files, folder / "out", folder / "profile")
    return {name: (plan, data) for (name, plan), data in zip(plans.items(), saved, strict=True)}


@needs_soffice
@pytest.mark.parametrize("slug", [*PLANS, "formulas"])
def test_the_same_file_opened_and_saved_by_libreoffice_comes_back_unchanged(
    slug: str, saved_by_libreoffice: dict[str, tuple[Plan, bytes]], directory: Directory
) -> None:
    plan, data = saved_by_libreoffice[slug]
    result = apply_sheet(data, plan, directory)
    assert result.changes == []
    assert result.plan == plan


@needs_soffice
def test_print_setup_survives_a_libreoffice_save(
    saved_by_libreoffice: dict[str, tuple[Plan, bytes]],
) -> None:
    book = load_workbook(io.BytesIO(saved_by_libreoffice["zhoushan-standards-2023"][1]))
    ws = book["任务分工"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.column_dimensions["G"].hidden
    assert book["督办"].sheet_state == "hidden"


@needs_soffice
def test_edits_made_and_saved_in_libreoffice_apply(
    tmp_path: Path, plan: Plan, directory: Directory
) -> None:
    data = edited(
        export_plan(plan, directory),
        set_cell("任务分工", "二(一)1", "牵头单位", "经信局"),
        set_cell("指标", "新增主导或参与制修订国家标准", "目标值", 60),
    )
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "edited.xlsx").write_bytes(data)
    [saved] = resave_with_libreoffice(
        [tmp_path / "in" / "edited.xlsx"], tmp_path / "out", tmp_path / "p"
    )
    result = apply_sheet(saved, plan, directory)
    assert result.changes == [
        "任务 二(一)1：牵头单位 市科技局 → 市经信局",
        "指标 T2（新增主导或参与制修订国家标准）：目标值 50 → 60",
    ]


# --- edits the office makes ------------------------------------------------------------------


def test_a_unit_typed_by_its_alias_is_stored_by_its_canonical_name(
    plan: Plan, directory: Directory
) -> None:
    data = edited(
        export_plan(plan, directory), set_cell("任务分工", "二(一)1", "牵头单位", "经信局")
    )
    result = apply_sheet(data, plan, directory)
    assert result.changes == ["任务 二(一)1：牵头单位 市科技局 → 市经信局"]
    assert result.plan.tasks[0].units == [
        UnitRef(name="市经信局", role="lead"),
        UnitRef(name="市市场监管局", role="support"),
    ]


def test_a_unit_retyped_by_its_alias_is_no_change(plan: Plan, directory: Directory) -> None:
    data = edited(
        export_plan(plan, directory), set_cell("任务分工", "二(一)1", "牵头单位", "科技局")
    )
    assert apply_sheet(data, plan, directory).changes == []


def test_a_changed_deadline_sets_the_due_date_by_the_extractors_resolver(
    plan: Plan, directory: Directory
) -> None:
    data = edited(
        export_plan(plan, directory),
        set_cell("任务分工", "二(一)1", "完成时限", "2024年底前"),
        set_cell("任务分工", "二(一)2", "完成时限", "6月底前"),
        set_cell("任务分工", "二(一)3", "完成时限", "长期坚持"),
    )
    result = apply_sheet(data, plan, directory)
    first, second, third = result.plan.tasks[:3]
    assert (first.deadline, first.due_date) == ("2024年底前", dt.date(2024, 12, 31))
    # a deadline without a year falls in the year of the document, 舟委发〔2023〕13号
    assert (second.deadline, second.due_date) == ("6月底前", dt.date(2023, 6, 30))
    assert (third.deadline, third.due_date) == ("长期坚持", None)
    assert result.changes[:2] == [
        "任务 二(一)1：完成时限 （未规定） → 2024年底前（2024年12月31日）",
        "任务 二(一)2：完成时限 （未规定） → 6月底前（2023年6月30日）",
    ]


def test_a_row_added_by_the_office_is_a_new_task_in_the_section_above_it(
    plan: Plan, directory: Directory
) -> None:
    def add(book: Workbook) -> None:
        ws = book["任务分工"]
        at = row_of(ws, "二(一)5") + 1
        ws.insert_rows(at)
        for header, value in (("序号", "二(一)6"), ("任务", "推进海洋标准化"),
                              ("牵头单位", "市海洋与渔业局"), ("配合单位", "市场监管局"),
                              ("完成时限", "2025年6月底前"), ("任务要求", "制定海洋牧场地方标准。")):  # fmt: skip
            ws.cell(at, column(ws, header)).value = value

    result = apply_sheet(edited(export_plan(plan, directory), add), plan, directory)
    assert result.changes == ["新增任务 二(一)6：推进海洋标准化"]
    new = result.plan.tasks[5]
    assert new == Task(
        ref="二(一)6",
        title="推进海洋标准化",
        section="标准引领产业高质量发展",
        body="制定海洋牧场地方标准。",
        units=[
            UnitRef(name="市海洋与渔业局", role="lead"),
            UnitRef(name="市市场监管局", role="support"),
        ],
        deadline="2025年6月底前",
        due_date=dt.date(2025, 6, 30),
    )
    assert result.plan.tasks[6] == plan.tasks[5]


def test_a_deleted_row_removes_the_task(plan: Plan, directory: Directory) -> None:
    def delete(book: Workbook) -> None:
        ws = book["任务分工"]
        ws.delete_rows(row_of(ws, "三(二)"))

    result = apply_sheet(edited(export_plan(plan, directory), delete), plan, directory)
    assert result.changes == ["删除任务 三(二)：加强政策扶持"]
    assert [t.ref for t in result.plan.tasks] == [t.ref for t in plan.tasks if t.ref != "三(二)"]


def test_a_changed_target_value_applies(plan: Plan, directory: Directory) -> None:
    data = edited(export_plan(plan, directory), set_cell("指标", "新增地方标准", "目标值", "30–40"))
    result = apply_sheet(data, plan, directory)
    assert result.changes == ["指标 T4（新增地方标准）：目标值 30 → 30–40"]
    assert (result.plan.targets[3].value, result.plan.targets[3].value_max) == (30, 40)


def test_a_target_row_added_by_the_office_gets_the_next_code(
    plan: Plan, directory: Directory
) -> None:
    def add(book: Workbook) -> None:
        ws = book["指标"]
        ws.append(
            ["新增团体标准", "每年 5", "项", "不低于", "新增", None, None, 2025, "市场监管局"]
        )

    result = apply_sheet(edited(export_plan(plan, directory), add), plan, directory)
    assert result.changes == ["新增指标 T11：新增团体标准（不低于 每年 5 项，2025年）"]
    assert result.plan.targets[-1] == Target(
        code="T11", name="新增团体标准", value=Decimal(5), unit="项", cmp=">=",
        kind="increment", per_year=True, year=2025, owner="市市场监管局",
    )  # fmt: skip


def test_removing_the_mark_confirms_a_proposed_unit_and_leaving_it_keeps_it_proposed(
    directory: Directory,
) -> None:
    plan = plan_named("chengxiang-standards-2021")
    data = edited(
        export_plan(plan, directory), set_cell("任务分工", "四(一)1", "牵头单位", "区市场监管局")
    )
    result = apply_sheet(data, plan, directory)
    assert result.changes == ["任务 四(一)1：牵头单位 区市场监管局 已确认"]
    lead, support = result.plan.tasks[0].units
    assert (lead.name, lead.proposed) == ("区市场监管局", False)
    assert (support.name, support.proposed) == ("区科技局", True)


def test_edited_text_applies_to_the_task_its_hidden_key_names_wherever_the_row_moved(
    plan: Plan, directory: Directory
) -> None:
    def renumber_and_move(book: Workbook) -> None:
        ws = book["任务分工"]
        first = row_of(ws, "二(一)1")
        ws.cell(first, 1).value = "二(一)9"
        ws.move_range(f"A{first}:G{first}", rows=ws.max_row + 1 - first)
        ws.delete_rows(first)

    result = apply_sheet(edited(export_plan(plan, directory), renumber_and_move), plan, directory)
    assert result.changes == ["任务 二(一)1：序号 二(一)1 → 二(一)9", "任务顺序已按表中调整"]
    moved = result.plan.tasks[-1]
    assert moved.ref == "二(一)9" and moved.span == plan.tasks[0].span


def test_without_the_hidden_keys_rows_are_matched_by_ref_and_target_name(
    plan: Plan, directory: Directory
) -> None:
    def clear_keys(book: Workbook) -> None:
        for name, key_column in (("任务分工", "G"), ("指标", "J")):
            for cell in book[name][key_column][HEADER:]:
                cell.value = None
        del book["督办"]

    data = edited(
        export_plan(plan, directory),
        clear_keys,
        set_cell("任务分工", "二(一)1", "牵头单位", "经信局"),
    )
    result = apply_sheet(data, plan, directory)
    assert result.changes == ["任务 二(一)1：牵头单位 市科技局 → 市经信局"]
    assert result.plan.targets == plan.targets


def test_a_copied_row_with_a_new_ref_is_a_new_task(plan: Plan, directory: Directory) -> None:
    def copy(book: Workbook) -> None:
        ws = book["任务分工"]
        source = row_of(ws, "二(一)1")
        ws.insert_rows(source)  # the copy goes above, carrying the hidden key along
        for c in range(1, 8):
            ws.cell(source, c).value = ws.cell(source + 1, c).value
        ws.cell(source, 1).value = "二(一)0"

    result = apply_sheet(edited(export_plan(plan, directory), copy), plan, directory)
    assert result.changes == ["新增任务 二(一)0：推动标准化与科技创新互动发展"]
    assert result.plan.tasks[1] == plan.tasks[0]


def test_a_lead_merged_over_several_rows_leads_each_of_them(
    plan: Plan, directory: Directory
) -> None:
    def merge(book: Workbook) -> None:
        ws = book["任务分工"]
        ws["C5"] = "市经信局"  # 二(一)2 and 二(一)3 are led by 市经信局 already
        ws.merge_cells("C5:C6")
        ws["C9"] = "市发改委"
        ws.merge_cells("C9:C10")  # 二(二)1, 二(二)2: one cell for both

    result = apply_sheet(edited(export_plan(plan, directory), merge), plan, directory)
    assert result.changes == [
        "任务 二(二)1：牵头单位 市级部门按职责分工负责 → 市发改委",
        "任务 二(二)2：牵头单位 市教育局 → 市发改委",
    ]


def test_numbers_dates_full_width_text_blanks_and_trailing_rows_read_as_typed(
    plan: Plan, directory: Directory
) -> None:
    def retype(book: Workbook) -> None:
        tasks, targets = book["任务分工"], book["指标"]
        tasks["E4"] = dt.datetime(2024, 6, 30)  # Excel makes a date of 6月30日 typed
        tasks["E4"].number_format = "yyyy/m/d"
        tasks["E5"] = "　２０２５年底前 "
        tasks["C6"] = " 市经信局\n"
        targets["B4"] = 2.0  # saved as a number
        targets["B5"] = "３５"
        targets["H6"] = "２０２６年"
        for r in range(tasks.max_row + 1, tasks.max_row + 40):
            tasks.cell(r, 2).value = "  "  # blank rows left at the bottom

    result = apply_sheet(edited(export_plan(plan, directory), retype), plan, directory)
    assert result.changes == [
        "任务 二(一)1：完成时限 （未规定） → 2024年6月30日（2024年6月30日）",
        "任务 二(一)2：完成时限 （未规定） → 2025年底前（2025年12月31日）",
        "指标 T2（新增主导或参与制修订国家标准）：目标值 50 → 35",
        "指标 T3（新增“品字标浙江制造”标准）：目标年 2025 → 2026",
    ]


# --- refusals --------------------------------------------------------------------------------


def test_a_bad_sheet_is_refused_whole_naming_every_cell_and_what_to_write(
    plan: Plan, directory: Directory
) -> None:
    before = plan.model_dump()
    data = edited(
        export_plan(plan, directory),
        set_cell("任务分工", "二(一)1", "牵头单位", "经信局"),  # valid, and not applied either
        set_cell("任务分工", "二(一)4", "牵头单位", "市科技委"),
        set_cell("任务分工", "二(二)1", "完成时限", "明年"),
        set_cell("指标", "新增主导或参与制修订国际标准", "目标值", "五十"),
        set_cell("指标", "新增地方标准", "比较", "差不多"),
    )
    with pytest.raises(SheetRejected) as refused:
        apply_sheet(data, plan, directory)
    assert [str(p) for p in refused.value.problems] == [
        "任务分工!C7：“市科技委”不是已知单位，最接近的是：市科技局、市委办；请填写单位全称或简称",
        "任务分工!E9：完成时限“明年”无法识别，请写成“2025年底前”“6月底前”或“长期坚持”",
        "指标!B4：目标值应为数字，例如 50 或 10–20；每年都要达到的写“每年 10”",
        "指标!D7：比较应为不低于、不高于、等于、高于、约之一",
    ]
    assert plan.model_dump() == before


def test_a_task_without_a_lead_or_with_a_repeated_ref_is_refused(
    plan: Plan, directory: Directory
) -> None:
    data = edited(
        export_plan(plan, directory),
        set_cell("任务分工", "二(一)2", "牵头单位", None),
        set_cell("任务分工", "二(一)3", "序号", "二(一)1"),
    )
    with pytest.raises(SheetRejected) as refused:
        apply_sheet(data, plan, directory)
    assert [str(p) for p in refused.value.problems] == [
        "任务分工!C5：请填写牵头单位",
        "任务分工!A6：序号“二(一)1”与第4行重复；每项任务的序号应唯一",
    ]


def test_a_unit_both_leading_and_supporting_a_task_is_refused(
    plan: Plan, directory: Directory
) -> None:
    data = edited(
        export_plan(plan, directory), set_cell("任务分工", "二(一)1", "配合单位", "科技局")
    )
    with pytest.raises(SheetRejected) as refused:
        apply_sheet(data, plan, directory)
    assert [str(p) for p in refused.value.problems] == [
        "任务分工!D4：“市科技局”已是牵头单位；一个单位只填在牵头或配合一处"
    ]


def test_a_sheet_exported_from_another_plan_is_refused(plan: Plan, directory: Directory) -> None:
    other = plan_named("zhoushan-quality-2021")
    with pytest.raises(SheetRejected) as refused:
        apply_sheet(export_plan(other, directory), plan, directory)
    assert str(refused.value.problems[0]).startswith("这份表格导出自计划“zhoushan-quality-2021”")


def test_a_file_that_is_not_an_xlsx_workbook_is_refused(plan: Plan, directory: Directory) -> None:
    with pytest.raises(SheetRejected) as refused:
        apply_sheet("序号,任务\n".encode(), plan, directory)
    assert "另存为" in str(refused.value)


def test_a_removed_column_or_sheet_is_named(plan: Plan, directory: Directory) -> None:
    def damage(book: Workbook) -> None:
        book["任务分工"].delete_cols(5)  # 完成时限
        del book["指标"]

    with pytest.raises(SheetRejected) as refused:
        apply_sheet(edited(export_plan(plan, directory), damage), plan, directory)
    assert [str(p) for p in refused.value.problems] == [
        "任务分工!G3：表头缺少“完成时限”列；请把它加回表头行",
        "指标：找不到“指标”工作表；请不要重命名或删除它",
    ]


# --- text that looks like a formula -------------------------------------------------------------


def test_text_that_looks_like_a_formula_is_written_and_read_back_as_text(
    directory: Directory,
) -> None:
    plan = formula_looking_plan()
    data = export_plan(plan, directory)
    ws = load_workbook(io.BytesIO(data))["任务分工"]
    for ref in ("B4", "F4", "B5", "F5"):
        assert ws[ref].data_type == "s", ref
        assert ws[ref].quotePrefix, ref  # Excel and WPS show it, and keep it, as text
    assert apply_sheet(data, plan, directory).changes == []


def test_a_formula_typed_into_a_cell_is_kept_as_the_text_typed(
    plan: Plan, directory: Directory
) -> None:
    data = edited(export_plan(plan, directory), set_cell("任务分工", "二(一)1", "任务", "=1+1"))
    result = apply_sheet(data, plan, directory)
    assert result.plan.tasks[0].title == "=1+1"


# --- on paper ------------------------------------------------------------------------------------


def test_the_sheets_print_a4_landscape_one_page_wide_with_the_header_repeated_and_frozen(
    plan: Plan, directory: Directory
) -> None:
    book = load_workbook(io.BytesIO(export_plan(plan, directory)))
    assert book.sheetnames == ["任务分工", "指标", "单位名录", "填写说明", "督办"]
    for name, header in (("任务分工", ["序号", "任务", "牵头单位", "配合单位", "完成时限", "任务要求"]),
                         ("指标", ["指标", "目标值", "单位", "比较", "类型", "基期值", "基期年",
                                   "目标年", "责任单位"])):  # fmt: skip
        ws = book[name]
        assert [c.value for c in ws[HEADER]][: len(header)] == header
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        # one page wide (fitToWidth is 1 when absent, as XlsxWriter leaves it), any number tall
        assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.print_title_rows == "$3:$3"
        assert ws.freeze_panes == "A4"
        key = ws.cell(HEADER, len(header) + 1)
        assert key.value == "督办编号（勿改）" and ws.column_dimensions[key.column_letter].hidden
    ws = book["任务分工"]
    assert (
        ws["A1"].value == "《中共舟山市委舟山市人民政府关于推进标准强市建设的实施意见》任务分工表"
    )
    assert ws["A2"].value.startswith("文号：舟委发〔2023〕13号")
    body = ws["F4"]
    assert body.alignment.wrap_text and body.border.left.style == "thin"
    assert 40 <= ws.column_dimensions["F"].width <= 70
    assert ws.row_dimensions[4].height >= 4 * 15  # a long 任务要求 gets the lines it needs
    assert book["督办"].sheet_state == "hidden"


def test_targets_read_in_words_the_office_uses(directory: Directory) -> None:
    ws = load_workbook(io.BytesIO(export_plan(plan_named("zhoushan-quality-2021"), directory)))[
        "指标"
    ]
    rows = {r[0]: r[1:9] for r in ws.iter_rows(min_row=HEADER + 1, values_only=True)}
    assert rows["浙江省政府质量奖企业"] == (
        "2",
        "家",
        "不低于",
        "累计",
        "1",
        2020,
        2025,
        "市市场监管局",
    )
    assert rows["新增省政府质量奖（创新奖）企业"][:2] == ("1–2", "个")
    assert rows["创建市级管理创新标杆企业"][0] == "每年 10"
    assert rows["农产品质量安全监测合格率"][4] == "99.49"


@needs_soffice
@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed"
)
def test_an_exported_workbook_renders_through_libreoffice_to_pdf_and_png(
    tmp_path: Path, plan: Plan, directory: Directory
) -> None:
    assert SOFFICE is not None
    source = tmp_path / "分工表.xlsx"
    source.write_bytes(export_plan(plan, directory))
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pdf = tmp_path / "分工表.pdf"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    assert (tmp_path / "page-1.png").stat().st_size > 10_000
    if shutil.which("pdftotext"):  # the header on the second page too, and the text is Chinese
        second = subprocess.run(
            ["pdftotext", "-f", "2", "-l", "2", "-layout", str(pdf), "-"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        assert "序号" in second and "牵头单位" in second and "第 2 页" in second
