"""The extractor against hand-labelled gold for the corpus passages (../shared/corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks_catalog.directory import Directory
from tasks_catalog.extract import extract
from tasks_catalog.gold import CorpusScore, gold_files, load_gold, score_against_gold

GOLD = Path(__file__).resolve().parents[1] / "corpus_gold"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus")


def corpus_score() -> CorpusScore:
    directory = Directory.load()
    total = CorpusScore("total")
    for path in gold_files(GOLD):
        gold = load_gold(path)
        total.add(score_against_gold(extract(CORPUS / gold.source, directory), gold))
    return total


def test_gold_covers_at_least_twenty_passages_and_every_task_has_a_ref():
    golds = [load_gold(p) for p in gold_files(GOLD)]
    assert len(golds) >= 20
    assert all(t.ref for g in golds for t in g.tasks)


@needs_corpus
def test_the_corpus_gold_scores_above_the_issue_thresholds():
    s = corpus_score()
    assert s.found / s.tasks >= 0.95 and s.extra <= 0.05 * s.tasks
    assert s.exact_units / s.scored >= 0.95
    assert s.exact_leads / s.scored >= 0.95
    assert s.deadlines_right / s.deadlines >= 0.95
    assert s.deadlines_wrong <= 0.05 * s.tasks
    assert s.targets_right / s.targets >= 0.90
    assert s.targets_right / s.targets_extracted >= 0.90
