"""Real-text corpora for the benchmarks: the real-news dev set plus N real distractor articles.

Each measured size N is the dev set's own articles (``../shared/devsets/realtimeqa-2023/corpus``,
424 files with 182 editor-written quiz questions) plus the first N files of the news-2024 scale
corpus (``../shared/scale/news-2024/slice-*``, real 2024 pages in a shuffled order). So every size
is timed on real text and also answers the dev questions with N unrelated articles beside the ones
that matter: the quality-at-scale figure is the drop from size 0 (the dev set alone).

The files are copied into the benchmark's work folder (the re-ingest step edits and moves files;
the shared originals are never touched) and are never written into the repository. They are copied
side by side into one flat folder: the store names an article by its path relative to the folder
ingested, so ``dev/rt23_0001.txt`` in a subfolder would never match the questions'
``expected_sources`` (``rt23_0001.txt``) and every hit rate, MRR and citation precision would read 0.
``dev_quality`` checks the names against the store before asking anything.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from benchmarks.common import REPO

SHARED = REPO.parent / "shared"
NEWS = SHARED / "scale" / "news-2024"
DEVSET = SHARED / "devsets" / "realtimeqa-2023"


class MissingCorpus(RuntimeError):
    """The shared real-text folders are not where the benchmark expects them."""


def news_files(news: Path = NEWS) -> list[Path]:
    """Every scale article in the corpus's own order (slice by slice, file name order)."""
    files = sorted(news.glob("slice-*/*.txt"), key=lambda p: (p.parent.name, p.name))
    if not files:
        raise MissingCorpus(f"no news-2024 articles under {news} (pass --news DIR, or --synthetic)")
    return files


def devset_files(devset: Path = DEVSET) -> list[Path]:
    files = sorted((devset / "corpus").glob("*.txt"))
    if not files or not (devset / "questions.jsonl").is_file():
        raise MissingCorpus(f"no dev set (corpus/ and questions.jsonl) under {devset} (pass --devset DIR)")
    return files


def build_corpus(folder: Path, distractors: int, news: Path = NEWS, devset: Path = DEVSET) -> int:
    """The dev articles and the first ``distractors`` scale articles, side by side in ``folder``.

    Flat, so the store's names are the files' own names, the ones the dev questions expect."""
    pool = news_files(news) if distractors else []
    if distractors > len(pool):
        raise MissingCorpus(f"{distractors:,} distractors asked, {len(pool):,} articles under {news}")
    files = [*devset_files(devset), *pool[:distractors]]
    names = [p.name for p in files]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise MissingCorpus(f"dev set and distractors share file names: {', '.join(twice[:5])}")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in files:
        shutil.copyfile(path, folder / path.name)
    return len(files)


class NamesMismatch(RuntimeError):
    """The dev questions expect files the store does not hold under those names (scores would read 0)."""


def check_expected_sources(questions: list[Any], held: set[str]) -> None:
    """Every file a dev question expects is an article the store holds, by the same name."""
    expected = {s for q in questions for s in q.expected_sources}
    missing = sorted(expected - held)
    if missing:
        some = sorted(held)[:3]
        raise NamesMismatch(
            f"{len(missing)} of {len(expected)} expected source(s) are not in the store by that name "
            f"(e.g. {missing[:3]}; the store holds e.g. {some}): hit rate and MRR would read 0"
        )


def dev_quality(svc: Any, questions_file: Path, out: Path) -> dict[str, Any]:
    """The dev questions through the same runner as ``news-assistant eval`` (``asked_on`` as ``as_of``)."""
    from assistant.evaluation.questions import load_questions
    from assistant.evaluation.runner import Configuration, run_configuration

    questions, _ = load_questions(questions_file)
    check_expected_sources(questions, {e.name for e in svc.sources()})
    result = run_configuration(svc, Configuration(label="default"), questions, out)
    keys = (
        "answer_accuracy",
        "first20_accuracy",
        "answer_words_median",
        "citation_precision",
        "hit_rate",
        "mrr",
        "refusal_correct",
        "false_refusal",
        "latency_p50",
        "latency_p95",
    )
    metrics = {k: result.metrics.get(k) for k in keys}
    metrics.update(questions=len(questions), seconds=round(result.seconds, 1))
    return metrics
