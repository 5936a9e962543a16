"""Read a policy document from disk: UTF-8 or GB18030 text, or .docx."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path


class DocumentError(Exception):
    """A document that cannot be read; the message says which file and what to do."""


def read_document(path: Path) -> tuple[str, str]:
    """Return (text, sha256 of the file's bytes)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DocumentError(f"{path}: is a folder; give one document file") from None
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise DocumentError(f"{path}: the file is empty (文件为空); export the document text again")
    if path.suffix.lower() == ".docx" or data[:2] == b"PK":
        return _read_docx(path, data), digest
    if b"\x00" in data[:4096]:
        raise DocumentError(
            f"{path}: this is a binary file, not text (不是文本文件); "
            "save the document as .txt (UTF-8) or .docx"
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), digest
        except UnicodeDecodeError:
            continue
    raise DocumentError(f"{path}: neither UTF-8 nor GB18030 text; save it as UTF-8")


def _read_docx(path: Path, data: bytes) -> str:
    import io

    import docx  # python-docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(
            f"{path}: not a readable .docx ({exc}); open and save it in Word or WPS"
        ) from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text.strip() for cell in row.cells))
    return "\n".join(lines)
