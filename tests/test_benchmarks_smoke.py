"""Smoke tests of the benchmark tooling: the synthetic corpus generator and the report formatting.

No timing is asserted here (targets live in ``python -m benchmarks``, not in tests); these only
check that the generator is deterministic and realistic and that the tables say what they measure.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from benchmarks.answer_bench import parse_importtime
from benchmarks.common import SEEDS, percentile
from benchmarks.corpus import generate_corpus, load_pool, split_sentences
from benchmarks.report import INGEST_COLUMNS, SERVER_COLUMNS, render, write_json
from benchmarks.server_bench import SKIPPED_NO_SERVE


def test_generator_is_deterministic_and_prefix_stable(tmp_path: Path) -> None:
    a = generate_corpus(SEEDS, tmp_path / "a", 12, seed=3)
    b = generate_corpus(SEEDS, tmp_path / "b", 5, seed=3)
    c = generate_corpus(SEEDS, tmp_path / "c", 5, seed=4)
    assert [p.name for p in a[:5]] == [p.name for p in b]
    assert [p.read_bytes() for p in a[:5]] == [p.read_bytes() for p in b]
    assert [p.read_bytes() for p in b] != [p.read_bytes() for p in c]
    assert len({p.read_text(encoding="utf-8") for p in a}) == len(a)


def test_generated_articles_are_made_of_seed_sentences_at_seed_length(tmp_path: Path) -> None:
    pool = load_pool(SEEDS)
    sentences = set(pool.sentences)
    paths = generate_corpus(SEEDS, tmp_path / "corpus", 40, seed=7)
    lengths = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        lengths.append(len(text))
        headline, *paragraphs = [line for line in text.splitlines() if line.strip()]
        assert headline and paragraphs
        for paragraph in paragraphs:
            for sentence in split_sentences(paragraph):
                assert sentence in sentences
    mean = sum(lengths) / len(lengths)
    assert min(pool.lengths) * 0.5 <= mean <= max(pool.lengths) * 1.3
    assert max(lengths) <= max(pool.lengths) * 1.5


def test_abbreviations_do_not_end_sentences() -> None:
    assert split_sentences("Some U.S. officials met. Mr. Biden spoke. It ended.") == [
        "Some U.S. officials met.",
        "Mr. Biden spoke.",
        "It ended.",
    ]


def test_percentile_and_importtime_parsing() -> None:
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([0.0, 10.0], 95) == 9.5
    rows = parse_importtime(
        "import time: self [us] | cumulative | imported package\n"
        "import time:       120 |        120 |   typer.core\n"
        "import time:       300 |        420 | typer\n"
    )
    assert rows == [("typer.core", 120, 120, 1), ("typer", 300, 420, 0)]


def _fake_results() -> dict:
    measured = {
        "label": "synthetic-100",
        "articles": 100,
        "status": "measured",
        "ingest": {
            "articles": 100,
            "chunks": 664,
            "seconds": 40.0,
            "articles_per_s": 2.5,
            "chunks_per_s": 16.6,
            "model_share": 0.9,
            "peak_rss_mb": 900.0,
            "store_mb": 13.5,
        },
        "reingest": {
            "unchanged": {"seconds": 0.2, "ratio_to_first": 0.005},
            "one_changed": {"seconds": 1.5},
            "one_deleted": {"seconds": 0.3},
        },
        "answers": {"reader": "extractive", "first_ask_s": 2.0, "p50_ms": 123.4, "p95_ms": 456.7},
        "cold_start": {"median_s": 5.5},
    }
    estimated = {
        "label": "synthetic-10000",
        "articles": 10000,
        "status": "estimate",
        "estimate": {"chunks": 66400, "ingest_s": 4000.0, "chunks_per_s": 16.6, "basis": "scaled linearly"},
    }
    return {
        "meta": {"cpus": 2, "load_start": [1.0, 1.0, 1.0], "load_end": [1.0, 1.0, 1.0], "total_s": 100.0},
        "corpora": [measured, estimated],
        "cli": {"import": {"import_ms": 500.0}, "ask_imports": {"modules": 2000, "forbidden_imported": []}},
        "server": {"status": SKIPPED_NO_SERVE},
    }


def test_tables_show_measured_figures_mark_estimates_and_skipped_server(tmp_path: Path) -> None:
    buf = io.StringIO()
    results = _fake_results()
    render(results, Console(file=buf, width=250, color_system=None))
    text = buf.getvalue()
    for column in [*INGEST_COLUMNS, "p50 ms", "p95 ms", *SERVER_COLUMNS]:
        assert column in text, column
    assert "664" in text and "16.6" in text and "123.4" in text and "456.7" in text
    assert "est." in text and "NOT RUN" in text
    assert SKIPPED_NO_SERVE in text
    assert "NONE of gradio / llama_cpp imported" in text

    out = tmp_path / "b.json"
    write_json(results, out)
    assert json.loads(out.read_text(encoding="utf-8"))["corpora"][1]["status"] == "estimate"


def test_real_corpus_is_the_dev_set_plus_the_first_n_distractors_copied(tmp_path: Path) -> None:
    from benchmarks.real import MissingCorpus, build_corpus

    news, dev = tmp_path / "news", tmp_path / "dev"
    for i in range(5):
        (news / f"slice-0{1 + i // 3}").mkdir(parents=True, exist_ok=True)
        (news / f"slice-0{1 + i // 3}" / f"s_{i}.txt").write_text(f"Story {i}\n\nText {i}.\n", encoding="utf-8")
    (dev / "corpus").mkdir(parents=True)
    (dev / "corpus" / "d1.txt").write_text("Dev story\n\nText.\n", encoding="utf-8")
    (dev / "questions.jsonl").write_text("{}\n", encoding="utf-8")
    n = build_corpus(tmp_path / "c", 4, news, dev)
    got = sorted(p.relative_to(tmp_path / "c").as_posix() for p in (tmp_path / "c").rglob("*.txt"))
    # flat: the store names an article by its path under the folder ingested, and the dev questions
    # expect the bare file names (a dev/ subfolder made every hit rate read 0.00)
    assert n == 5 and got == ["d1.txt", "s_0.txt", "s_1.txt", "s_2.txt", "s_3.txt"]
    (tmp_path / "c" / "s_0.txt").write_text("edited", encoding="utf-8")  # a copy: the original is safe
    assert (news / "slice-01" / "s_0.txt").read_text(encoding="utf-8").startswith("Story 0")
    with pytest.raises(MissingCorpus):
        build_corpus(tmp_path / "d", 9, news, dev)


def test_quality_table_shows_the_change_from_the_dev_set_alone() -> None:
    from benchmarks.report import quality_rows

    rows = quality_rows(
        [
            {"label": "dev+0", "ingest": {"articles": 424}, "quality": {"answer_accuracy": 0.76}},
            {"label": "dev+1000", "ingest": {"articles": 1424}, "quality": {"answer_accuracy": 0.74}},
        ]
    )
    assert rows[0][-1] == "–" and rows[1][-1] == "-0.02"


def test_dev_quality_with_distractors_scores_the_expected_files(tmp_path: Path) -> None:
    """End to end as ``python -m benchmarks`` does it: corpus built, ingested, dev questions scored.

    The seeds stand in for the dev set (``eval/questions.jsonl`` names them), two small unrelated
    articles for the distractors. Before the fix the store named the articles ``dev/...``: hit rate,
    MRR and citation precision read 0.00 while the answers were right."""
    from assistant.service import Service
    from assistant.settings import load_settings
    from benchmarks.common import QUESTIONS
    from benchmarks.real import NamesMismatch, build_corpus, check_expected_sources, dev_quality

    dev, news = tmp_path / "devset", tmp_path / "news"
    (dev / "corpus").mkdir(parents=True)
    for f in SEEDS.iterdir():
        (dev / "corpus" / f.name).write_bytes(f.read_bytes())
    lines = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    picked = [q for q in lines if not q.get("history")][:8]
    (dev / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in picked), encoding="utf-8")
    (news / "slice-01").mkdir(parents=True)
    for i, topic in enumerate(("A county fair opened with a pie contest", "Rain delayed the harbour regatta")):
        text = f"{topic}\nPublished: 2024-05-0{i + 1}\n\n{topic} on Saturday, organisers said. " * 3
        (news / "slice-01" / f"s24_0000{i}.txt").write_text(text, encoding="utf-8")
    corpus = tmp_path / "corpus"
    assert build_corpus(corpus, 2, news, dev) == 7

    svc = Service(load_settings(store_dir=tmp_path / "store", corpus_dir=corpus))
    svc.ingest(corpus)
    metrics = dev_quality(svc, dev / "questions.jsonl", tmp_path / "eval.jsonl")
    assert metrics["questions"] == len(picked)
    assert metrics["hit_rate"] >= 0.9, metrics
    assert metrics["mrr"] > 0.5 and metrics["citation_precision"] > 0.8, metrics

    from assistant.evaluation.questions import load_questions

    questions, _ = load_questions(dev / "questions.jsonl")
    with pytest.raises(NamesMismatch, match="not in the store"):
        check_expected_sources(questions, {f"dev/{e.name}" for e in svc.sources()})


@pytest.mark.slow
def test_a_worker_failing_late_keeps_what_it_measured(tmp_path: Path) -> None:
    """A 10,000-article first ingest takes an hour: a step failing after it must not lose its figures."""
    from benchmarks.common import WorkerFailed, run_worker
    from tests.topics import ARTICLES, write_articles

    corpus = write_articles(tmp_path / "corpus", ARTICLES["sport"])
    spec = {
        "label": "late",
        "corpus": str(corpus),
        "store": str(tmp_path / "store"),
        "scratch": str(tmp_path / "scratch"),
        "questions": str(tmp_path / "no-such-questions.jsonl"),  # the answers step fails
        "reingest": False,
    }
    with pytest.raises(WorkerFailed) as failed:
        run_worker(spec, tmp_path)
    partial = failed.value.partial
    assert partial is not None and partial["failed"]["step"] == "answers"
    assert "FileNotFoundError" in partial["failed"]["error"]
    assert partial["ingest"]["chunks"] > 0 and partial["ingest"]["raw_embed_chunks_per_s"] > 0
