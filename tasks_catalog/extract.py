"""Turn a policy document into a draft catalog: its tasks, their responsible units, its targets."""

from __future__ import annotations

import re
from pathlib import Path

from tasks_catalog import clauses, deadlines, metadata, segments, tables, targets
from tasks_catalog.directory import Directory
from tasks_catalog.reading import DocumentError, read_document
from tasks_catalog.schema import Plan, Target, Task
from tasks_catalog.script import to_simplified
from tasks_catalog.structure import CN, Node, build_tree, walk
from tasks_catalog.suggest import propose_units
from tasks_catalog.tasklist import Context, prose_tasks, tasks_from, unnumbered_tasks
from tasks_catalog.text import TABLE_CAPTION, Line, paragraphs, source_lines

NO_TARGETS = re.compile(r"现实基础|发展背景|保障措施|实施保障|附则")
# A note a copy carries before the document itself (source: …): not the document's text.
COPY_NOTE = re.compile(r"^source:.*$")


class NothingToExtract(DocumentError):
    pass


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


def extract(path: Path, directory: Directory | None = None) -> Plan:
    """Return the draft catalog of the document at `path`.

    Raises DocumentError when the file cannot be read and NothingToExtract when it holds no
    task and no target.
    """
    text, sha = read_document(path)
    return extract_text(text, source=path.name, sha256=sha, directory=directory)


def _document_text(text: str) -> str:
    """The text as the extractor reads it: simplified script, the copy's note blanked out (so
    every offset stays the source's)."""
    first = text.split("\n", 1)[0]
    if COPY_NOTE.match(first):
        text = " " * len(first) + text[len(first) :]
    return to_simplified(text)


def extract_text(text: str, source: str, sha256: str, directory: Directory | None = None) -> Plan:
    directory = directory or Directory.load()
    text = _document_text(text)
    lines = source_lines(text)
    regions = _table_regions(lines)
    table = tables.find_task_table(lines)
    skip = {n for a, b in regions for n in range(a, b)} | (table.lines if table else set())
    paras = paragraphs(text, skip)
    if not paras and table is None:
        raise NothingToExtract(f"{source}：文档中没有可读的文字（no text found）")
    meta = _metadata(text, lines, paras)
    issued = meta.pop("doc_year")
    ctx = Context(doc_year=issued, campaign_end=deadlines.campaign_end(text))  # type: ignore[arg-type]
    roots = build_tree(paras)
    tasks = _tasks(roots, paras, table, ctx, text)
    found = _targets(roots, paras, lines, regions, table, int(meta["end_year"]))  # type: ignore[call-overload]
    if not tasks and not found:
        raise NothingToExtract(
            f"{source}：未识别到任务、责任单位或指标，请确认这是一份政策文件"
            "（found no numbered tasks, no responsible units and no numeric targets）"
        )
    jurisdiction = str(meta["jurisdiction"])
    host = directory.jurisdictions.get(jurisdiction, {}).get("host") or None
    host_name = directory.units[host].name if host else None
    for task in tasks:
        # Only where the text names no unit at all; its guesses stay marked as proposals.
        if not task.units and jurisdiction in directory.jurisdictions:
            task.units = propose_units(task, directory, jurisdiction, host)
    slug = re.sub(r"[^a-z0-9]+", "-", Path(source).stem.lower()).strip("-") or "plan"
    return Plan(
        slug=slug,
        source=source,
        source_sha256=sha256,
        host=host_name,
        tasks=tasks,
        targets=[_target(i, t, host_name, meta) for i, t in enumerate(found, start=1)],
        **meta,  # type: ignore[arg-type]
    )


def _tasks(
    roots: list[Node], paras: list[Line], table: tables.TaskTable | None, ctx: Context, text: str
) -> list[Task]:
    if table is not None:
        return tables.table_tasks(table, ctx)
    if roots:
        has_clauses = any(
            clauses.find_clauses(p.piece.text) or segments.LABEL_LINE.match(p.piece.text)
            for p in paras
        )
        return tasks_from(roots, ctx, has_clauses)
    return prose_tasks(paras, ctx) or unnumbered_tasks(paras)


def _target(i: int, t: targets.FoundTarget, owner: str | None, meta: dict[str, object]) -> Target:
    return Target(
        code=f"T{i}",
        name=t.name,
        value=t.value,
        value_max=t.value_max,
        unit=t.measure,
        cmp=t.cmp,  # type: ignore[arg-type]
        kind=t.kind,  # type: ignore[arg-type]
        per_year=t.per_year,
        baseline=t.baseline,
        baseline_year=t.baseline_year,
        year=t.year or int(meta["end_year"]),  # type: ignore[call-overload]
        owner=owner,
        span=t.span,
    )


def _metadata(text: str, lines: list[tuple[str, int]], paras: list[Line]) -> dict[str, object]:
    title = metadata.find_title(lines)
    if title is None:
        head = "\n".join(p.piece.text for p in paras[:25])
        quoted = metadata.QUOTED.search(head)
        title = quoted.group(1) if quoted else (paras[0].piece.text if paras else "")
    issued = metadata.doc_year(paras, title)
    start, end = metadata.years(text, title, issued)
    issuer = re.match(r"^(.*?)关于", title)
    return {
        "title": title.strip("《》"),
        "doc_number": metadata.doc_number(lines),
        "issuer": issuer.group(1).strip() if issuer and issuer.group(1) else None,
        "start_year": start,
        "end_year": end,
        "jurisdiction": metadata.jurisdiction(title, text),
        "lead_rule": metadata.lead_rule("\n".join(p.piece.text for p in paras)),
        "doc_year": issued,
    }


def _targets(
    roots: list[Node],
    paras: list[Line],
    lines: list[tuple[str, int]],
    regions: list[tuple[int, int]],
    table: tables.TaskTable | None,
    end_year: int,
) -> list[targets.FoundTarget]:
    excluded: set[int] = set()  # ids of paragraphs in chapters that state no targets
    for root in roots:
        for node in walk(root):
            if NO_TARGETS.search(node.head.text) or NO_TARGETS.search(root.head.text):
                excluded.update(id(p) for p in [node.head, *node.body])
    found: list[targets.FoundTarget] = []
    for line in paras:
        if id(line.piece) not in excluded:
            found += targets.in_sentence(line.piece, end_year)
    for start, end in regions:
        if "十三五" not in lines[start][0]:  # a table of past outcomes states no targets
            found += targets.in_table(lines[start:end])
    if table is not None:
        found += tables.table_targets(table, end_year)
    found.sort(key=lambda t: t.span[0])
    return targets.deduplicated(found)
