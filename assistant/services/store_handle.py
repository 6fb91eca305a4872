"""The opened store of one process: Chroma client, chunk collection, vector store and catalogue.

Everything goes through Chroma's public API (``store.chroma``). The handle notices the embedded store
being deleted or replaced while the process runs, and counts every change that makes what was built
from the store stale (``generation``), so the answering engine knows when to rebuild.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
from collections.abc import Iterator
from typing import Any

from assistant.errors import AssistantError
from assistant.settings import Settings


class StoreHandle:
    """The store as this process has it open; opened lazily, reopened when it changed on disk."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lock = threading.RLock()
        #: bumped whenever what was built from the store may be stale (reopened, ingested into, reset)
        self.generation = 0
        self._client: Any = None
        self._collection: Any = None
        self._vector_store: Any = None
        self._catalogue: Any = None
        self._db_identity: tuple[int, int] | None = None  # the embedded database file this process opened
        #: ``embedding = "auto"``: resolved per store opened (``resolve_embedding``)
        self._auto_embedding = settings.embedding == "auto"

    # -- opening -----------------------------------------------------------------------------------
    @property
    def vector_store(self) -> Any:
        if self._vector_store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            from store.chroma import open_client, open_collection

            with self._opening_lock():
                client = open_client(self.settings)
                self._collection = open_collection(client, self.settings.collection)
            self._vector_store = ChromaVectorStore(chroma_collection=self._collection)
            self._client = client
            self._db_identity = self._current_db_identity()
            self.resolve_embedding()
        return self._vector_store

    def resolve_embedding(self) -> str:
        """Make ``embedding = "auto"`` (the default) concrete for this store, on the settings every service
        shares: the model an existing store's vectors were made with (``local`` for a store that predates
        the record), ``int8`` for a new one (1.6x the chunks/s, the same retrieval on the dev set), or
        ``local`` where the int8 build is unavailable. Never an error: listing a store needs no model."""
        if self.settings.embedding != "auto":
            return self.settings.embedding
        if self._client is None:
            _ = self.vector_store  # opening the store resolves it
            return self.settings.embedding
        from store.catalogue import recorded_chunking

        recorded = recorded_chunking(self._client, self.settings.collection)
        label = None if recorded is None else recorded.get("embedding", "")
        self.settings.embedding = _kind_of(label)
        return self.settings.embedding

    @property
    def collection(self) -> Any:
        """The chunk collection (a ``chromadb`` ``Collection``), opened with the vector store."""
        _ = self.vector_store
        return self._collection

    @contextlib.contextmanager
    def _opening_lock(self) -> Iterator[None]:
        """Open (and maybe create) the embedded store one process at a time.

        Two processes creating a new store at once race inside Chroma ("table collections already
        exists"), e.g. two ``ingest`` commands started together; the second waits a moment instead.
        """
        from store.lock import StoreLock

        lock = StoreLock(self.settings.store_dir / "open.lock")
        try:
            if not self.settings.chroma_url:
                lock.acquire()
        except OSError:
            pass  # an unusable store folder: open_client says why
        try:
            yield
        finally:
            lock.release()

    @property
    def catalogue(self) -> Any:
        """The store's catalogue of articles (``store.catalogue.Catalogue``)."""
        from store.catalogue import Catalogue
        from store.chroma import open_client, server_error
        from store.ingest import chunking_of

        self.check(reopen=True)
        if self._catalogue is None:
            _ = self.vector_store  # opens (and maybe creates) the store first
            try:
                self._catalogue = Catalogue(
                    open_client(self.settings), self.settings.collection, chunking_of(self.settings, None)
                )
            except AssistantError:
                raise
            except Exception as exc:
                raise server_error(self.settings, exc) if self.settings.chroma_url else exc from exc
        return self._catalogue

    def chunk_count(self) -> int:
        self.check()
        return int(self.collection.count())

    def version(self) -> tuple[int, Any]:
        """Changes whenever an ingest (from any process) changed the store: (chunks, ingest record version)."""
        from store.record import ingest_state_version

        return (self.chunk_count(), ingest_state_version(self.settings))

    def changed(self) -> None:
        """This process changed the store: whatever was built from it is stale."""
        with self.lock:
            self.generation += 1

    # -- the store folder changing under a running process ------------------------------------------
    def _current_db_identity(self) -> tuple[int, int] | None:
        if self.settings.chroma_url:
            return None
        try:
            info = (self.settings.chroma_path / "chroma.sqlite3").stat()
        except OSError:
            return None
        return (info.st_dev, info.st_ino)

    def check(self, reopen: bool = False) -> None:
        """Notice the embedded store being deleted or replaced while this process runs.

        Chroma keeps its database file open: a deleted store would go on answering from the unlinked
        file, and a store rebuilt by another process (``ingest --rebuild``) would never be seen. So the
        old handles are dropped; a store that is gone is an error saying how to get it back, unless
        ``reopen`` (ingest), which creates a new one.
        """
        if self.settings.chroma_url or self._db_identity is None:
            return
        with self.lock:
            now = self._current_db_identity()
            if now == self._db_identity:
                return
            self.close()
            if now is None and not reopen:
                from store.chroma import StoreError

                raise StoreError(
                    f"the store {self.settings.store_dir} was deleted or moved while the assistant was running; "
                    "rebuild it with `news-assistant ingest --rebuild` (or put the folder back)"
                )
            self._db_identity = None

    def close(self, broken: bool = False) -> None:
        """Close this process's connection to the store's (old) database file and forget what was opened.

        ``broken``: the store failed to open (a damaged database); Chroma forgets its half-open connection.
        """
        from store.chroma import close_client, discard_broken_store

        if not self.settings.chroma_url:
            if broken:
                discard_broken_store(self.settings)
            else:
                close_client(self.settings, self._client)
        self._client = None
        self._forget()

    def _forget(self) -> None:
        self._vector_store = None
        self._collection = None
        self._catalogue = None
        self.generation += 1
        if self._auto_embedding:  # the store reopened may be another one (rebuilt, replaced): ask it again
            self.settings.embedding = "auto"

    def reset(self) -> None:
        """Drop every chunk, the ingest record and the catalogue (``ingest --rebuild``)."""
        from store.catalogue import catalogue_name
        from store.chroma import StoreError, open_client
        from store.record import reset_ingest_state

        self.check(reopen=True)
        try:
            client = open_client(self.settings)
        except StoreError:
            if self.settings.chroma_url:
                raise
            # a damaged embedded database cannot even be opened to drop the collection: remove its files
            self.close(broken=True)
            shutil.rmtree(self.settings.chroma_path, ignore_errors=True)
            client = open_client(self.settings)
        with contextlib.suppress(Exception):
            client.delete_collection(self.settings.collection)
        with contextlib.suppress(Exception):
            client.delete_collection(catalogue_name(self.settings.collection))
        reset_ingest_state(self.settings)
        self._forget()


def _kind_of(label: str | None) -> str:
    """The ``embedding`` setting for a store whose catalogue records ``label`` (None: a new store)."""
    from assistant.embedding import MODEL_NAME
    from assistant.quantized import LABEL

    if label is None:
        try:
            from assistant.quantized import int8_model_path

            int8_model_path()
        except (ImportError, OSError, RuntimeError, ValueError) as exc:
            logging.getLogger(__name__).warning("int8 embedding unavailable (%s): the store uses the packaged", exc)
            return "local"
        return "int8"
    if label in ("", MODEL_NAME):
        return "local"
    if label == LABEL:
        return "int8"
    kind = label.split(":", 1)[0]
    # a server's vectors: that kind, so a question or an ingest says which server settings are missing;
    # an unknown model: the packaged one, which ``Components.check_embedding`` then refuses, saying why
    return kind if kind in ("openai", "ollama") else "local"
