"""The yearly 考核 as a 通报 in 公文 form: 2025年度标准强市建设工作考核结果的通报 — how the
score is made, the ranked results (a table), the adjustments and their reasons, what is
asked of the units, the 附件 (the 考核 table), the office's signature."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from docx.document import Document as DocumentObject

from reporting import docx_form as form
from reporting.names import subject, year_download_names
from reporting.notice_data import Signature
from reporting.yearly import CENT, YearResult
from reporting.yearly_xlsx import method
from vocab import zh

STANDARD_REQUEST = (
    "各单位要对照考核结果，认真查找工作中的短板和不足，举一反三、抓好整改；"
    "进一步规范工作进展报送，确保按时、完整、如实报送，推动各项目标任务落到实处。"
)


@dataclass(frozen=True)
class YearNotice:
    programme: str
    signature: Signature
    addressees: str = "各有关单位"
    plan_short: str | None = None
    doc_number: str | None = None
    request: str = STANDARD_REQUEST


def write_year_notice(result: YearResult, notice: YearNotice, path: Path) -> Path:
    doc = form.new_document()
    about = subject(notice.programme, notice.plan_short)
    form.title(doc, f"{result.year}年度{about}工作考核结果的通报")
    form.paragraph(doc, f"{notice.addressees}：", indent=False)
    number = f"（{notice.doc_number}）" if notice.doc_number else ""
    form.paragraph(
        doc,
        f"根据《{result.plan_title}》{number}关于严格考核评价的要求，领导小组办公室对"
        f"{len(result.scores)}家单位{result.year}年度{about}工作进行了考核。现将考核结果通报如下：",
    )
    form.heading(doc, "一、考核办法")
    periods = "、".join(zh.period_name(p) for p in result.periods)
    form.paragraph(doc, f"考核依据{periods}各单位报送的工作进展和指标数据。{method(result)}")
    form.heading(doc, "二、考核结果")
    _results(doc, result)
    form.heading(doc, "三、有关说明")
    _adjustments(doc, result)
    form.heading(doc, "四、工作要求")
    form.keep(form.paragraph(doc, notice.request))
    form.annex(
        doc,
        [
            year_download_names(notice.programme, result.year, notice.plan_short)[0].removesuffix(
                ".xlsx"
            )
        ],
    )
    form.signature(doc, notice.signature.office, notice.signature.signed_on)
    s = notice.signature
    contact = "；".join(
        p for p in (s.contact and f"联系人：{s.contact}", s.phone and f"联系电话：{s.phone}") if p
    )
    if contact:
        form.paragraph(doc, f"（{contact}）")
    path.parent.mkdir(parents=True, exist_ok=True)
    form.save(doc, path, s.signed_on, s.office)
    return path


def _results(doc: DocumentObject, result: YearResult) -> None:
    scores = result.scores
    if not scores:
        form.paragraph(doc, "本年度无参加考核的单位。")
        return
    top = [s for s in scores if s.rank <= 3]
    names = "、".join(f"{s.name}（{zh.number(s.score)}分）" for s in top)
    mean = (sum((s.score for s in scores), Decimal(0)) / len(scores)).quantize(CENT, ROUND_HALF_UP)
    form.paragraph(
        doc,
        f"参加考核的{len(scores)}家单位平均得分{zh.number(mean)}分；"
        f"得分前三位的是{names}。各单位得分如下表（得分相同的名次并列）。",
    )
    form.caption(doc, f"{result.year}年度考核结果")
    rows = [
        [
            str(s.rank),
            s.name,
            zh.number(s.score),
            zh.number(s.deducted) if s.deducted else "",
            _signed(s.adjustment),
        ]
        for s in scores
    ]
    form.table(
        doc,
        ["名次", "单位", "得分", "扣分", "调整"],
        rows,
        [18, 70, 24, 22, 22],
        centred={0, 2, 3, 4},
    )
    form.paragraph(doc, indent=False)


def _adjustments(doc: DocumentObject, result: YearResult) -> None:
    adjusted = [s for s in result.scores if s.adjustment]
    if not adjusted:
        form.paragraph(doc, "本年度无得分调整。各单位的计分依据见附件。")
        return
    form.paragraph(doc, "经研究，对以下单位的得分作了调整（已计入上表）：")
    for i, s in enumerate(adjusted, start=1):
        form.paragraph(
            doc,
            f"{i}. {s.name}{_signed(s.adjustment)}分：{'；'.join(r.rstrip('。') for r in s.reasons)}。",
        )
    form.paragraph(doc, "各单位的计分依据见附件。")


def _signed(points: Decimal) -> str:
    text = zh.number(points)
    return "" if not points else (text if text.startswith("-") else f"+{text}")
