"""``ingest --workers N``: N spawned processes chunk and embed, the ingesting process writes.

Chroma's embedded store is one process's: several processes writing one folder corrupt or lose
each other's writes (each keeps its own HNSW index in memory), so workers never open the store.
Each batch of articles is claimed by exactly one worker (a task of a ``ProcessPoolExecutor``); when
a worker dies (killed, out of memory) the pool breaks, and every batch not yet written is handed to
a fresh pool, so a crash loses no article and, with deterministic chunk ids, duplicates none. The
model each worker embeds with is a copy of the one passed in (same class, same fields), with its
``threads`` (if it has that field) set so that the workers share the cores rather than oversubscribe.
Several ingesting processes or machines against one Chroma server share files through leases
(``store.claims``). ``embed_and_write`` is the one entry of ingest: this pool, or the one-process
threads of ``store.pipeline``, whose building blocks it imports (never the other way round).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from llama_index.core import Document
from llama_index.core.schema import BaseNode, MetadataMode

from store.config import StoreSettings
from store.errors import AssistantError
from store.pipeline import (
    SAVE_EVERY_S,
    Batch,
    ChunkProgress,
    Progress,
    Take,
    Writer,
    batches,
    chunk_documents,
    claim,
    embed_nodes,
    make_splitter,
    stored_vectors,
    threaded_embed,
    write_all,
)

#: A pool that breaks this many times (workers keep dying) ends the ingest; what was written stays.
MAX_BREAKS = 3
_STATE: dict[str, Any] = {}


class WorkerError(AssistantError):
    """Ingest workers kept dying; articles written so far are kept, a rerun does the rest."""


def model_recipe(embed_model: Any, threads: int) -> tuple[type, dict[str, Any]]:
    """How to build the same embedding model in a worker: its class and its (pydantic) fields."""
    fields = embed_model.model_dump(exclude={"class_name"})
    if "threads" in type(embed_model).model_fields:
        fields["threads"] = threads
    return type(embed_model), fields


def _init(settings: StoreSettings, recipe: tuple[type, dict[str, Any]]) -> None:
    cls, fields = recipe
    model = cls(**fields)
    if callable(getattr(model, "load", None)):
        model.load()
    _STATE["model"], _STATE["splitter"] = model, make_splitter(settings)


def _work(docs: list[Document], known: dict[str, Any] | None = None) -> list[BaseNode]:
    return embed_nodes(chunk_documents(docs, _STATE["splitter"]), _STATE["model"], known=known)


def pool_embed(
    todo: Batch,
    settings: StoreSettings,
    embed_model: Any,
    workers: int,
    progress: Progress | None,
    take: Take | None = None,
    known: Callable[[list[str]], dict[str, Any]] | None = None,
    reused: Callable[[int], None] | None = None,
) -> Iterator[tuple[Batch, list[BaseNode]]]:
    """Embedded batches as workers finish them; batches of a dead worker are redone by a fresh pool.

    At most two batches per worker are in flight, so claims (``take``) follow the work. ``known`` and
    ``reused`` as in ``threaded_embed``: the stored vectors travel with their batch to the worker.
    """
    threads = max(1, (os.cpu_count() or 1) // workers)
    recipe = model_recipe(embed_model, threads)
    source = iter(batches(todo))
    retry: list[Batch] = []  # taken, not yet embedded when a pool broke
    vectors: dict[int, dict[str, Any]] = {}  # a batch in flight -> the stored vectors sent with it
    done, breaks = 0, 0
    while True:
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init,
            initargs=(settings, recipe),
        )
        futures: dict[Future, Batch] = {}
        try:
            while True:
                while len(futures) < 2 * workers:
                    batch = retry.pop() if retry else _next(source, take)
                    if batch is None:
                        break
                    have = known([d.id_ for d, _ in batch]) if known else None
                    vectors[id(batch)] = have or {}
                    try:
                        futures[pool.submit(_work, [d for d, _ in batch], have)] = batch
                    except BrokenProcessPool:
                        retry.append(batch)  # a worker died while this batch was being claimed
                        raise
                if not futures:
                    return
                finished, _ = wait(futures, return_when=FIRST_COMPLETED)
                for fut in finished:
                    nodes = fut.result()  # BrokenProcessPool when a worker died
                    batch = futures.pop(fut)
                    if reused and (have := vectors.pop(id(batch), {})):
                        reused(sum(n.get_content(metadata_mode=MetadataMode.EMBED) in have for n in nodes))
                    yield batch, nodes
                    done += len(batch)
                    if progress:
                        progress(done, len(todo))
        except BrokenProcessPool as exc:
            breaks += 1
            retry += list(futures.values())
            if breaks >= MAX_BREAKS:
                raise WorkerError(f"ingest workers died {breaks} times ({exc}); rerun the ingest") from exc
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


def _next(source: Iterator[Batch], take: Take | None) -> Batch | None:
    for batch in source:
        if batch := claim(batch, take):  # metadata read here, in this process, while the workers embed
            return batch
    return None


def _then(take: Take | None, read: Take) -> Take:
    """Claim a batch first (``take``), then read the texts of what was claimed (and of nothing else)."""
    return lambda batch: read(take(batch) if take else batch)


def embed_and_write(
    settings: StoreSettings,
    todo: Batch,
    vector_store: Any,
    embed_model: Any,
    catalogue: Any,
    docstore: Any,
    entry: Callable[[Document, Any, int], Any],
    replace: set[str],
    workers: int,
    sharing: Any,
    progress: Progress | None,
    chunk_progress: ChunkProgress | None = None,
    reused: Callable[[int], None] | None = None,
    read: Take | None = None,
) -> int:
    """Chunk, embed and write ``todo`` (in worker processes if ``workers`` > 1); returns the chunks written.

    ``chunk_progress`` is heard on the one-process path only (worker processes report per batch of
    articles); ``reused`` hears how many chunks kept their stored vector; ``read`` gives each batch,
    once claimed, its texts (``store.ingest`` holds names and hashes only until then).
    """
    from store.record import save_docstore

    writer = Writer(
        vector_store,
        catalogue,
        docstore,
        save=lambda: save_docstore(docstore, settings),
        entry=entry,
        replace=replace,
        save_every_s=0.0 if settings.chroma_url else SAVE_EVERY_S,  # server: a flush writes only what changed
        saved=sharing.written if sharing else None,
    )
    take: Take | None = sharing.take if sharing else None
    if read is not None:
        take = _then(take, read)

    def known(names: list[str]) -> dict[str, Any]:
        """A changed article's unchanged chunks keep their stored vectors."""
        return stored_vectors(vector_store, [n for n in names if n in replace])

    if workers > 1 and len(todo) > 1:
        embedded = pool_embed(todo, settings, embed_model, workers, progress, take, known if replace else None, reused)
    else:
        embedded = threaded_embed(
            todo, settings, embed_model, progress, take, chunk_progress, known if replace else None, reused
        )
    write_all(writer, embedded)
    return writer.chunks
