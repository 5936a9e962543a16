"""Split a numbered item into the tasks its unit clauses assign.

An item usually ends in one clause. Some hold several: paragraphs each with its own clause, or
sub-items （1）…（2）… inline, or two sentences each followed by a clause. Each clause closes one
task; the text after the last clause in the same paragraph is its own task only when it starts
a sub-item, and paragraphs after the last clause (a document's closing remarks) are no task's.
A clause on its own line (责任单位：A、B) covers the block of sub-items above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks_catalog import clauses
from tasks_catalog.clauses import Clause
from tasks_catalog.text import Piece

SUB_ITEM = re.compile(r"^（(\d{1,2})）")
LABEL_LINE = re.compile(r"^(?:牵头单位|责任单位|牵头部门|责任部门|主办单位|配合单位|协办单位)：")
# 道路交通安全专项整治，由公安、交通部门负责，有关部门配合。
PROSE = re.compile(
    r"[，,]由(?P<units>[^。；]{2,60}?负责(?:[，,][^。；]{2,40}?(?:配合|参与|协助))?)[。；]"
)


@dataclass
class Segment:
    text: Piece  # the task's text up to and including its clause
    clause: Clause | None
    tail: Piece  # text after the clause that belongs to no other task
    marker: str | None = None  # （1） when the segment starts a sub-item
    clause_text: str = ""


def _clauses_of(text: str) -> list[Clause]:
    stripped = text.strip()
    if LABEL_LINE.match(stripped):
        whole = clauses.parse_clause(stripped, 0, len(text))
        return [whole] if whole else []
    return clauses.find_clauses(text)


def segments(pieces: list[Piece]) -> list[Segment]:
    found: list[Segment] = []
    current = Piece()
    for piece in pieces:
        start = 0
        for clause in _clauses_of(piece.text):
            current.extend(piece.slice(start, clause.end))
            found.append(
                Segment(
                    current,
                    clause,
                    Piece(),
                    _marker(current.text),
                    piece.text[clause.start : clause.end],
                )
            )
            current, start = Piece(), clause.end
        rest = piece.slice(start)
        if not rest.text.strip():
            continue
        if found and start > 0 and not SUB_ITEM.match(rest.text.strip()):
            found[-1].tail.extend(rest)  # the same paragraph goes on after its clause
        else:
            current.extend(rest)  # the next task's text, or closing text if no clause follows
    if current.text.strip():
        if found and not SUB_ITEM.match(current.text.strip()):
            found[-1].tail.extend(current)
        else:
            found.append(Segment(current, None, Piece(), _marker(current.text)))
    return found or [Segment(_joined(pieces), None, Piece())]


def _joined(pieces: list[Piece]) -> Piece:
    joined = Piece()
    for p in pieces:
        joined.extend(p)
    return joined


def _marker(text: str) -> str | None:
    m = SUB_ITEM.match(text.strip())
    if m:
        return f"({m.group(1)})"
    # 1.深化商事制度改革。（1）全面落实…: the sub-item starts after the item's own title
    after_title = text.split("。", 1)[1] if "。" in text else ""
    m = SUB_ITEM.match(after_title.strip())
    return f"({m.group(1)})" if m else None


def prose_clause(text: str) -> Clause | None:
    """A task whose heading says who is responsible: …，由A、B负责，有关部门配合。"""
    first = text.split("。", 1)[0] + "。"
    m = PROSE.search(first)
    if not m:
        return None
    return clauses.parse_clause(m.group("units"), m.start(), m.end())


def refs(base: str, found: list[Segment]) -> list[str]:
    if len(found) == 1:
        return [base]
    markers = [s.marker for s in found]
    if all(markers) and len(set(markers)) == len(markers):
        return [base + str(m) for m in markers]
    return [f"{base}-{i}" for i in range(1, len(found) + 1)]
