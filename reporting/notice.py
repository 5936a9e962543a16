"""A period's 通报 as a Word document in 公文 form:

关于2025年第三季度标准强市建设工作进展情况的通报
各有关单位：
根据《…》（舟委发〔2023〕13号）工作要求，现将2025年第三季度工作进展情况通报如下：
一、总体情况        the numbers in sentences; the late and missing units by name, in the
                    directory's order, with their working days overdue; 免报 units
二、指标进展        a sentence of counts and a table (指标, 目标, 序时进度应达, 实际报送, 状态)
三、任务进展        the tasks' reported statuses; tasks lit red or yellow, with reasons
四、存在问题        found in the figures, the office's own, then the units' own 存在问题
五、下步工作        a standard paragraph the office edits, and steps following from the gaps
附件：…（附表）
                                    标准强市建设领导小组办公室
                                        2025年10月20日
（联系人：…；联系电话：…）
"""

from __future__ import annotations

from pathlib import Path

from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH

from reporting import docx_form as form
from reporting.notice_data import NoticeData
from reporting.notice_text import overall, targets_sentence, tasks_sentence, units_sentence
from vocab import zh

CHINESE = "一二三四五六七八九十"
LIGHTS = {"red": "亮红灯", "yellow": "亮黄灯"}


def write_notice(data: NoticeData, path: Path) -> Path:
    """Write the 通报 to `path`; return it."""
    doc = form.new_document()
    form.title(doc, data.title)
    form.paragraph(doc, f"{data.addressees}：", indent=False)
    number = f"（{data.doc_number}）" if data.doc_number else ""
    form.paragraph(
        doc,
        f"根据《{data.plan_title}》{number}工作要求，现将{data.period_name}工作进展情况通报如下：",
    )
    sections = [
        ("总体情况", _overall),
        ("指标进展", _targets),
        ("任务进展", _tasks),
        ("存在问题", _problems),
        ("下步工作", _next_steps),
    ]
    for i, (name, write) in enumerate(sections):
        form.heading(doc, f"{CHINESE[i]}、{name}")
        write(doc, data)
    form.annex(doc, [data.annex])
    form.signature(doc, data.signature.office, data.signature.signed_on)
    _contact(doc, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    form.save(doc, path, data.signature.signed_on, data.signature.office)
    return path


def _overall(doc: DocumentObject, d: NoticeData) -> None:
    form.paragraph(doc, overall(d))
    if d.late:
        form.paragraph(doc, units_sentence("逾期报送的单位", d.late))
    if d.missing:
        form.paragraph(doc, units_sentence("未报送的单位", d.missing))
    if d.waived:
        form.paragraph(doc, f"经同意免报的单位（{len(d.waived)}家）：{'、'.join(d.waived)}。")
    if not (d.late or d.missing):
        form.paragraph(doc, "各单位均按时报送。")
    for note in d.notes:
        form.paragraph(doc, f"说明：{note}")


def _targets(doc: DocumentObject, d: NoticeData) -> None:
    if not d.targets:
        form.paragraph(doc, "本方案未设置量化指标。")
        return
    form.paragraph(doc, targets_sentence(d) + "具体如下表。")
    form.caption(doc, "主要指标进展情况")
    rows = [
        [str(i), t.name, t.goal, zh.number(round(t.expected, 2)), t.actual_text, t.status_text]
        for i, t in enumerate(d.targets, start=1)
    ]
    form.table(
        doc,
        ["序号", "指标", "目标", "序时进度应达", "实际报送", "状态"],
        rows,
        [14, 46, 30, 20, 24, 22],
        centred={0, 3, 4, 5},
    )
    form.paragraph(doc, indent=False)


def _tasks(doc: DocumentObject, d: NoticeData) -> None:
    sentence = tasks_sentence(d)
    if sentence:
        form.paragraph(doc, sentence)
    if d.highlights is None:
        return  # no task lights yet: nothing is said about them, rather than "none lit"
    if not d.highlights:
        form.paragraph(doc, "本期无亮红灯、黄灯的任务。")
        return
    for light in ("red", "yellow"):
        lit = [h for h in d.highlights if h.light == light]
        if not lit:
            continue
        form.paragraph(doc, f"{LIGHTS[light]}的任务（{len(lit)}项）：")
        for i, h in enumerate(lit, start=1):
            form.paragraph(doc, f"{i}. {h.ref}“{h.title}”（{h.unit_name}）：{h.reason}")


def _problems(doc: DocumentObject, d: NoticeData) -> None:
    if not (d.problems or d.unit_problems):
        form.paragraph(doc, "本期未发现突出问题。")
        return
    for i, problem in enumerate(d.problems, start=1):
        lead, _, rest = problem.partition("。")
        form.lead_in(doc, f"{i}. {lead}。" if rest else f"{i}. ", rest or problem)
    if d.unit_problems:
        form.paragraph(doc, "各单位自查反映的问题：")
        for p in d.unit_problems:
            form.paragraph(doc, f"{p.unit_name}：{p.text}")


def _next_steps(doc: DocumentObject, d: NoticeData) -> None:
    last = None
    for i, step in enumerate(d.next_steps, start=1):
        last = form.paragraph(doc, f"{i}. {step}" if len(d.next_steps) > 1 else step)
    if last is not None:
        form.keep(last)  # no page with only the 附件 line and the signature


def _contact(doc: DocumentObject, d: NoticeData) -> None:
    s = d.signature
    parts = [f"联系人：{s.contact}" if s.contact else "", f"联系电话：{s.phone}" if s.phone else ""]
    shown = "；".join(p for p in parts if p)
    if shown:
        form.paragraph(doc, f"（{shown}）", align=WD_ALIGN_PARAGRAPH.LEFT)
