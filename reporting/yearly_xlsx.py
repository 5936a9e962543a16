"""The yearly 考核 as a print-ready .xlsx: 考核结果 (rank, score, the measures' rates, deductions,
adjustment and the figures behind each score) and 计分明细 (one row per measure per unit)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from reporting.xlsx_sheet import Column, PrintSheet, Styles, open_workbook, save_workbook
from reporting.yearly import NAMES, YearResult, explain
from vocab import zh

PERCENT, POINTS = "0.0%", "0.00"
RESULT_COLUMNS = [
    Column("名次", most=6, align="center"),
    Column("单位", most=20),
    Column("得分", most=8, align="right", num_format=POINTS),
    *(Column(name, most=12, align="right", num_format=PERCENT) for name in NAMES.values()),
    Column("扣分", most=8, align="right", num_format=POINTS),
    Column("调整", most=8, align="right", num_format=POINTS),
    Column("计分说明", most=80),
]
DETAIL_COLUMNS = [
    Column("单位", most=20),
    Column("项目", most=12),
    Column("计分依据", most=40),
    Column("比率", most=10, align="right", num_format=PERCENT),
    Column("权重", most=8, align="right", num_format=POINTS),
    Column("得分", most=8, align="right", num_format=POINTS),
]


def method(result: YearResult) -> str:
    """How the score is made, in a sentence (the xlsx and the 通报 both say it)."""
    w = result.weights
    weights = "、".join(f"{NAMES[k]}{zh.number(v)}分" for k, v in w.weights().items())
    cuts = "；".join(
        f"{zh.flag_word(kind)}每处扣{zh.number(points)}分" for kind, points in w.deductions.items()
    )
    cap = f"，合计最多扣{zh.number(w.deduction_cap)}分" if cuts else ""
    return (
        f"满分100分，其中{weights}；{cuts}{cap}；对某单位不适用的项目，其分值按其余项目的权重折算。"
    )


def write_year_xlsx(result: YearResult, path: Path, as_of: dt.date) -> Path:
    """Write the 考核 table to `path`, dated `as_of` (the same result gives the same bytes)."""
    buffer = io.BytesIO()
    wb = open_workbook(buffer, dt.datetime(as_of.year, as_of.month, as_of.day))
    styles = Styles(wb)
    header = f"{result.year}年度《{result.plan_title}》工作考核结果"
    ws = PrintSheet(wb, styles, "考核结果", RESULT_COLUMNS, header)
    ws.title(header)
    periods = "、".join(zh.period_name(p) for p in result.periods)
    ws.line(f"考核期间：{periods}。{method(result)}")
    ws.header()
    for s in result.scores:
        rates = [float(p.rate) if p.rate is not None else "不适用" for p in s.parts]
        ws.row(
            [
                s.rank,
                s.name,
                float(s.score),
                *rates,
                float(s.deducted),
                float(s.adjustment) or None,
                explain(s),
            ]
        )
    ws.finish()
    detail = PrintSheet(wb, styles, "计分明细", DETAIL_COLUMNS, header)
    detail.title(f"{header}（计分明细）")
    detail.header()
    for s in result.scores:
        for p in (p for p in s.parts if p.applies):  # a measure that does not apply: no row
            rate = float(p.rate) if p.rate is not None else None
            detail.row([s.name, p.name, p.basis, rate, float(p.weight), float(p.points)])
        for d in s.deductions:
            detail.row(
                [s.name, "扣分", f"{zh.flag_word(d.kind)}{d.items}处", None, None, -float(d.points)]
            )
        if s.adjustment:
            detail.row([s.name, "调整", "；".join(s.reasons), None, None, float(s.adjustment)])
    detail.finish()
    save_workbook(wb, buffer, path)
    return path
