"""The ingest record: each article's content hash, as a LlamaIndex docstore the ingestion pipeline keeps.

Embedded: a JSON file in the store folder, replaced atomically at each checkpoint. Server mode: a
side collection on the Chroma server (see ``store.kvstore``), so every machine sees the same hashes.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from llama_index.core.storage.docstore import SimpleDocumentStore
from llama_index.core.storage.docstore.keyval_docstore import KVDocumentStore

from store.config import StoreSettings
from store.errors import AssistantError


class RecordError(AssistantError):
    """The ingest record cannot be read; the message says how to rebuild it."""


def load_docstore(settings: StoreSettings) -> KVDocumentStore:
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
            raise RecordError(
                f"the ingest record {path} is unreadable ({exc}); run `news-assistant ingest --rebuild`"
            ) from exc
    return SimpleDocumentStore()


def save_docstore(docstore: KVDocumentStore, settings: StoreSettings) -> None:
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


def ingest_state_version(settings: StoreSettings) -> Any:
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


def count_files(settings: StoreSettings) -> int:
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


def reset_ingest_state(settings: StoreSettings) -> None:
    """Forget every file (``ingest --rebuild``): delete the JSON record or the server's side collection."""
    if settings.chroma_url:
        from store.chroma import open_client
        from store.kvstore import kv_collection_name

        client = open_client(settings)
        with contextlib.suppress(Exception):  # absent already
            client.delete_collection(kv_collection_name(settings.collection))
        return
    settings.docstore_path.unlink(missing_ok=True)
