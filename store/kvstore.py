"""The ingest record kept in the Chroma server itself (server mode), as a LlamaIndex key-value store.

In server mode every machine must see the same file hashes, so the docstore cannot be a local
JSON file. ``ChromaKVStore`` keeps LlamaIndex key-value pairs as records of a side collection
``<collection>__kv`` (the JSON value in ``documents``, the namespace and key in ``metadatas``),
and ``ChromaDocumentStore`` is LlamaIndex's ``KVDocumentStore`` over it.

Reads come from a snapshot taken when the store is opened and writes are buffered until
``flush()``: an ingest makes one request to load and one per checkpoint to save, instead of one
per file, and a crash between checkpoints leaves the previous checkpoint intact, exactly as the
atomic JSON file does in embedded mode. Each flush also writes a new state version, so every
process can tell cheaply that the store changed.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from llama_index.core.storage.docstore.keyval_docstore import (
    DEFAULT_METADATA_COLLECTION_SUFFIX,
    DEFAULT_NAMESPACE,
    KVDocumentStore,
)
from llama_index.core.storage.kvstore.types import DEFAULT_BATCH_SIZE, DEFAULT_COLLECTION, BaseKVStore

from store.paging import get_all

#: Record id of the state version (not a key-value pair of any namespace).
STATE_ID = "__state__"
#: Chroma needs an embedding per record; the key-value records are never searched by vector.
_NO_VECTOR = [1.0]
_PAGE = 5000


def kv_collection_name(collection: str) -> str:
    """The side collection that holds the ingest record of ``collection``."""
    return f"{collection}__kv"


def _record_id(collection: str, key: str) -> str:
    return f"{collection}::{key}"


class ChromaKVStore(BaseKVStore):
    """Key-value pairs in a Chroma collection: snapshot on open, buffered writes, ``flush()`` to persist."""

    def __init__(self, chroma_collection: Any, owner: str | None = None) -> None:
        self._col = chroma_collection
        self.owner = owner
        self._data: dict[str, dict[str, dict]] = {}
        self._puts: dict[tuple[str, str], dict] = {}
        self._deletes: set[tuple[str, str]] = set()
        self.refresh()

    # -- snapshot and flush -------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload every pair from the server, dropping unflushed writes."""
        data: dict[str, dict[str, dict]] = {}
        offset = 0
        while True:
            got = self._col.get(include=["metadatas", "documents"], limit=_PAGE, offset=offset)
            ids = got.get("ids") or []
            for meta, doc in zip(got.get("metadatas") or [], got.get("documents") or [], strict=True):
                if meta and "c" in meta and "k" in meta and doc is not None:
                    data.setdefault(meta["c"], {})[meta["k"]] = json.loads(doc)
            if len(ids) < _PAGE:
                break
            offset += _PAGE
        self._data = data
        self._puts.clear()
        self._deletes.clear()
        recorded = _read_state(self._col).get("owner")
        if self.owner and recorded and recorded != self.owner:
            # the chunk collection was dropped and made anew (``ingest --rebuild``, or by hand):
            # this record describes chunks that are gone, so start from an empty one
            self.clear()

    def clear(self) -> None:
        """Forget every pair (written to the server at the next flush)."""
        for collection, pairs in self._data.items():
            self._deletes.update((collection, key) for key in pairs)
        self._data = {}
        self._puts.clear()

    @property
    def dirty(self) -> bool:
        return bool(self._puts or self._deletes)

    def flush(self) -> None:
        """Write buffered puts and deletes to the server, then a new state version."""
        if not self.dirty:
            return
        if self.owner is None:
            self.owner = _read_state(self._col).get("owner")
        batch = _max_batch(self._col)
        if self._deletes:
            ids = [_record_id(c, k) for c, k in sorted(self._deletes)]
            for i in range(0, len(ids), batch):
                self._col.delete(ids=ids[i : i + batch])
        items = sorted(self._puts.items())
        for i in range(0, len(items), batch):
            part = items[i : i + batch]
            self._col.upsert(
                ids=[_record_id(c, k) for (c, k), _ in part],
                documents=[json.dumps(v, ensure_ascii=False) for _, v in part],
                metadatas=[{"c": c, "k": k} for (c, k), _ in part],
                embeddings=[_NO_VECTOR] * len(part),
            )
        self._col.upsert(
            ids=[STATE_ID],
            documents=[json.dumps({"version": uuid.uuid4().hex, "time": time.time(), "owner": self.owner})],
            metadatas=[{"state": 1}],
            embeddings=[_NO_VECTOR],
        )
        self._puts.clear()
        self._deletes.clear()

    # -- BaseKVStore ----------------------------------------------------------------------------
    def put(self, key: str, val: dict, collection: str = DEFAULT_COLLECTION) -> None:
        self._data.setdefault(collection, {})[key] = dict(val)
        self._puts[(collection, key)] = dict(val)
        self._deletes.discard((collection, key))

    async def aput(self, key: str, val: dict, collection: str = DEFAULT_COLLECTION) -> None:
        self.put(key, val, collection)

    def put_all(
        self,
        kv_pairs: list[tuple[str, dict]],
        collection: str = DEFAULT_COLLECTION,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        for key, val in kv_pairs:
            self.put(key, val, collection)

    async def aput_all(
        self,
        kv_pairs: list[tuple[str, dict]],
        collection: str = DEFAULT_COLLECTION,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self.put_all(kv_pairs, collection, batch_size)

    def get(self, key: str, collection: str = DEFAULT_COLLECTION) -> dict | None:
        val = self._data.get(collection, {}).get(key)
        return dict(val) if val is not None else None

    async def aget(self, key: str, collection: str = DEFAULT_COLLECTION) -> dict | None:
        return self.get(key, collection)

    def get_all(self, collection: str = DEFAULT_COLLECTION) -> dict[str, dict]:
        return {k: dict(v) for k, v in self._data.get(collection, {}).items()}

    async def aget_all(self, collection: str = DEFAULT_COLLECTION) -> dict[str, dict]:
        return self.get_all(collection)

    def delete(self, key: str, collection: str = DEFAULT_COLLECTION) -> bool:
        if key not in self._data.get(collection, {}):
            return False
        del self._data[collection][key]
        self._puts.pop((collection, key), None)
        self._deletes.add((collection, key))
        return True

    async def adelete(self, key: str, collection: str = DEFAULT_COLLECTION) -> bool:
        return self.delete(key, collection)


class ChromaDocumentStore(KVDocumentStore):
    """LlamaIndex's key-value docstore over ``ChromaKVStore``; ``flush()`` is its checkpoint."""

    def __init__(self, kvstore: ChromaKVStore, namespace: str | None = None) -> None:
        super().__init__(kvstore, namespace=namespace)
        self.kv = kvstore

    def flush(self) -> None:
        self.kv.flush()


def state_version(chroma_collection: Any) -> str:
    """The version written by the last flush ('' before any): changes whenever the record does."""
    return str(_read_state(chroma_collection).get("version", ""))


def _read_state(chroma_collection: Any) -> dict:
    got = chroma_collection.get(ids=[STATE_ID], include=["documents"])
    docs = got.get("documents") or []
    return json.loads(docs[0]) if docs and docs[0] else {}


def count_documents(chroma_collection: Any, namespace: str | None = None) -> int:
    """How many files the record knows, without loading it (one id-only request)."""
    name = f"{namespace or DEFAULT_NAMESPACE}{DEFAULT_METADATA_COLLECTION_SUFFIX}"
    return len(get_all(chroma_collection, [], where={"c": name})["ids"])


def _max_batch(chroma_collection: Any) -> int:
    try:
        return max(1, min(int(chroma_collection._client.get_max_batch_size()), 5000))
    except Exception:
        return 1000
