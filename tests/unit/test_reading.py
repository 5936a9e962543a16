from __future__ import annotations

from pathlib import Path

import docx
import pytest

from tasks_catalog.extract import NothingToExtract, extract
from tasks_catalog.reading import DocumentError, read_document

DOC = "舟山市人民政府关于推进标准化工作的实施意见\n一、主要任务\n（一）标准引领\n1.推动标准化建设。内容。（责任单位：市科技局、市市场监管局）\n"


def test_gb18030_text_is_read(tmp_path: Path):
    path = tmp_path / "gbk.txt"
    path.write_bytes(DOC.encode("gb18030"))
    plan = extract(path)
    assert [(u.name, u.role) for u in plan.tasks[0].units] == [
        ("市科技局", "lead"),
        ("市市场监管局", "support"),
    ]


def test_docx_is_read(tmp_path: Path):
    path = tmp_path / "doc.docx"
    document = docx.Document()
    for line in DOC.splitlines():
        document.add_paragraph(line)
    document.save(path)
    plan = extract(path)
    assert plan.tasks[0].ref == "一(一)1"


def test_empty_binary_and_meaningless_files_say_what_is_wrong(tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    with pytest.raises(DocumentError, match=r"empty\.txt：文件为空"):
        read_document(empty)
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DocumentError, match="binary file"):
        read_document(binary)
    prose = tmp_path / "prose.txt"
    prose.write_text("今天天气很好。\n我们去公园散步。\n", encoding="utf-8")
    with pytest.raises(NothingToExtract, match=r"prose\.txt"):
        extract(prose)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DocumentError, match=r"broken\.docx"):
        read_document(broken)
