"""The tasks of a document: from its numbered structure, or from prose where it has none."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tasks_catalog import deadlines, segments, unitnames
from tasks_catalog.clauses import Clause
from tasks_catalog.schema import Role, Task, UnitRef
from tasks_catalog.structure import CN, Node, leaves, ref_part, section_title, title_and_body
from tasks_catalog.text import Line, Piece

PREAMBLE = re.compile(
    r"总体要求|指导思想|基本原则|工作原则|工作目标|发展目标|主要目标|总体目标|预期目标|目标要求"
    r"|目标任务|试点目标|试点范围|重大意义|现实基础|发展背景|总体思路|附则"
)
GUARANTEES = re.compile(r"保障措施|实施保障|组织保障|保障机制")
# The procedure of a programme; its paragraphs are tasks only where they carry a unit clause
# in a document that assigns its tasks by clauses.
STEPS = re.compile(r"实施步骤|工作步骤|进度安排|实施安排|组织实施")


@dataclass
class Context:
    """What the document says once for every task: its year and the units every later task
    needs (以下均需…落实，不再列出)."""

    doc_year: int | None
    campaign_end: str | None = None
    defaults: list[str] = field(default_factory=list)
    lead_rule: str | None = None


def _chapter_kind(chapter: Node) -> str:
    heading = chapter.head.text
    if GUARANTEES.search(heading):
        return "guarantees"
    if STEPS.search(heading):
        return "steps"
    if PREAMBLE.search(heading):
        # 一、工作目标 with its own paragraph and then （一）…: the sections are the tasks
        if (
            chapter.body
            and chapter.children
            and not any(PREAMBLE.search(c.head.text) for c in chapter.children)
        ):
            return "tasks"
        return "preamble"
    return "tasks"


def tasks_from(roots: list[Node], ctx: Context, has_clauses: bool) -> list[Task]:
    tasks: list[Task] = []
    for root in roots:
        kind = _chapter_kind(root) if root.level == 1 else "tasks"
        needs_clause = kind == "guarantees" or (kind == "steps" and has_clauses)
        if kind == "preamble" and not has_clauses:
            continue
        for ref, leaf in leaves(root):
            if not leaf.body and "。" not in leaf.head.text and leaf.level == 1:
                continue  # a chapter heading with nothing under it (where a copy ends)
            for task in _leaf_tasks(ref, root, leaf, ctx):
                if (kind == "preamble" or needs_clause) and not task.units:
                    continue
                tasks.append(task)
    return tasks


def _leaf_tasks(ref: str, chapter: Node, leaf: Node, ctx: Context) -> list[Task]:
    found = segments.segments(leaf.pieces())
    leaf_title, leaf_body = title_and_body(leaf)
    out = []
    for i, (seg_ref, seg) in enumerate(zip(segments.refs(ref, found), found, strict=True)):
        clause = seg.clause or segments.prose_clause(seg.text.text)
        title = leaf_title if i == 0 else _first_sentence(seg.text.text)
        body = leaf_body if len(found) == 1 else seg.text.text
        if seg.clause and len(found) == 1:
            body = body.split(seg.clause_text)[0].strip() if seg.clause_text else body
        out.append(_task(seg_ref, title, section_title(chapter, leaf), body, seg.text, clause, ctx))
    return out


def _first_sentence(text: str) -> str:
    text = segments.SUB_ITEM.sub("", text.strip())
    return re.split(r"[。；]", text, maxsplit=1)[0][:60]


def _task(
    ref: str,
    title: str,
    section: str,
    body: str,
    text: Piece,
    clause: Clause | None,
    ctx: Context,
) -> Task:
    units = _units(clause, ctx)
    deadline = (clause.deadline if clause else None) or deadlines.in_text(text.text, ctx.doc_year)
    deadline = deadline or ctx.campaign_end
    deadline, due = deadlines.resolve(deadline, ctx.doc_year)
    return Task(
        ref=ref,
        title=title,
        section=section,
        body=body,
        span=text.span(),
        units=units,
        deadline=deadline,
        due_date=due,
    )


def _units(clause: Clause | None, ctx: Context) -> list[UnitRef]:
    if clause is None:
        return []
    units = [UnitRef(name=m.name, role=m.role) for m in clause.units]  # type: ignore[arg-type]
    for name in clause.defaults:
        if name not in ctx.defaults:
            ctx.defaults.append(name)
    named = {u.name for u in units}
    units += [UnitRef(name=n, role=Role.SUPPORT) for n in ctx.defaults if n not in named]
    return units


# --- documents without numbered tasks --------------------------------------------------------

# 市公安局牵头，负责组织开展对道路交通领域的专项整治工作。
PROSE_LEAD = re.compile(
    r"(?:^|(?<=[。；]))(?P<unit>[^，。；“”]{2,20}?)牵头[，,]负责(?P<what>[^。；]+)[。；]"
)


def prose_tasks(paras: list[Line], ctx: Context) -> list[Task]:
    """Each sentence "X牵头，负责…" of a report is one task, numbered in order."""
    tasks: list[Task] = []
    for line in paras:
        text = line.piece.text
        for m in PROSE_LEAD.finditer(text):
            unit = m.group("unit").strip()
            if not unitnames.looks_like_unit(unit):
                continue
            deadline, due = deadlines.resolve(ctx.campaign_end, ctx.doc_year)
            tasks.append(
                Task(
                    ref=str(len(tasks) + 1),
                    title=m.group("what").strip(),
                    span=line.piece.span(m.start(), m.end()),
                    units=[UnitRef(name=unit, role=Role.LEAD)],
                    deadline=deadline,
                    due_date=due,
                )
            )
    return tasks


def unnumbered_tasks(paras: list[Line]) -> list[Task]:
    """For a document without numbered sections (a news release): each short heading line with
    paragraphs under it is one task, numbered in order (一, 二, …)."""
    tasks: list[Task] = []
    current: tuple[Line, list[Piece]] | None = None

    def close() -> None:
        if current and any("。" in p.text for p in current[1]):
            head, body = current
            span_piece = Piece()
            span_piece.extend(head.piece)
            for p in body:
                span_piece.extend(p)
            tasks.append(
                Task(
                    ref=CN[len(tasks)] if len(tasks) < 10 else str(len(tasks) + 1),
                    title=head.piece.text,
                    body="\n".join(p.text for p in body),
                    span=span_piece.span(),
                )
            )

    for line in paras:
        if line.bold or (line.heading_hash and current):
            break  # the closing part of a release (phases, bylines) is not a task
        text = line.piece.text
        caption = text.startswith("（") and text.endswith("）")  # （资料图）
        if (
            line.blank_before
            and 4 <= len(text) <= 20
            and text[-1] not in "。；：！？，"
            and not line.heading_hash
            and not caption
        ):
            close()
            current = (line, [])
        elif current:
            current[1].append(line.piece)
    close()
    return tasks


__all__ = ["Context", "prose_tasks", "ref_part", "tasks_from", "unnumbered_tasks"]
