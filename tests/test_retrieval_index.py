"""The retrieval index saved with the store: a fresh process loads it, any change to the store makes
it stale, and a damaged one is rebuilt (real Chroma store, real BM25, articles on several topics)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.retrieval_index import STATS_FILE, index_root
from assistant.service import Service
from tests.conftest import make_settings
from tests.topics import ARTICLES, write_articles, write_topics

QUESTIONS = [
    "How much did Arsenal pay for Declan Rice?",
    "Who won the Lakeside Marathon?",
    "What was Harbor Foods' quarterly revenue?",
]


def _saved(settings) -> list[Path]:
    root = index_root(settings)
    return sorted(p for p in root.iterdir() if not p.name.startswith(".")) if root.is_dir() else []


def _ranked(svc: Service, question: str) -> list[tuple[str, int]]:
    return [(n.node.metadata["source"], n.node.start_char_idx) for n in svc._engine().retriever.retrieve(question)]


def test_ingest_saves_the_index_and_a_fresh_process_loads_it_with_the_same_results(tmp_path: Path) -> None:
    folders = write_topics(tmp_path / "news")
    settings = make_settings(tmp_path, corpus=folders["sport"])
    built = Service(settings)
    built.ingest([folders["sport"], folders["business"]])
    saved = _saved(settings)
    assert len(saved) == 1 and (saved[0] / STATS_FILE).is_file()

    fresh = Service(settings)  # as a new `ask` process would
    retriever = fresh._engine().retriever
    assert retriever._nodes is None, "the chunks were read from Chroma and re-tokenised instead of loaded"
    assert retriever.stats.df == built._engine().retriever.stats.df
    for q in QUESTIONS:
        assert _ranked(fresh, q) == _ranked(built, q)
    record = fresh.ask("How much did Arsenal pay for Declan Rice?")
    assert "105 million" in record.answer and record.citations[0].source == "transfer.txt"
    # a source filter needs the nodes themselves: they come from the saved index too
    only = fresh.ask("Who won?", sources=["election.txt"])
    assert "Okonkwo" in only.answer


def test_a_change_to_the_store_replaces_the_saved_index(tmp_path: Path) -> None:
    folders = write_topics(tmp_path / "news")
    settings = make_settings(tmp_path, corpus=folders["sport"])
    svc = Service(settings)
    svc.ingest(folders["sport"])
    first = _saved(settings)
    write_articles(
        folders["sport"],
        {
            "derby.txt": "City beat United in the derby\nPublished: 2024-01-14\n\n"
            "Manchester City beat Manchester United 3-1 at the Etihad on Sunday.\n"
        },
    )
    svc.ingest(folders["sport"])
    second = _saved(settings)
    assert len(second) == 1 and second != first, "the stale index was kept"

    fresh = Service(settings)
    assert "derby.txt" in fresh._engine().retriever.sources()
    assert fresh.ask("What was the score of the Manchester derby?").citations[0].source == "derby.txt"

    svc.remove(["derby.txt"])
    assert _saved(settings) != second
    assert "derby.txt" not in Service(settings)._engine().retriever.sources()


def test_a_damaged_or_missing_index_is_rebuilt_from_the_store_not_an_error(tmp_path: Path) -> None:
    folder = write_articles(tmp_path / "business", ARTICLES["business"])
    settings = make_settings(tmp_path, corpus=folder)
    Service(settings).ingest(folder)
    (saved,) = _saved(settings)
    (saved / STATS_FILE).write_text("{not json", encoding="utf-8")
    svc = Service(settings)
    assert "Okonkwo" in svc.ask("Who won the governorship of the coastal province?").answer
    (rebuilt,) = _saved(settings)  # rebuilt from Chroma's chunks, saved in place of the damaged one
    assert json.loads((rebuilt / STATS_FILE).read_text(encoding="utf-8"))["n_docs"] == svc.chunk_count()
    assert svc._engine().retriever._nodes is None, "the rebuilt index was not the one loaded"

    import shutil

    shutil.rmtree(index_root(settings))
    assert "3.2 billion" in Service(settings).ask("What was Harbor Foods' quarterly revenue?").answer
    assert len(_saved(settings)) == 1


def test_the_index_built_a_page_at_a_time_equals_the_one_built_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The saved index is built from Chroma a page of chunks at a time (memory at 10,000 articles);
    with pages of 3 chunks it must equal the build over every chunk held at once."""
    import store.paging
    from assistant.retrieval import HybridRetriever, load_nodes

    monkeypatch.setattr(store.paging, "GET_PAGE", 3)
    folders = write_topics(tmp_path / "news")
    settings = make_settings(tmp_path, corpus=folders["sport"])
    svc = Service(settings)
    svc.ingest(list(folders.values()))
    paged = Service(settings)._engine().retriever
    assert paged._nodes is None
    whole = HybridRetriever(settings, svc.vector_store, svc.embed_model, load_nodes(svc.collection))
    assert paged.stats == whole.stats and paged.chunks == whole.chunks
    for q in QUESTIONS:
        got = [(n.node.node_id, n.node.get_content(), round(n.score, 5)) for n in paged.bm25.retrieve(q)]
        assert got == [(n.node.node_id, n.node.get_content(), round(n.score, 5)) for n in whole.bm25.retrieve(q)]
    # a source filter reads only that file's chunks from the saved corpus, as whole nodes
    only = paged.retrieve("Who won?", sources=["election.txt"])
    assert only and {n.node.metadata["source"] for n in only} == {"election.txt"}
    assert paged._nodes is None, "a source filter loaded every chunk"
    want = {n.node_id: n for n in whole.nodes}
    assert all(n.node.get_content() == want[n.node.node_id].get_content() for n in only)


@pytest.mark.slow
def test_a_loaded_index_gives_each_thread_its_own_chunk(tmp_path: Path) -> None:
    """A web server reads BM25's memory-mapped corpus from many threads: each read must return the chunk
    asked for. bm25s seeks one shared mmap, then reads a line: unguarded, 8 threads making 160,000 reads
    with Python switching threads every microsecond got ~30 other chunks' lines."""
    import random
    import sys
    import threading

    import bm25s

    from assistant.retrieval_index import shared_corpus

    docs = [f"chunk {i} of an article on topic {i % 7}" for i in range(2000)]
    index = bm25s.BM25()
    index.index(bm25s.tokenize(docs, show_progress=False), show_progress=False)
    index.save(tmp_path, corpus=[{"node_id": f"n{i}"} for i in range(len(docs))], show_progress=False)
    corpus = shared_corpus(bm25s.BM25.load(tmp_path, load_corpus=True, mmap=True).corpus)
    wrong: list[int] = []

    def read(seed: int) -> None:
        pick = random.Random(seed)
        for _ in range(20_000):
            i = pick.randrange(len(docs))
            if corpus[i]["node_id"] != f"n{i}":
                wrong.append(i)

    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=read, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(before)
    assert wrong == []
