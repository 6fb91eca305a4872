"""Incremental ingestion: tiktoken chunks with character offsets, embedded into Chroma, catalogued.

A LlamaIndex docstore (the ingest record, ``store.record``) keeps each article's content hash, so
an unchanged file never reaches the embedder and a changed file's chunks are replaced; chunking,
embedding and writing overlap (``store.pipeline``), or run in worker processes (``store.workers``).
Every article's text and facts go to the store's catalogue
(``store.catalogue``). Ingesting only ever adds and updates: an article leaves the store when the
user asks (``remove``, or ``--prune`` for files gone from a folder), never because a folder is
missing, empty or different. Chunk ids are deterministic (``name#hash#i``), and on start any chunk
whose article neither the record nor the catalogue knows (left by an interrupted run) is removed
first, so a crash never leaves duplicates.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llama_index.core import Document

from store.catalogue import ArticleEntry, Catalogue
from store.claims import sharing_for
from store.config import StoreSettings
from store.documents import DeferredTexts, FileProblem, read_article, read_folder
from store.errors import AssistantError
from store.inventory import store_state
from store.lock import StoreLock, store_lock
from store.metadata import METADATA_VERSION
from store.pipeline import (
    ChunkOffsets,
    ChunkProgress,
    Progress,
    chunk_id,
    make_splitter,
)
from store.record import load_docstore, save_docstore
from store.workers import embed_and_write

__all__ = ["ChunkOffsets", "StoreLock", "chunk_id", "make_splitter", "store_lock"]


class IngestError(AssistantError):
    """Ingestion could not run at all (missing path, unusable store); nothing was changed."""


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
    #: of ``new_chunks``, those of changed articles whose text was unchanged: their stored vectors were kept
    reused_chunks: int = 0
    total_chunks: int = 0
    total_files: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    #: server mode: files of this ingest that another ingest (process, machine) did meanwhile
    shared: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when at least one file is ingested or up to date (exit code 0)."""
        return bool(self.added or self.changed or self.unchanged or self.removed or self.shared)


def chunking_of(settings: StoreSettings, embed_model: Any) -> dict[str, Any]:
    """The settings that shape the stored chunks (embedding: the settings' label, no model loaded)."""
    return {
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "tokenizer": "cl100k_base",
        "embedding": getattr(settings, "embedding_label", None)  # "openai:MODEL" for a server
        or str(getattr(embed_model, "model_name", "") or type(embed_model).__name__),
    }


def read_paths(paths: list[Path], max_bytes: int) -> tuple[list[tuple[Document, Path]], list[FileProblem]]:
    """Every article under ``paths`` (files or folders) with the file it came from.

    Folder articles are named by their path inside the folder, single files by their file name. A
    path that does not exist is an ``IngestError`` before anything is read, so nothing changes.
    """
    for path in paths:
        if not path.exists():
            raise IngestError(f"not found: {path} (nothing was changed)")
        if not (path.is_dir() or path.is_file()):
            raise IngestError(f"not a file or folder: {path} (nothing was changed)")
    found: list[tuple[Document, Path]] = []
    problems: list[FileProblem] = []
    for path in paths:
        if path.is_dir():
            docs, probs = read_folder(path, max_bytes, with_metadata=False)
            found += [(d, (path / d.id_).resolve()) for d in docs]
            problems += probs
        else:
            result = read_article(path, path.parent, max_bytes, with_metadata=False)
            if isinstance(result, FileProblem):
                problems.append(result)
            else:
                found.append((result, path.resolve()))
    return found, problems


def _entry(doc: Document, origin: Path, chunks: int) -> ArticleEntry:
    m = doc.metadata
    return ArticleEntry(
        name=doc.id_,
        origin=str(origin),
        sha256=m["sha256"],
        title=m.get("title", ""),
        date=m.get("date", ""),
        outlet=m.get("outlet", ""),
        people=m.get("people", ""),
        places=m.get("places", ""),
        chars=m.get("chars", len(doc.text)),
        chunks=chunks,
        ingested_at=time.time(),
        metadata_version=METADATA_VERSION,
        text=doc.text,
    )


def remove_articles(
    settings: StoreSettings, names: list[str], vector_store: Any, catalogue: Catalogue, locked: bool = False
) -> list[str]:
    """Drop articles (chunks, hash record, catalogue entry); returns those that were in the store."""
    if not locked:
        with store_lock(settings):
            return remove_articles(settings, names, vector_store, catalogue, locked=True)
    docstore = load_docstore(settings)
    known = catalogue.names() | set(docstore.get_all_document_hashes().values())
    gone = [n for n in names if n in known]
    for name in gone:
        vector_store.delete(name)
        docstore.delete_document(name, raise_error=False)
    catalogue.delete(gone)
    save_docstore(docstore, settings)
    return gone


def _prunable(paths: list[Path], present: set[str], catalogue: Catalogue) -> list[str]:
    """Articles that came from one of the ingested folders and whose file is no longer there."""
    roots = [p.resolve() for p in paths if p.is_dir()]
    out = []
    for e in catalogue.entries():
        origin = Path(e.origin)
        if e.name not in present and any(r in origin.parents for r in roots) and not origin.exists():
            out.append(e.name)
    return out


def run_ingest(
    settings: StoreSettings,
    paths: list[Path],
    vector_store: Any,
    embed_model: Any,
    catalogue: Catalogue,
    progress: Progress | None = None,
    on_wait: Callable[[], None] | None = None,
    prune: bool = False,
    workers: int = 1,
    chunk_progress: ChunkProgress | None = None,
) -> IngestReport:
    """Add new and update changed articles from ``paths``; with ``prune``, drop those gone from these folders.

    ``workers`` > 1 chunks and embeds in that many processes (``store.workers``); the result is the same.
    ``progress`` hears (articles embedded, articles to embed); ``chunk_progress`` (chunks embedded,
    chunks cut so far), for a page that shows a large upload moving (one-process path only).
    """
    start = time.perf_counter()
    mismatch = catalogue.chunking_mismatch(chunking_of(settings, embed_model))
    if mismatch:
        raise IngestError(
            f"this store was built with other chunking settings ({'; '.join(mismatch)}): run "
            "`news-assistant ingest --rebuild` to re-chunk every article, or set them back (nothing was changed)"
        )
    max_bytes = int(settings.max_file_mb * 1e6)
    found, problems = read_paths(paths, max_bytes)
    report = IngestReport(folder=", ".join(str(p) for p in paths), problems=problems)

    with store_lock(settings, on_wait):
        sharing = sharing_for(settings, catalogue)
        stored_ids, held, docstore, catalogued = store_state(settings, vector_store, catalogue, sharing)
        known_ids = set(docstore.get_all_document_hashes().values())
        # chunks of articles neither the record nor the catalogue got (an interrupted run): remove them first
        orphans = sorted(stored_ids - known_ids - set(catalogued) - held)
        for orphan in sharing.claims.claim(orphans) if sharing else orphans:
            vector_store.delete(orphan)
        if sharing:
            sharing.claims.release(orphans)

        todo: list[tuple[Document, Path]] = []
        seen: dict[str, Path] = {}
        for doc, origin in found:
            if doc.id_ in seen:  # the same name twice in one run (two folders, or a folder and a file)
                report.problems.append(
                    FileProblem(doc.id_, f"another file of that name in this ingest ({seen[doc.id_]})")
                )
                continue
            seen[doc.id_] = origin
            entry = catalogued.get(doc.id_)
            sha = doc.metadata["sha256"]
            if entry is not None and entry.origin and entry.origin != str(origin):
                if entry.sha256 == sha:
                    catalogue.set_origin(doc.id_, str(origin))  # the same article, its folder moved
                    report.unchanged.append(doc.id_)
                else:
                    report.problems.append(
                        FileProblem(
                            doc.id_,
                            f"a different article of that name is already in the store (from {entry.origin}); "
                            f"rename this file, or `news-assistant remove {doc.id_}` first",
                        )
                    )
                continue
            if entry is None:
                if docstore.get_document_hash(doc.id_) is not None:
                    # recorded, but its catalogue entry is gone (the Chroma folder was removed): redo it
                    docstore.delete_document(doc.id_, raise_error=False)
                    report.changed.append(doc.id_)
                else:
                    report.added.append(doc.id_)
                todo.append((doc, origin))
            elif (
                entry.sha256 != sha
                or entry.metadata_version != METADATA_VERSION
                or docstore.get_document_hash(doc.id_) is None
            ):
                report.changed.append(doc.id_)
                todo.append((doc, origin))
            elif doc.id_ not in stored_ids:
                # catalogued but its chunks are gone (the Chroma folder was removed): embed it again
                docstore.delete_document(doc.id_, raise_error=False)
                report.changed.append(doc.id_)
                todo.append((doc, origin))
            else:
                report.unchanged.append(doc.id_)
        found.clear()
        texts = DeferredTexts(todo, max_bytes)  # read again batch by batch

        if prune:
            report.removed = remove_articles(
                settings, _prunable(paths, set(seen), catalogue), vector_store, catalogue, locked=True
            )
            docstore = load_docstore(settings)

        # what the texts say about themselves is read batch by batch as they are claimed (pipeline.claim)
        if progress:
            progress(0, len(todo))

        def reused(n: int) -> None:
            report.reused_chunks += n

        t0 = time.perf_counter()
        try:
            while todo:
                report.new_chunks += embed_and_write(
                    settings,
                    todo,
                    vector_store,
                    embed_model,
                    catalogue,
                    docstore,
                    _entry,
                    set(report.changed),
                    workers,
                    sharing,
                    progress,
                    chunk_progress,
                    reused,
                    texts.again,
                )
                todo = sharing.finish() if sharing else []
        finally:
            report.embed_seconds = time.perf_counter() - t0
            lost = {p.source for p in texts.lost}
            report.problems += texts.lost
            report.added = [n for n in report.added if n not in lost]
            report.changed = [n for n in report.changed if n not in lost]
            if sharing:
                sharing.claims.close()
                done_here = set(sharing.shared)
                report.shared = sorted(done_here)
                report.added = [n for n in report.added if n not in done_here]
                report.changed = [n for n in report.changed if n not in done_here]

    report.total_chunks = vector_store._collection.count()
    report.total_files = catalogue.count()
    report.seconds = time.perf_counter() - start
    return report
