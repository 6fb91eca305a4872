"""Chunk → embed → write, overlapped: ingest takes about as long as its embedding alone.

Embedding is the slow stage (onnxruntime, or a remote server, releases the GIL), so a reader
thread chunks the next batch of articles while the current one embeds, and a writer thread puts
embedded batches into Chroma (one ``add`` per batch), the catalogue and the ingest record. The
record (``save_docstore``) is rewritten at most every ``SAVE_EVERY_S`` in embedded mode, not per
batch: a record that lags only makes the next ingest redo those articles, because chunks are
written before the catalogue entry and the catalogue before the record. This replaces LlamaIndex's
``IngestionPipeline`` run but keeps its docstore entries (``set_document_hashes`` +
``add_documents``) and its embedding call (``BaseEmbedding.get_text_embedding_batch``).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from llama_index.core import Document
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import BaseNode, MetadataMode, TransformComponent

from store.config import StoreSettings
from store.documents import with_article_metadata
from store.heap import trim

#: Articles per batch: small enough that the first chunking and the last write overlap little.
BATCH_DOCS = 16
#: Embedded mode: the JSON ingest record is rewritten after the first batch, then at most this often (and at the end).
SAVE_EVERY_S = 5.0

Batch = list[tuple[Document, Any]]
#: Called on a batch just before it is chunked: the part of it this ingest may do (``store.claims``).
Take = Callable[[Batch], Batch]
#: (done, total) articles embedded.
Progress = Callable[[int, int], None]
#: (done, total) chunks embedded; ``total`` counts the chunks cut so far (exact once every batch is chunked).
ChunkProgress = Callable[[int, int], None]
#: Chunks embedded per call when someone follows the chunk progress (the model batches inside each call).
STEP_CHUNKS = 16


def chunk_id(index: int, doc: BaseNode) -> str:
    """Deterministic chunk id: re-running an interrupted ingest rewrites, never duplicates."""
    return f"{doc.id_}#{doc.hash[:12]}#{index}"


def make_splitter(settings: StoreSettings) -> SentenceSplitter:
    import tiktoken

    enc = tiktoken.get_encoding("cl100k_base")
    return SentenceSplitter(
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        tokenizer=enc.encode,
        id_func=chunk_id,
        include_prev_next_rel=False,
    )


class ChunkOffsets(TransformComponent):
    """Keep only chunks whose text is the file text at ``[start_char_idx:end_char_idx]``.

    Citations are character offsets into the file; a chunk the splitter could not place exactly
    would make them wrong, so it is dropped (this has not been seen on real text).
    """

    def __call__(self, nodes: list[BaseNode], **kwargs: Any) -> list[BaseNode]:
        return [n for n in nodes if n.start_char_idx is not None and n.end_char_idx is not None]


def chunk_documents(docs: list[Document], splitter: SentenceSplitter) -> list[BaseNode]:
    return ChunkOffsets()(splitter(docs))


def embed_nodes(
    nodes: list[BaseNode],
    embed_model: Any,
    embedded: Callable[[int], None] | None = None,
    known: Mapping[str, Any] | None = None,
) -> list[BaseNode]:
    """Embed as LlamaIndex's pipeline does (metadata-mode EMBED text), through the model's batch API.

    ``known`` maps chunk texts to vectors already in the store (the unchanged chunks of a changed
    article): those are taken as they are, so an edited article or a metadata upgrade re-embeds only
    the text that changed. With ``embedded`` (told how many chunks each step embedded or took) the
    texts go to the model ``STEP_CHUNKS`` at a time, so a page can show chunks embedded / total while
    a large article embeds; the same texts reach the same model, only in smaller calls (vectors equal
    up to floating-point rounding of the padded batches).
    """
    texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
    known = known or {}
    todo = [t for t in texts if t not in known]
    fresh = _embed_texts(todo, embed_model, embedded)
    if embedded is not None and len(todo) < len(texts):
        embedded(len(texts) - len(todo))
    made = iter(fresh)
    for node, text in zip(nodes, texts, strict=True):
        node.embedding = [float(x) for x in known[text]] if text in known else next(made)
    return nodes


def _embed_texts(texts: list[str], embed_model: Any, embedded: Callable[[int], None] | None) -> list[Any]:
    """Vectors of ``texts`` in order. A model with ``num_workers`` > 1 (an embedding server:
    ``assistant.embedding_remote``) gets that many batches at once, from threads (each call waits on the
    network); the local model takes them one after the other (it already keeps every core busy)."""
    workers = int(getattr(embed_model, "num_workers", None) or 1)
    if not texts or (embedded is None and workers == 1):
        return embed_model.get_text_embedding_batch(texts) if texts else []
    step = STEP_CHUNKS if workers == 1 else max(1, int(getattr(embed_model, "embed_batch_size", STEP_CHUNKS)))
    pieces = [texts[i : i + step] for i in range(0, len(texts), step)]
    out: list[Any] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for piece, vectors in zip(pieces, pool.map(embed_model.get_text_embedding_batch, pieces), strict=True):
            out += vectors
            if embedded is not None:
                embedded(len(piece))
    return out


def stored_vectors(vector_store: Any, names: list[str]) -> dict[str, Any]:
    """Chunk text -> stored vector for the chunks of the articles ``names`` (Chroma's ``get``)."""
    out: dict[str, Any] = {}
    for i in range(0, len(names), 200):
        got = vector_store._collection.get(
            where={"document_id": {"$in": names[i : i + 200]}}, include=["documents", "embeddings"]
        )
        vectors = got.get("embeddings")
        for text, vector in zip(got.get("documents") or [], [] if vectors is None else vectors, strict=True):
            out[text] = vector
    return out


def batches(todo: Batch, size: int = BATCH_DOCS) -> list[Batch]:
    return [todo[i : i + size] for i in range(0, len(todo), size)]


def claim(batch: Batch, take: Take | None) -> Batch:
    """The part of ``batch`` this ingest does (``take``: ``store.claims``), with what each text says about
    itself (title, outlet, people, places, date: spaCy reads its head) added to the documents.

    Read here, one batch at a time just before it is chunked, not for the whole folder first: it runs
    while the previous batch embeds, only the articles this worker claimed are read (with several
    workers each used to read every article), and progress moves from the first batch on.
    """
    if take is not None:
        batch = take(batch)
    with_article_metadata([d for d, _ in batch if "title" not in d.metadata])
    return batch


class Writer:
    """The write stage, on its own thread: chunks, then catalogue entries, then the ingest record."""

    def __init__(
        self,
        vector_store: Any,
        catalogue: Any,
        docstore: Any,
        save: Callable[[], None],
        entry: Callable[[Document, Any, int], Any],
        replace: set[str],
        save_every_s: float,
        saved: Callable[[list[str]], None] | None = None,
    ) -> None:
        self.vector_store, self.catalogue, self.docstore = vector_store, catalogue, docstore
        self.save, self.entry, self.replace, self.save_every_s = save, entry, replace, save_every_s
        self.saved = saved  # told which articles are in the saved record (claims are released then)
        self._unsaved: list[str] = []
        self.chunks = 0
        self.written: list[str] = []
        self.error: BaseException | None = None
        self._queue: queue.Queue = queue.Queue(maxsize=4)
        self._thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)
        self._saved = -float("inf")  # the first batch is saved at once: an early crash keeps it
        self._thread.start()

    def put(self, batch: Batch, nodes: list[BaseNode]) -> None:
        if self.error is not None:
            raise self.error
        self._queue.put((batch, nodes))

    def close(self) -> None:
        """Write what is queued, save the record, and re-raise a write failure."""
        self._queue.put(None)
        self._thread.join()
        if self.error is not None:
            raise self.error
        self._save()

    def _save(self) -> None:
        self.save()
        self._saved = time.monotonic()
        names, self._unsaved = self._unsaved, []
        if self.saved:
            self.saved(names)

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self.error is not None:
                continue  # drain, so the producer never blocks
            try:
                self.write(*item)
            except BaseException as exc:  # re-raised on the caller's thread
                self.error = exc

    def write(self, batch: Batch, nodes: list[BaseNode]) -> None:
        docs = [d for d, _ in batch]
        for doc in docs:
            if doc.id_ in self.replace:  # a changed article: its old chunks go right before the new ones
                self.vector_store.delete(doc.id_)
        if nodes:
            self.vector_store.add(nodes)
        per_doc = Counter(n.ref_doc_id for n in nodes)
        self.catalogue.put([self.entry(d, origin, per_doc[d.id_]) for d, origin in batch])
        for doc in docs:
            if doc.id_ in self.replace:
                self.docstore.delete_ref_doc(doc.id_, raise_error=False)
        self.docstore.set_document_hashes({d.id_: d.hash for d in docs})
        self.docstore.add_documents(docs, store_text=False)
        self.chunks += len(nodes)
        for doc in docs:  # its text is in the catalogue now: the report needs only the name
            doc.set_content("")
        self.written += [d.id_ for d in docs]
        self._unsaved += [d.id_ for d in docs]
        if time.monotonic() - self._saved >= self.save_every_s:
            self._save()
        trim()  # what this batch freed (texts, chunks, vectors) goes back to the system, not to this thread


def threaded_embed(
    todo: Batch,
    settings: StoreSettings,
    embed_model: Any,
    progress: Progress | None,
    take: Take | None = None,
    chunk_progress: ChunkProgress | None = None,
    known: Callable[[list[str]], Mapping[str, Any]] | None = None,
    reused: Callable[[int], None] | None = None,
) -> Iterator[tuple[Batch, list[BaseNode]]]:
    """Embedded batches in order; a reader thread chunks the next batch while this one embeds.

    ``chunk_progress`` hears (chunks embedded, chunks cut so far) after every few chunks; ``known``
    gives the stored vectors of a batch's articles (by name) that need not be embedded again, and
    ``reused`` hears how many chunks of each batch took one.
    """
    splitter = make_splitter(settings)
    chunked: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()
    counts = {"cut": 0, "embedded": 0}

    def produce() -> None:
        try:
            for batch in batches(todo):
                if stop.is_set():
                    return
                if not (batch := claim(batch, take)):
                    continue
                nodes = chunk_documents([d for d, _ in batch], splitter)
                counts["cut"] += len(nodes)
                chunked.put((batch, nodes))
        except BaseException as exc:
            chunked.put(exc)
            return
        chunked.put(None)

    def embedded(n: int) -> None:
        counts["embedded"] += n
        if chunk_progress:
            chunk_progress(counts["embedded"], max(counts["cut"], counts["embedded"]))

    reader = threading.Thread(target=produce, name="ingest-reader", daemon=True)
    reader.start()
    done = 0
    try:
        while (item := chunked.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            batch, nodes = item
            if chunk_progress:
                chunk_progress(counts["embedded"], max(counts["cut"], counts["embedded"]))
            reuse = known([d.id_ for d, _ in batch]) if known else None
            if reuse and reused:
                reused(sum(n.get_content(metadata_mode=MetadataMode.EMBED) in reuse for n in nodes))
            yield batch, embed_nodes(nodes, embed_model, embedded if chunk_progress else None, reuse)
            done += len(batch)  # of this ingest's files: others' claimed files are not counted
            if progress:
                progress(done, len(todo))
    finally:
        stop.set()
        while reader.is_alive():  # unblock a reader waiting on a full queue
            with contextlib.suppress(queue.Empty):
                chunked.get(timeout=0.1)


def write_all(writer: Writer, embedded: Iterable[tuple[Batch, list[BaseNode]]]) -> None:
    """Feed embedded batches to the writer; what was embedded is kept even when a later batch fails."""
    try:
        for batch, nodes in embedded:
            writer.put(batch, nodes)
    finally:
        writer.close()
