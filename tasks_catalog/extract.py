"""Turn a policy document into a draft catalog: its tasks, their responsible units, its targets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tasks_catalog import clauses, targets
from tasks_catalog.directory import Directory
from tasks_catalog.reading import DocumentError, read_document
from tasks_catalog.schema import Plan, Target, Task, UnitRef
from tasks_catalog.suggest import propose_units
from tasks_catalog.text import TABLE_CAPTION, Line, Piece, clean_line, paragraphs, source_lines

CN = "一二三四五六七八九十"
L1 = re.compile(rf"^([{CN}]+)、")
L2 = re.compile(rf"^（([{CN}]+)）")
L3 = re.compile(r"^(\d{1,2})[.、](?!\d)")
PREAMBLE = re.compile(
    r"总体要求|指导思想|基本原则|工作目标|发展目标|现实基础|发展背景|总体思路|附则"
)
# The tail of a document: its commencement clause, distribution and copy lists.
DOCUMENT_TAIL = re.compile(
    r"^(?:本(?:实施)?(?:意见|规划|方案|办法|通知|规定).{0,12}(?:施行|执行|实施)|发：|抄送|-{3,})"
)
GUARANTEES = re.compile(r"保障措施|实施保障|组织保障|保障机制")
NO_TARGETS = re.compile(r"现实基础|发展背景|保障措施|实施保障|附则")
LEAD_RULE = re.compile(
    r"[^。，（〔]*(?:列第一位|排名第一|排在首位)[^。）〕]*(?:牵头单位|牵头)[^。）〕]*"
)
JURISDICTIONS = (
    ("舟山", "zhoushan"),
    ("嘉兴", "jiaxing"),
    ("城厢", "chengxiang"),
    ("浙江", "zhejiang"),
)


class NothingToExtract(DocumentError):
    pass


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


def build_tree(paras: list[Line]) -> list[Node]:
    """Return the chapters (L1) of the document with their sections (L2) and items (L3)."""
    chapters: list[Node] = []
    stack: list[Node] = []
    for line in paras:
        text = line.piece.text
        level = next((lv for lv, rx in ((1, L1), (2, L2), (3, L3)) if rx.match(text)), 0)
        if level:
            number = (L1, L2, L3)[level - 1].match(text).group(1)  # type: ignore[union-attr]
            while stack and stack[-1].level >= level:
                stack.pop()
            node = Node(level, number, line.piece)
            if stack:
                stack[-1].children.append(node)
                node.chapter = stack[0].chapter
            elif level == 1:
                chapters.append(node)
                node.chapter = text
            else:
                continue  # a numbered paragraph before any chapter: preamble
            stack.append(node)
        elif DOCUMENT_TAIL.match(text):
            stack = []  # nothing after this belongs to a task
        elif stack:
            owner = stack[-1]
            if text.startswith("专栏"):  # a box belongs to its section, not the last item
                owner = next((n for n in reversed(stack) if n.level <= 2), owner)
                stack = stack[: stack.index(owner) + 1]
            owner.body.append(line.piece)
    return chapters


def _leaves(node: Node, prefix: str) -> list[tuple[str, Node]]:
    ref = prefix + (f"({node.number})" if node.level == 2 else node.number)
    if not node.children:
        return [(ref, node)]
    return [leaf for child in node.children for leaf in _leaves(child, ref)]


def _title_and_body(node: Node) -> tuple[str, str]:
    head = node.head.text
    marker = (L1, L2, L3)[node.level - 1].match(head)
    rest = head[marker.end() :] if marker else head
    body_parts = [p.text for p in node.body]
    if "。" in rest:
        title, after = rest.split("。", 1)
        body_parts.insert(0, after)
    else:
        title = rest
    body = "\n".join(p for p in body_parts if p)
    return title.strip("：: "), body


def tasks_from(chapters: list[Node]) -> tuple[list[Task], list[tuple[str, ...]]]:
    """Return the tasks and, per task, the unit mentions the text gives (maybe none)."""
    tasks: list[Task] = []
    mentions: list[tuple[str, ...]] = []
    for chapter in chapters:
        heading = chapter.head.text
        if PREAMBLE.search(heading) and not GUARANTEES.search(heading):
            continue
        guarantees = bool(GUARANTEES.search(heading))
        roots = chapter.children or [chapter]
        for root in roots:
            prefix = chapter.number if root is not chapter else ""
            for ref, leaf in _leaves(root, prefix):
                text = leaf.all_text()
                clause = clauses.find_clause(text.text)
                if guarantees and clause is None:
                    continue
                title, body = _title_and_body(leaf)
                span = text.span()
                if clause:
                    body = body.split(text.text[clause.start : clause.end])[0].strip()
                    span = text.span(0, clause.end)
                tasks.append(
                    Task(
                        ref=ref,
                        title=title,
                        section=_section_title(chapter, leaf),
                        body=body,
                        span=span,
                        units=[
                            UnitRef(name=m.name, role=m.role)
                            for m in (clause.units if clause else ())
                        ],  # type: ignore[arg-type]
                    )
                )
                mentions.append(tuple(m.name for m in clause.units) if clause else ())
    return tasks, mentions


def _section_title(chapter: Node, leaf: Node) -> str:
    for section in chapter.children:
        if (
            section is leaf
            or leaf in section.children
            or any(leaf in c.children for c in section.children)
        ):
            return _title_and_body(section)[0]
    return _title_and_body(chapter)[0]


def unnumbered_tasks(paras: list[Line]) -> list[Task]:
    """For a document without numbered sections (a news release): each short heading line with
    paragraphs under it is one task, numbered in order (一, 二, …)."""
    tasks: list[Task] = []
    current: tuple[Line, list[Piece]] | None = None

    def close() -> None:
        if current and any("。" in p.text for p in current[1]):
            head, body = current
            ref = CN[len(tasks)] if len(tasks) < 10 else str(len(tasks) + 1)
            span_piece = Piece()
            span_piece.extend(head.piece)
            for p in body:
                span_piece.extend(p)
            tasks.append(
                Task(
                    ref=ref,
                    title=head.piece.text,
                    body="\n".join(p.text for p in body),
                    span=span_piece.span(),
                )
            )

    for line in paras:
        if line.bold or (line.heading_hash and current):
            break  # the closing part of a release (phases, bylines) is not a task
        text = line.piece.text
        if (
            line.blank_before
            and len(text) <= 20
            and text[-1] not in "。；：！？，"
            and not line.heading_hash
        ):
            close()
            current = (line, [])
        elif current:
            current[1].append(line.piece)
    close()
    return tasks


def _table_regions(lines: list[tuple[str, int]]) -> list[tuple[int, int]]:
    """Line ranges [start, end) of indicator tables: from a caption to the next numbered heading."""
    regions = []
    i = 0
    while i < len(lines):
        if TABLE_CAPTION.match(lines[i][0]):
            j = i + 1
            while j < len(lines) and not re.match(
                rf"^\s*(?:[{CN}]+、|（[{CN}]+）|\d{{1,2}}\.\D)", lines[j][0]
            ):
                j += 1
            regions.append((i, j))
            i = j
        else:
            i += 1
    return regions


TITLE = re.compile(r"^[^《]*关于.+(?:意见|规划|方案|通知|办法)$")


def find_title(lines: list[tuple[str, int]]) -> str | None:
    """Return the document's own title from its first lines, joining a title broken in two."""
    cleaned = [clean_line(raw, base).piece.text for raw, base in lines[:40]]
    cleaned = [c for c in cleaned if c]
    for i, line in enumerate(cleaned):
        if TITLE.match(line):
            return line
        if i + 1 < len(cleaned) and "关于" in line and TITLE.match(line + cleaned[i + 1]):
            return line + cleaned[i + 1]
    return None


def metadata(text: str, lines: list[tuple[str, int]], paras: list[Line]) -> dict[str, object]:
    head = "\n".join(p.piece.text for p in paras[:25])
    doc_number = re.search(r"[\u4e00-\u9fff]{1,6}〔\d{4}〕\d+号", head)
    title = find_title(lines)
    if title is None:
        quoted = re.search(r"《([^》]+(?:方案|规划|意见))》", head)
        title = quoted.group(1) if quoted else paras[0].piece.text
    flat = re.sub(r"\s+", "", text)
    years = re.search(r"规划期限为(20\d\d)[-—－至](20\d\d)年", flat)
    horizon = [int(y) for y in re.findall(r"(?:到|至)(20\d\d)年", flat)]
    issued = re.search(r"〔(20\d\d)〕|(20\d\d)年\d{1,2}月\d{1,2}日|(20\d\d)-\d\d-\d\d", flat)
    issued_year = int(next(g for g in issued.groups() if g)) if issued else None
    if years:
        start, end = int(years.group(1)), int(years.group(2))
    elif "十四五" in flat:
        start, end = 2021, 2025
    else:
        end = min((y for y in horizon if y < 2030), default=(issued_year or 2025) + 4)
        mentioned = [int(y) for y in re.findall(r"(20\d\d)年", flat) if 2015 <= int(y) <= end]
        start = issued_year if issued_year and issued_year <= end else min(mentioned, default=end)
    jurisdiction = next((code for word, code in JURISDICTIONS if word in title), None)
    if jurisdiction is None:
        jurisdiction = next(
            (code for word, code in JURISDICTIONS if word in text[:3000]), "unknown"
        )
    issuer = re.match(r"^(.*?)关于", title)
    rule = LEAD_RULE.search(text)
    return {
        "title": title.strip("《》"),
        "doc_number": doc_number.group() if doc_number else None,
        "issuer": issuer.group(1).strip() if issuer and issuer.group(1) else None,
        "start_year": start,
        "end_year": end,
        "jurisdiction": jurisdiction,
        "lead_rule": rule.group().strip() if rule else None,
    }


def extract(path: Path, directory: Directory | None = None) -> Plan:
    """Return the draft catalog of the document at `path`.

    Raises DocumentError when the file cannot be read and NothingToExtract when it holds no
    task and no target.
    """
    text, sha = read_document(path)
    return extract_text(text, source=path.name, sha256=sha, directory=directory)


def extract_text(text: str, source: str, sha256: str, directory: Directory | None = None) -> Plan:
    directory = directory or Directory.load()
    lines = source_lines(text)
    regions = _table_regions(lines)
    skip = {n for a, b in regions for n in range(a, b)}
    paras = paragraphs(text, skip)
    if not paras:
        raise NothingToExtract(f"{source}: no text found in the document")
    meta = metadata(text, lines, paras)
    chapters = build_tree(paras)
    if chapters:
        tasks, _ = tasks_from(chapters)
    else:
        tasks = unnumbered_tasks(paras)
    found = _targets(chapters, paras, lines, regions, int(meta["end_year"]))  # type: ignore[call-overload]
    if not tasks and not found:
        raise NothingToExtract(
            f"{source}: found no numbered tasks, no responsible units and no numeric targets; "
            "is this a policy document? (未识别到任务或指标)"
        )
    jurisdiction = str(meta["jurisdiction"])
    host = directory.jurisdictions.get(jurisdiction, {}).get("host") or None
    host_name = directory.units[host].name if host else None
    for task in tasks:
        if not task.units and jurisdiction in directory.jurisdictions:
            task.units = propose_units(task, directory, jurisdiction, host)
    plan_targets = [
        Target(
            code=f"T{i}",
            name=t.name,
            value=t.value,
            value_max=t.value_max,
            unit=t.measure,
            cmp=t.cmp,
            kind=t.kind,
            per_year=t.per_year,
            baseline=t.baseline,  # type: ignore[arg-type]
            baseline_year=t.baseline_year,
            year=t.year or int(meta["end_year"]),  # type: ignore[call-overload]
            owner=host_name,
            span=t.span,
        )
        for i, t in enumerate(found, start=1)
    ]
    slug = re.sub(r"[^a-z0-9]+", "-", Path(source).stem.lower()).strip("-") or "plan"
    return Plan(
        slug=slug,
        source=source,
        source_sha256=sha256,
        host=host_name,
        tasks=tasks,
        targets=plan_targets,
        **meta,  # type: ignore[arg-type]
    )


def _targets(
    chapters: list[Node],
    paras: list[Line],
    lines: list[tuple[str, int]],
    regions: list[tuple[int, int]],
    end_year: int,
) -> list[targets.FoundTarget]:
    excluded: set[int] = set()  # ids of paragraphs in chapters that state no targets
    for chapter in chapters:
        for node in _walk(chapter):
            if NO_TARGETS.search(node.head.text) or NO_TARGETS.search(chapter.head.text):
                excluded.update(id(p) for p in [node.head, *node.body])
    found: list[targets.FoundTarget] = []
    for line in paras:
        if id(line.piece) in excluded:
            continue
        found += targets.in_sentence(line.piece, end_year)
    for start, end in regions:
        caption = lines[start][0]
        if "十三五" in caption or any(id(p) in excluded for p in ()):  # past outcomes, not targets
            continue
        found += targets.in_table(lines[start:end])
    found.sort(key=lambda t: t.span[0])
    return found


def _walk(node: Node) -> list[Node]:
    return [node] + [n for c in node.children for n in _walk(c)]
