"""Task-split tables: real .docx and .xlsx tables (merged cells, continuation rows), tables
flattened to text (pipe rows, key/value rows, one cell per line) and a PDF."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl

from tasks_catalog.extract import extract
from tests.corpus_helpers import draft, task, units

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HEADER = [
    "序号",
    "重点任务",
    "牵头单位",
    "责任单位",
    "配合单位",
    "责任领导",
    "完成时限",
    "季度目标",
]


def test_a_docx_task_split_table_with_merged_cells_and_a_continuation_row(tmp_path: Path):
    document = docx.Document()
    document.add_paragraph("某县2024年重点工作任务分工表")
    table = document.add_table(rows=4, cols=len(HEADER))
    rows = [
        HEADER,
        ["1", "新建5G基站200个以上。", "县工信局", "县住建局、县自然资源局", "各乡镇人民政府",
         "张三", "2024年底前", "三季度完成选址"],
        ["", "", "", "", "", "", "", "四季度完成建设"],
        ["2", "深化“一网通办”改革。", "县数据局", "", "县政务服务中心", "李四", "持续推进", ""],
    ]  # fmt: skip
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    table.cell(1, 0).merge(table.cell(2, 0))  # 序号 and the task span the continuation row
    table.cell(1, 1).merge(table.cell(2, 1))
    table.cell(1, 2).merge(table.cell(2, 2))
    path = tmp_path / "分工表.docx"
    document.save(str(path))

    plan = extract(path)
    assert [t.ref for t in plan.tasks] == ["1", "2"]
    first = task(plan, "1")
    assert units(first) == [
        ("县工信局", "lead"),
        ("县住建局", "support"),
        ("县自然资源局", "support"),
        ("各乡镇人民政府", "support"),
    ]  # 责任领导 张三 is a person, not a unit
    assert (first.deadline, str(first.due_date)) == ("2024年底前", "2024-12-31")
    assert "四季度完成建设" in first.body
    second = task(plan, "2")
    assert (second.deadline, second.due_date) == ("持续推进", None)
    assert [(t.name, t.value, t.cmp, t.year) for t in plan.targets] == [
        ("新建5G基站", 200, ">=", 2024)
    ]


def test_an_xlsx_task_split_table_with_merged_cells_and_a_continuation_row(tmp_path: Path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["某区2025年重点工作责任分解表"])
    sheet.append(HEADER)
    sheet.append(["1", "推进老旧小区改造，开工改造项目50个。", "区住建局", "各街道办事处",
                  "区财政局", "王五", "2025年6月底前", "二季度开工"])  # fmt: skip
    sheet.append(["", "", "", "", "", "", "", "三季度完成主体"])
    sheet.append(["2", "开展背街小巷整治。", "区城管局", "", "", "赵六", "每年年底前", ""])
    sheet.merge_cells("A3:A4")
    sheet.merge_cells("B3:B4")
    sheet.merge_cells("C3:C4")
    sheet.merge_cells("G3:G4")
    path = tmp_path / "责任分解表.xlsx"
    book.save(path)

    plan = extract(path)
    assert [t.ref for t in plan.tasks] == ["1", "2"]
    first = task(plan, "1")
    assert units(first) == [
        ("区住建局", "lead"),
        ("各街道办事处", "support"),
        ("区财政局", "support"),
    ]
    assert str(first.due_date) == "2025-06-30"
    assert "三季度完成主体" in first.body
    assert (task(plan, "2").deadline, str(task(plan, "2").due_date)) == ("每年年底前", "2025-12-31")


def test_a_table_flattened_to_pipe_rows_keeps_continuation_rows_with_their_task():
    # 05_chongchuan_chengguan_2024_table.txt
    plan = draft(
        "2024年区政府重点工作任务落实清单推进情况(1-8月)\n"
        "年度重点工作 | 细化任务及目标 | 三季度目标 | 分管领导 | 牵头单位 | 落实情况(1-8月) | 是否达序 | 说明 |\n"
        "57.务实开展垃圾分类管理,厨余垃圾处置中心年内运营。新建“三定一督”小区193个。 | ①建成厨余垃圾"
        "处置中心年并运营。 | 完成建设、安装调试,试运营。 | 徐国江 | 城管局 | 厨余项目土建部分混凝土养护。 | 是 | |\n"
        "②新建“三定一督”小区193个,其中24个纳入老旧小区改造实施。 | 开工建设,完成项目整体进度的70%。 | "
        "经前期招投标,已进入合同履行阶段。 | 是 | ||||\n"
        "58.开展违建专项治理,削减存量底册违建40%以上,坚决遏制新增违建。 | 削减存量底册违建至30%。 | "
        "徐国江 | 城管局 | 截至目前,削减存量底册违建42.21%。 | 是 | ||\n"
    )
    assert [(t.ref, units(t)) for t in plan.tasks] == [
        ("57", [("城管局", "lead")]),
        ("58", [("城管局", "lead")]),
    ]
    assert "②新建" in task(plan, "57").body
    assert [(t.name, t.value, t.cmp, t.year) for t in plan.targets] == [
        ("新建“三定一督”小区", 193, "=", 2024),
        ("削减存量底册违建", 40, ">=", 2024),
    ]


def test_a_table_flattened_to_one_cell_per_line_gives_its_tasks_and_units():
    # 04_xiangshan_chengguan_2024q4_table.txt
    plan = draft(
        "相山区城管局2024年第四季度重点工作任务完成情况\n\n任务项\n\n重点工作内容\n\n牵头责任单位\n\n"
        "四季度任务分解\n\n四季度进展情况\n\n完成状况\n\n1\n\n开展市容秩序专项整治行动,推行沿街主体"
        "“门责制”。\n\n区城管大队法制办及街道城管中队\n\n1.根据2024年度专项整治行动方案启动专项整治。\n\n"
        "1.召开“门责制”管理工作调度会。\n\n已完成\n\n2\n\n深入推进生活垃圾分类工作。\n\n"
        "区环卫所(垃圾分类管理办)\n\n开展生活垃圾分类督查考核1次。\n\n开展督查考核1次。\n\n已完成\n"
    )
    assert [(t.ref, units(t)) for t in plan.tasks] == [
        ("1", [("区城管大队法制办", "lead"), ("街道城管中队", "lead")]),
        ("2", [("区环卫所（垃圾分类管理办）", "lead")]),
    ]


def test_key_value_rows_give_one_task_with_its_lead():
    # 06_guangzhou_zhongdian_gongzuo_2023_135.txt
    plan = draft(
        "重点工作: | 135.统筹违法建设治理与城市更新,促进违法建设科学分类治理。 |\n"
        "牵头单位: | 市城市管理综合执法局 |\n"
        "年度阶段性工作目标: | 第一季度:完成工作任务20%以上。 第二季度:完成工作任务的50%以上。 |\n"
    )
    assert [(t.ref, units(t)) for t in plan.tasks] == [("135", [("市城市管理综合执法局", "lead")])]
    assert plan.targets == []  # quarterly milestones are not the plan's targets


def test_a_pdf_is_read_with_its_units_and_deadlines():
    # tests/fixtures/task_split.pdf: a .docx converted by LibreOffice (soffice --convert-to pdf)
    plan = extract(FIXTURES / "task_split.pdf")
    first = task(plan, "一1")
    assert units(first) == [
        ("县数据局", "lead"),
        ("县政务服务中心", "support"),
        ("各乡镇人民政府", "support"),
    ]
    assert str(first.due_date) == "2024-06-30"
    assert units(task(plan, "一2")) == [("县工信局", "lead"), ("县住建局", "support")]
