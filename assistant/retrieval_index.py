"""The retrieval index kept with the store: the BM25 index (with its chunks) and the term statistics.

Tokenising every chunk for BM25 and the corpus term statistics, and reading every chunk back from
Chroma, cost seconds at a thousand articles; a fresh ``ask`` process loads this folder instead. It
is derived data, keyed by the store's version (collection id, chunk count, ingest record version):
any ingest, from any process or machine, makes the old one stale, and a missing, stale or unreadable
index is simply rebuilt from the store (never an error). BM25 uses bm25s' own file format
(``BM25Retriever.persist``, numpy arrays and JSON, no pickle); its corpus holds each chunk as
LlamaIndex's metadata dict, so the chunks come back as the same ``TextNode`` objects.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.settings import Settings

if TYPE_CHECKING:
    from llama_index.core.schema import TextNode

    from assistant.retrieval import TermStats

#: bump when what is saved (or how BM25 is built) changes: older folders are then ignored
FORMAT = 2
INDEX_DIR = "index"
STATS_FILE = "term_stats.json"
BM25_DIR = "bm25"
#: a temporary copy older than this was left by a writer that died
STALE_TMP_S = 3600

log = logging.getLogger(__name__)


def index_key(settings: Settings, collection_id: str, version: Any) -> str:
    """A short name for one version of one store's index (server stores are told apart by URL)."""
    ident = [FORMAT, settings.chroma_url or "", settings.collection, collection_id, repr(version)]
    return hashlib.sha256(json.dumps(ident).encode()).hexdigest()[:20]


def index_root(settings: Settings) -> Path:
    """Where the indexes live: the store folder (also, for a Chroma server, the local one)."""
    return settings.store_dir / INDEX_DIR


def load_index(settings: Settings, key: str) -> tuple[Any, Callable[[], list[TextNode]], TermStats, list] | None:
    """The saved BM25 retriever, a function giving its chunks' nodes (in index order), the term statistics
    and the chunk table (``ChunkMeta``); None if absent or unreadable.

    The BM25 arrays and corpus are memory-mapped (bm25s' ``mmap``): a question reads only its hits."""
    folder = index_root(settings) / key
    if not (folder / STATS_FILE).is_file():
        return None
    try:
        import Stemmer
        from llama_index.retrievers.bm25 import BM25Retriever

        from assistant.retrieval import ChunkMeta, TermStats, corpus_node

        bm25 = BM25Retriever.from_persist_dir(str(folder / BM25_DIR), show_progress=False, mmap=True)
        bm25.corpus = bm25.bm25.corpus = shared_corpus(bm25.corpus)
        bm25.stemmer = Stemmer.Stemmer("english")
        raw = json.loads((folder / STATS_FILE).read_text(encoding="utf-8"))
        stats = TermStats(n_docs=int(raw["n_docs"]), df=_counter(raw["df"]))
        chunks = [ChunkMeta(*row) for row in raw["chunks"]]
    except Exception as exc:  # a half-deleted or foreign folder: rebuild from the store
        log.info("retrieval index %s unreadable (%s); rebuilding it", folder, exc)
        shutil.rmtree(folder, ignore_errors=True)  # saved folders are never written in place: this one is damaged
        return None
    if not stats.n_docs == len(chunks) == len(bm25.corpus):
        return None

    def nodes() -> list[TextNode]:
        return [corpus_node(bm25.corpus[i]) for i in range(len(bm25.corpus))]

    return bm25, nodes, stats, chunks


def shared_corpus(corpus: Any) -> Any:
    """bm25s' memory-mapped corpus made safe for a web server's threads.

    Its read seeks one shared ``mmap`` and then reads a line, so two threads reading at once can each
    get the other's line: a passage and citation of another chunk than BM25 ranked (8 threads, 24,000
    reads of the dev set's corpus: 3 wrong, 26 with Python switching threads every microsecond). Reads
    take a lock here; a question reads a dozen or two."""
    return SharedCorpus(corpus)


class SharedCorpus:
    """A corpus (``bm25s``' ``JsonlCorpus``) read by one thread at a time."""

    def __init__(self, corpus: Any) -> None:
        import threading

        self.corpus = corpus
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self.corpus)

    def __getitem__(self, index: Any) -> Any:
        with self._lock:
            return self.corpus[index]


def save_index(settings: Settings, key: str, bm25: Any, stats: TermStats, chunks: list) -> Path | None:
    """Write the index for ``key`` (atomically: a new folder renamed into place) and drop older versions.

    Several processes may build the same version at once; the first rename wins and the others'
    copies are discarded. A read-only or full disk only costs the next process the rebuild.
    """
    root = index_root(settings)
    final = root / key
    tmp = root / f".{key}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        root.mkdir(parents=True, exist_ok=True)
        if not (final / STATS_FILE).is_file():
            (tmp / BM25_DIR).mkdir(parents=True)
            bm25.persist(str(tmp / BM25_DIR), show_progress=False)
            payload = {"n_docs": stats.n_docs, "df": dict(stats.df), "chunks": [list(c) for c in chunks]}
            (tmp / STATS_FILE).write_text(json.dumps(payload), encoding="utf-8")
            with contextlib.suppress(OSError):  # another process renamed its copy first
                os.rename(tmp, final)
    except OSError as exc:
        log.warning("could not save the retrieval index under %s (%s); the next start rebuilds it", root, exc)
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    prune_indexes(settings, keep=key)
    return final if final.is_dir() else None


def prune_indexes(settings: Settings, keep: str | None = None) -> None:
    """Delete every saved index but ``keep`` (stale versions; ``ingest --rebuild`` drops them all)."""
    root = index_root(settings)
    if not root.is_dir():
        return
    for entry in root.iterdir():
        if entry.name.startswith("."):  # a copy being written, or left by a writer that crashed
            with contextlib.suppress(OSError):
                if time.time() - entry.stat().st_mtime > STALE_TMP_S:
                    shutil.rmtree(entry, ignore_errors=True)
        elif entry.name != keep:
            shutil.rmtree(entry, ignore_errors=True)


def _counter(df: dict[str, int]) -> Any:
    from collections import Counter

    return Counter({k: int(v) for k, v in df.items()})


def open_retriever(settings: Settings, collection: Any, vector_store: Any, embed_model: Any, version: Any) -> Any:
    """The ``HybridRetriever`` for this version of the store: from the saved index when there is one,
    else built from the store's chunks a page at a time and saved (``assistant.retrieval_build``), then
    loaded like any saved index. Where it cannot be saved (a read-only store), it is built in memory."""
    from assistant.retrieval import HybridRetriever, load_nodes
    from assistant.retrieval_build import build_streaming

    key = index_key(settings, str(collection.id), version)
    saved = load_index(settings, key)
    if saved is None:
        try:
            built = build_streaming(collection, max(settings.top_k * 2, 10))
            if built is not None and save_index(settings, key, *built) is not None:
                saved = load_index(settings, key)
        except Exception as exc:  # the store changed under the build: the in-memory build reads it again
            log.info("building the retrieval index page by page failed (%s); building it in memory", exc)
    if saved is not None:
        bm25, nodes, stats, chunks = saved
        return HybridRetriever(settings, vector_store, embed_model, nodes, bm25=bm25, stats=stats, chunks=chunks)
    return HybridRetriever(settings, vector_store, embed_model, load_nodes(collection))
