"""Read a policy document from disk: UTF-8 or GB18030 text, .docx, .xlsx or .pdf.

Tables of a .docx or .xlsx come out as pipe-separated rows (`| 序号 | 重点任务 | 牵头单位 |`), one
line per row, the form `tables.py` reads; a merged cell's text is repeated in every row it spans.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path


class DocumentError(Exception):
    """A document that cannot be read; the message says which file and what to do."""


def read_document(path: Path) -> tuple[str, str]:
    """Return (text, sha256 of the file's bytes)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"{path}：文件不存在（no such file）") from None
    except IsADirectoryError:
        raise DocumentError(f"{path}：这是一个文件夹，请给出一个文件（is a folder）") from None
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise DocumentError(f"{path}：文件为空，请重新导出文档文字（the file is empty）")
    suffix = path.suffix.lower()
    if suffix == ".pdf" or data[:5] == b"%PDF-":
        return _read_pdf(path, data), digest
    if suffix in (".xlsx", ".xlsm") or (data[:2] == b"PK" and b"xl/" in data[:2000]):
        return _read_xlsx(path, data), digest
    if suffix == ".docx" or data[:2] == b"PK":
        return _read_docx(path, data), digest
    if b"\x00" in data[:4096]:
        raise DocumentError(
            f"{path}：不是文本文件，请另存为 .txt（UTF-8）、.docx、.xlsx 或 .pdf"
            "（a binary file, not text）"
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), digest
        except UnicodeDecodeError:
            continue
    raise DocumentError(f"{path}：既不是 UTF-8 也不是 GB18030 文本，请另存为 UTF-8")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(" ".join(c.split()) for c in cells) + " |"


def _read_docx(path: Path, data: bytes) -> str:
    import docx  # python-docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(
            f"{path}：无法读取的 .docx（{exc}），请在 Word 或 WPS 中打开后另存"
        ) from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines.append("")
        for row in table.rows:
            lines.append(_row([cell.text for cell in row.cells]))
    return "\n".join(lines)


def _read_xlsx(path: Path, data: bytes) -> str:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DocumentError(
            f"{path}：无法读取的 .xlsx（{exc}），请在 Excel 或 WPS 中打开后另存"
        ) from None
    lines: list[str] = []
    for sheet in book.worksheets:
        merged = {}
        for rng in sheet.merged_cells.ranges:
            value = sheet.cell(rng.min_row, rng.min_col).value
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    merged[(r, c)] = value
        for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [merged.get((r, c), v) for c, v in enumerate(row, start=1)]
            texts = ["" if v is None else str(v) for v in cells]
            if any(t.strip() for t in texts):
                lines.append(_row(texts) if len([t for t in texts if t.strip()]) > 1 else texts[0])
        lines.append("")
    return "\n".join(lines)


def _read_pdf(path: Path, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise DocumentError(f"{path}：无法读取的 PDF（{exc}），请导出为 .docx 或 .txt") from None
    text = "\n".join(pages)
    if not text.strip():
        raise DocumentError(
            f"{path}：PDF 中没有文字层（可能是扫描件），请先做文字识别或导出为 .docx"
            "（no text layer）"
        )
    return text
