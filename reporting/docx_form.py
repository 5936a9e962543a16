"""公文 form in python-docx (after GB/T 9704-2012): A4, margins 37/35/28/26 mm, body in 三号
仿宋_GB2312 on a fixed 28-point line, the title in 二号 方正小标宋简体, level-1 headings in 黑体
and level-2 in 楷体_GB2312, page numbers as — 1 — below; the signature and its date (no
weekday) to the right, the 附件 line and the 附注 (联系人) where the standard puts them.

Chinese font names are set as East-Asian fonts (`w:eastAsia`): python-docx's `font.name` sets
only the Latin ones, with which Word would show Chinese text in its default font. A machine
without 仿宋_GB2312 or 方正小标宋简体 shows its substitute (FangSong, 宋体).

Saved reproducibly: the document's dates are the signature date and the package's entries
carry a fixed time, so the same data gives the same bytes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from reporting.xlsx_sheet import text_width


@dataclass(frozen=True)
class Fonts:
    title: str = "方正小标宋简体"
    heading: str = "黑体"
    subheading: str = "楷体_GB2312"
    body: str = "仿宋_GB2312"
    latin: str = "Times New Roman"
    page_number: str = "宋体"


FONTS = Fonts()
BODY = Pt(16)  # 三号
TITLE = Pt(22)  # 二号
TABLE = Pt(12)  # 小四
LINE = Pt(28)
INDENT = Pt(32)  # two characters of 三号


def set_font(
    element: object,
    east_asia: str,
    size: Pt | None = None,
    bold: bool | None = None,
    latin: str = FONTS.latin,
) -> None:
    """Set a run's or a style's fonts: Latin ones and, in `w:eastAsia`, the Chinese one."""
    font = element.font  # type: ignore[attr-defined]
    font.name = latin
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    owner = element.element if hasattr(element, "style_id") else element._element  # type: ignore[attr-defined]
    fonts = owner.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)


def new_document(portrait: bool = True) -> DocumentObject:
    """An empty document in 公文 form."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = (Mm(210), Mm(297)) if portrait else (Mm(297), Mm(210))
    section.orientation = WD_ORIENT.PORTRAIT if portrait else WD_ORIENT.LANDSCAPE
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(25)
    normal = doc.styles["Normal"]
    set_font(normal, FONTS.body, BODY)
    _language(normal.element.get_or_add_rPr())
    fmt = normal.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = False
    _page_numbers(section.footer.paragraphs[0])
    return doc


def _language(rpr: object) -> None:
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)  # type: ignore[attr-defined]


def _page_numbers(p: Paragraph) -> None:
    """— 1 — centred in 四号 宋体."""
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(p.add_run("— "), FONTS.page_number, Pt(14), latin=FONTS.page_number)
    run = p.add_run()
    set_font(run, FONTS.page_number, Pt(14), latin=FONTS.page_number)
    for kind, text in (
        ("begin", None),
        (None, "PAGE"),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == "PAGE":
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = " PAGE "
            run._r.append(code)
        else:
            shown = OxmlElement("w:t")
            shown.text = text
            run._r.append(shown)
    set_font(p.add_run(" —"), FONTS.page_number, Pt(14), latin=FONTS.page_number)


def paragraph(
    doc: DocumentObject,
    text: str = "",
    *,
    indent: bool = True,
    align: WD_ALIGN_PARAGRAPH | None = None,
) -> Paragraph:
    p = doc.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = INDENT
    if align is not None:
        p.alignment = align
    if text:
        p.add_run(text)
    return p


def title(doc: DocumentObject, text: str) -> None:
    p = paragraph(doc, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.line_spacing = Pt(36)
    set_font(p.add_run(text), FONTS.title, TITLE)
    paragraph(doc, indent=False)


def heading(doc: DocumentObject, text: str, level: int = 1) -> None:
    """一、… in 黑体; （一）… in 楷体."""
    p = paragraph(doc)
    p.paragraph_format.keep_with_next = True
    set_font(p.add_run(text), FONTS.heading if level == 1 else FONTS.subheading)


def lead_in(doc: DocumentObject, lead: str, text: str) -> None:
    """A paragraph that opens with a bold 仿宋 phrase (1. 报送不够及时。…)."""
    p = paragraph(doc)
    set_font(p.add_run(lead), FONTS.body, bold=True)
    p.add_run(text)


def table(
    doc: DocumentObject,
    header: list[str],
    rows: list[list[str]],
    widths_mm: list[float],
    centred: set[int] | None = None,
) -> Table:
    """A bordered table in 小四: header in 黑体, rows in 仿宋, single-spaced, header repeated."""
    t = doc.add_table(rows=1, cols=len(header))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for col, width in zip(t.columns, widths_mm, strict=True):
        col.width = Mm(width)  # the grid: what LibreOffice and WPS lay the table out by
    _repeat_header(t.rows[0]._tr)
    for cells, bold in [(header, True), *((row, False) for row in rows)]:
        row = t.rows[0] if bold else t.add_row()
        for col, (cell, text) in enumerate(zip(row.cells, cells, strict=True)):
            cell.width = Mm(widths_mm[col])
            p = cell.paragraphs[0]
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            if bold or col in (centred or set()):
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            set_font(p.add_run(text), FONTS.heading if bold else FONTS.body, TABLE)
    return t


def _repeat_header(tr: object) -> None:
    props = tr.get_or_add_trPr()  # type: ignore[attr-defined]
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    props.append(mark)


def caption(doc: DocumentObject, text: str) -> None:
    p = paragraph(doc, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.keep_with_next = True
    set_font(p.add_run(text), FONTS.heading, Pt(14))


def annex(doc: DocumentObject, names: list[str]) -> None:
    """附件：… a blank line under the text, two characters in, a second line of a name under
    its first character (GB/T 9704-2012 7.3.4); kept on the page of the signature."""
    keep(paragraph(doc, indent=False))
    numbered = len(names) > 1
    for i, name in enumerate(names, start=1):
        number = f"{i}. " if numbered else ""
        p = keep(paragraph(doc, f"{'附件：' if i == 1 else ''}{number}{name}", indent=False))
        hang = 3 + (1 if numbered else 0)  # 附件： and the number, in characters
        p.paragraph_format.left_indent = Pt(16 * (2 + hang))
        p.paragraph_format.first_line_indent = Pt(-16 * hang if i == 1 else -16 * (hang - 3))


def signature(doc: DocumentObject, office: str, signed_on: dt.date) -> None:
    """The office two characters from the right edge, the date (no weekday) under it, its
    first character two characters right of the office's (or, if longer, two from the edge
    with the office moved left): GB/T 9704-2012 7.3.5.2, a document without seal."""
    when = f"{signed_on.year}年{signed_on.month}月{signed_on.day}日"
    office_w, date_w = text_width(office) / 2, text_width(when) / 2  # in characters
    office_right, date_right = 2.0, office_w - date_w
    if date_right < 2:
        date_right, office_right = 2.0, 2 + date_w + 2 - office_w
    keep(paragraph(doc, indent=False))
    for text, right in ((office, office_right), (when, date_right)):
        p = paragraph(doc, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(16 * right)
        keep(p)


def keep(p: Paragraph) -> Paragraph:
    """Keep `p` on the page of the paragraph after it (the signature block stays whole)."""
    p.paragraph_format.keep_with_next = True
    return p


def save(doc: DocumentObject, path: Path, when: dt.date, author: str) -> None:
    """Save `doc` to `path` (through a temporary file), dated `when`, reproducibly."""
    stamp = dt.datetime(when.year, when.month, when.day)
    props = doc.core_properties
    props.author = props.last_modified_by = author
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(_fixed_times(buffer.getvalue()))
    tmp.replace(path)


def _fixed_times(package: bytes) -> bytes:
    """The package with every entry dated 1980-01-01 (zip stores the time of writing)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            dst.writestr(
                zipfile.ZipInfo(item.filename, (1980, 1, 1, 0, 0, 0)),
                src.read(item.filename),
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()
