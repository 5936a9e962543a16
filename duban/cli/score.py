"""`duban catalog score`: what the extractor gets right unaided, against the reviewed catalog
and against the corpus's hand-labelled gold."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from duban.cli.catalog import CatalogDir
from duban.cli.common import fail, out
from duban.settings import Settings

if TYPE_CHECKING:
    from tasks_catalog.directory import Directory
    from tasks_catalog.gold import CorpusScore

GOLD_COLUMNS = (
    "file",
    "tasks found",
    "exact units",
    "leads",
    "deadlines",
    "targets recall",
    "targets precision",
)


def catalog_score(
    seeds: Annotated[Path, typer.Option("--seeds", help="Folder of the source documents")] = Path(
        "../shared/seeds"
    ),
    dir: CatalogDir = None,
    corpus: Annotated[
        Path, typer.Option("--corpus", help="Folder of other documents with hand-labelled gold")
    ] = Path("../shared/corpus"),
    gold: Annotated[
        Path, typer.Option("--gold", help="Folder of the gold files (one YAML per document)")
    ] = Path("tests/corpus_gold"),
) -> None:
    """Compare the extractor's drafts with the reviewed catalog, and with the corpus gold:
    what it gets right unaided."""
    from tasks_catalog.check import DIRECTORY_FILE, check_catalog
    from tasks_catalog.directory import Directory
    from tasks_catalog.extract import extract
    from tasks_catalog.score import score

    data_dir = dir or Settings().catalog_path()
    plans, problems = check_catalog(data_dir)
    if problems:
        fail(f"{len(problems)} problem(s) in the catalog; run `duban catalog check`", 1)
    directory = Directory.load(data_dir / DIRECTORY_FILE)
    table = Table(title="extractor vs reviewed catalog (right/reviewed)")
    for col in ("source", "tasks", "assignments", "targets"):
        table.add_column(col)
    for reviewed in plans:
        source = seeds / reviewed.source
        if not source.exists():
            table.add_row(reviewed.source, "source missing", "", "")
            continue
        s = score(extract(source, directory), reviewed, directory)
        table.add_row(reviewed.source, str(s.tasks), str(s.assignments), str(s.targets))
    out.print(table)
    if corpus.is_dir() and gold.is_dir():
        out.print(_corpus_table(corpus, gold, directory))


def _percent(right: int, total: int) -> str:
    return f"{right}/{total} ({100 * right / total:.0f}%)" if total else "–"


def _score_row(table: Table, name: str, s: CorpusScore) -> None:
    table.add_row(
        name,
        _percent(s.found, s.tasks) + (f" +{s.extra}" if s.extra else ""),
        _percent(s.exact_units, s.scored),
        _percent(s.exact_leads, s.scored),
        _percent(s.deadlines_right, s.deadlines)
        + (f" ({s.deadlines_wrong} wrong)" if s.deadlines_wrong else ""),
        _percent(s.targets_right, s.targets),
        _percent(s.targets_right, s.targets_extracted),
    )


def _corpus_table(corpus: Path, gold_dir: Path, directory: Directory) -> Table:
    from tasks_catalog.extract import extract
    from tasks_catalog.gold import CorpusScore, gold_files, load_gold, score_against_gold

    table = Table(title="extractor vs corpus gold")
    for col in GOLD_COLUMNS:
        table.add_column(col)
    total = CorpusScore("total")
    for path in gold_files(gold_dir):
        g = load_gold(path)
        source = corpus / g.source
        if not source.exists():
            table.add_row(g.source, "source missing", "", "", "", "", "")
            continue
        s = score_against_gold(extract(source, directory), g)
        total.add(s)
        _score_row(table, g.source[:40], s)
    _score_row(table, "total", total)
    return table
