"""Incremental ingestion: tiktoken chunks with character offsets, embedded into Chroma.

Built on LlamaIndex's ``IngestionPipeline`` with a docstore (``DocstoreStrategy.UPSERTS``): the
docstore keeps each file's content hash, so an unchanged file never reaches the embedder, a
changed file's chunks are replaced, and a file gone from the folder has its chunks deleted.
Chunk ids are deterministic (``source#hash#i``), and on start any chunk whose file the docstore
does not know (left by an interrupted run) is removed first, so a crash never leaves duplicates.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llama_index.core import Document
from llama_index.core.ingestion import DocstoreStrategy, IngestionPipeline
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import BaseNode, TransformComponent
from llama_index.core.storage.docstore import SimpleDocumentStore
from llama_index.core.storage.docstore.keyval_docstore import KVDocumentStore

from assistant.settings import Settings
from store.documents import FileProblem, read_folder

Progress = Callable[[int, int], None]

#: Documents embedded between two docstore checkpoints.
BATCH_DOCS = 32


class IngestError(RuntimeError):
    """Ingestion could not run at all (missing folder, unusable store); the message says why."""


@dataclass
class IngestReport:
    """What an ingest did, for the CLI summary, the web status line and benchmarks."""

    folder: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    new_chunks: int = 0
    total_chunks: int = 0
    total_files: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when at least one file is ingested or up to date (exit code 0)."""
        return bool(self.added or self.changed or self.unchanged)


def chunk_id(index: int, doc: BaseNode) -> str:
    """Deterministic chunk id: re-running an interrupted ingest rewrites, never duplicates."""
    return f"{doc.id_}#{doc.hash[:12]}#{index}"


def make_splitter(settings: Settings) -> SentenceSplitter:
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


class StoreLock:
    """An exclusive lock on the store folder, so two ingests never write at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: Any = None

    def acquire(self, on_wait: Callable[[], None] | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a+")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            fcntl.flock(self._fh, fcntl.LOCK_EX)

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


@contextmanager
def store_lock(settings: Settings, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    lock = StoreLock(settings.store_dir / "ingest.lock")
    lock.acquire(on_wait)
    try:
        yield
    finally:
        lock.release()


def load_docstore(settings: Settings) -> KVDocumentStore:
    """The ingest record: a JSON file in the store folder, or (server mode) a side collection on the server."""
    if settings.chroma_url:
        from store.chroma import open_client, open_collection, open_kv_collection, server_error
        from store.kvstore import ChromaDocumentStore, ChromaKVStore

        client = open_client(settings)  # StoreError naming the URL when unreachable
        try:
            # the record belongs to one incarnation of the chunk collection: if that was dropped
            # and recreated (rebuild), the record is stale and starts empty
            owner = str(open_collection(client, settings.collection).id)
            kv = ChromaKVStore(open_kv_collection(client, settings.collection), owner=owner)
            return ChromaDocumentStore(kv)
        except Exception as exc:
            raise server_error(settings, exc) from exc
    path = settings.docstore_path
    if path.is_file():
        try:
            return SimpleDocumentStore.from_persist_path(str(path))
        except Exception as exc:
            raise IngestError(
                f"the ingest record {path} is unreadable ({exc}); run `news-assistant ingest --rebuild`"
            ) from exc
    return SimpleDocumentStore()


def save_docstore(docstore: KVDocumentStore, settings: Settings) -> None:
    """Checkpoint the ingest record; a kill mid-write leaves the previous checkpoint intact.

    Embedded: an atomic file replace. Server: one batched write of what changed since the last
    checkpoint (see ``store.kvstore``).
    """
    from store.kvstore import ChromaDocumentStore

    if isinstance(docstore, ChromaDocumentStore):
        from store.chroma import server_error

        try:
            docstore.flush()
        except Exception as exc:
            raise server_error(settings, exc) from exc
        return
    if not isinstance(docstore, SimpleDocumentStore):
        raise TypeError(f"cannot save a {type(docstore).__name__}")
    path = settings.docstore_path
    tmp = path.with_suffix(".json.tmp")
    docstore.persist(persist_path=str(tmp))
    os.replace(tmp, path)


def ingest_state_version(settings: Settings) -> Any:
    """A value that changes whenever an ingest (from any process, any machine in server mode) changed the store.

    Compare it with the chunk count to decide whether indexes derived from the store are stale.
    """
    if settings.chroma_url:
        from store.chroma import open_client, open_kv_collection, server_error
        from store.kvstore import state_version

        client = open_client(settings)
        try:
            return state_version(open_kv_collection(client, settings.collection))
        except Exception as exc:
            raise server_error(settings, exc) from exc
    path = settings.docstore_path
    return path.stat().st_mtime if path.exists() else 0.0


def count_files(settings: Settings) -> int:
    """How many files the ingest record holds (cheap in both modes)."""
    if settings.chroma_url:
        from store.chroma import open_client, open_kv_collection, server_error
        from store.kvstore import count_documents

        client = open_client(settings)
        try:
            return count_documents(open_kv_collection(client, settings.collection))
        except Exception as exc:
            raise server_error(settings, exc) from exc
    return len(load_docstore(settings).get_all_document_hashes())


def reset_ingest_state(settings: Settings) -> None:
    """Forget every file (``ingest --rebuild``): delete the JSON record or the server's side collection."""
    if settings.chroma_url:
        from store.chroma import open_client
        from store.kvstore import kv_collection_name

        client = open_client(settings)
        with contextlib.suppress(Exception):  # absent already
            client.delete_collection(kv_collection_name(settings.collection))
        return
    settings.docstore_path.unlink(missing_ok=True)


def _stored_doc_ids(vector_store: Any) -> set[str]:
    got = vector_store._collection.get(include=["metadatas"])
    return {m.get("document_id") for m in got.get("metadatas") or [] if m and m.get("document_id")}


def run_ingest(
    settings: Settings,
    folder: Path,
    vector_store: Any,
    embed_model: Any,
    progress: Progress | None = None,
    on_wait: Callable[[], None] | None = None,
) -> IngestReport:
    """Bring the store in line with ``folder``: add new, replace changed, remove deleted files."""
    start = time.perf_counter()
    if not folder.exists():
        raise IngestError(f"folder not found: {folder}")
    if not folder.is_dir():
        raise IngestError(f"not a folder: {folder}")
    docs, problems = read_folder(folder, int(settings.max_file_mb * 1e6))
    report = IngestReport(folder=str(folder), problems=problems)

    with store_lock(settings, on_wait):
        docstore = load_docstore(settings)
        known = docstore.get_all_document_hashes()  # hash -> doc id
        known_ids = set(known.values())

        # chunks of files the docstore never recorded (an interrupted run): remove them first
        stored_ids = _stored_doc_ids(vector_store)
        for orphan in stored_ids - known_ids:
            vector_store.delete(orphan)

        present = {d.id_ for d in docs} | {p.source for p in problems}
        for doc_id in sorted(known_ids - present):
            docstore.delete_document(doc_id, raise_error=False)
            vector_store.delete(doc_id)
            report.removed.append(doc_id)

        todo: list[Document] = []
        for doc in docs:
            old = docstore.get_document_hash(doc.id_)
            if old is None:
                report.added.append(doc.id_)
                todo.append(doc)
            elif old != doc.hash:
                report.changed.append(doc.id_)
                todo.append(doc)
            elif doc.id_ not in stored_ids:
                # recorded but its chunks are gone (the Chroma folder was removed): embed it again
                docstore.delete_document(doc.id_, raise_error=False)
                report.changed.append(doc.id_)
                todo.append(doc)
            else:
                report.unchanged.append(doc.id_)

        pipeline = IngestionPipeline(
            transformations=[make_splitter(settings), ChunkOffsets(), embed_model],
            vector_store=vector_store,
            docstore=docstore,
            docstore_strategy=DocstoreStrategy.UPSERTS,
        )
        if progress:
            progress(0, len(todo))
        for i in range(0, len(todo), BATCH_DOCS):
            batch = todo[i : i + BATCH_DOCS]
            t0 = time.perf_counter()
            nodes = pipeline.run(documents=batch, store_doc_text=False)
            report.embed_seconds += time.perf_counter() - t0
            report.new_chunks += len(nodes)
            save_docstore(docstore, settings)
            if progress:
                progress(min(i + BATCH_DOCS, len(todo)), len(todo))
        save_docstore(docstore, settings)

    report.total_chunks = vector_store._collection.count()
    report.total_files = len(docstore.get_all_document_hashes())
    report.seconds = time.perf_counter() - start
    return report
