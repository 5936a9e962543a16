"""The numbered structure of a policy document: chapters (一、), sections (（一）), items (1.).

A cover notice's own numbered paragraphs (一、各责任单位要高度重视…) come before its signature
date; when numbering starts again at 一、 after that date, they are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tasks_catalog.text import Line, Piece

CN = "一二三四五六七八九十"
L1 = re.compile(rf"^([{CN}]+)、")
L2 = re.compile(rf"^（([{CN}]+)）")
L3 = re.compile(r"^(\d{1,3})[.、](?!\d)")
MARKERS = (L1, L2, L3)
# The tail of a document: its commencement clause, distribution and copy lists.
DOCUMENT_TAIL = re.compile(
    r"^(?:本(?:实施)?(?:意见|规划|方案|办法|通知|规定).{0,12}(?:施行|执行|实施)|发：|抄送|-{3,})"
)
SIGNATURE_DATE = re.compile(
    r"^(?:[（(])?(?:20\d\d|二〇[一二三四五六七八九〇零]{2})年[\d一二三四五六七八九十]{1,3}月"
    r"[\d一二三四五六七八九十]{1,3}日(?:[）)])?$"
)


@dataclass
class Node:
    level: int
    number: str
    head: Piece
    body: list[Piece] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    chapter: str = ""

    def all_text(self) -> Piece:
        piece = Piece()
        piece.extend(self.head)
        for p in self.body:
            piece.extend(p)
        return piece

    def pieces(self) -> list[Piece]:
        return [self.head, *self.body]


def level_of(text: str) -> int:
    return next((lv for lv, rx in enumerate(MARKERS, start=1) if rx.match(text)), 0)


def build_tree(paras: list[Line]) -> list[Node]:
    """Return the top nodes (chapters, or sections where a passage has no chapters) with their
    sections and items."""
    roots: list[Node] = []
    stack: list[Node] = []
    signed = False  # a signature date since the last chapter: what follows is the attachment
    for line in paras:
        text = line.piece.text
        level = level_of(text)
        if SIGNATURE_DATE.match(text):
            signed, stack = bool(roots), []
            continue
        if level:
            number = MARKERS[level - 1].match(text).group(1)  # type: ignore[union-attr]
            if level == 1 and number == "一" and signed:
                roots = []  # the cover notice's paragraphs were not tasks
            signed = False
            while stack and stack[-1].level >= level:
                stack.pop()
            node = Node(level, number, line.piece)
            if stack:
                stack[-1].children.append(node)
                node.chapter = stack[0].chapter
            elif level <= 2:
                roots.append(node)
                node.chapter = text
            else:
                continue  # a numbered item before any chapter or section: preamble
            stack.append(node)
        elif DOCUMENT_TAIL.match(text):
            stack = []  # nothing after this belongs to a task
        elif stack:
            owner = stack[-1]
            if text.startswith("专栏"):  # a box belongs to its section, not the last item
                owner = next((n for n in reversed(stack) if n.level <= 2), owner)
                stack = stack[: stack.index(owner) + 1]
            owner.body.append(line.piece)
    return roots


def ref_part(node: Node) -> str:
    return f"({node.number})" if node.level == 2 else node.number


def leaves(node: Node, prefix: str = "") -> list[tuple[str, Node]]:
    ref = prefix + ref_part(node)
    if not node.children:
        return [(ref, node)]
    return [leaf for child in node.children for leaf in leaves(child, ref)]


def walk(node: Node) -> list[Node]:
    return [node] + [n for c in node.children for n in walk(c)]


def title_and_body(node: Node) -> tuple[str, str]:
    head = node.head.text
    marker = MARKERS[node.level - 1].match(head)
    rest = head[marker.end() :] if marker else head
    body_parts = [p.text for p in node.body]
    if "。" in rest:
        title, after = rest.split("。", 1)
        body_parts.insert(0, after)
    else:
        title = rest
    body = "\n".join(p for p in body_parts if p)
    return title.strip("：: "), body


def section_title(chapter: Node, leaf: Node) -> str:
    for section in chapter.children:
        if leaf in walk(section):
            return title_and_body(section)[0]
    return title_and_body(chapter)[0]
