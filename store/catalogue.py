"""The store's catalogue of articles: what it holds, kept with the chunks, in Chroma itself.

One record per article in the side collection ``<collection>__articles``: the full text (as
ingested, so citation offsets, the article viewer, ``eval`` quote checks and the sources list work
from any folder, even after the original folder moved or was deleted) and, as metadata, its name,
where it came from, content hash, title, date, outlet, chunk count and when it was ingested. The
collection's own metadata records the chunking the store was built with. Living in Chroma, the
catalogue is the same for every process and, with a Chroma server, for every machine.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import asdict, dataclass
from typing import Any

#: Chroma wants a vector per record; catalogue records are looked up by id, never searched.
_NO_VECTOR = [1.0]
_PAGE = 500
#: Metadata keys of the catalogue collection that describe how the store was chunked.
CHUNKING_KEYS = ("chunk_size", "chunk_overlap", "tokenizer", "embedding")


def catalogue_name(collection: str) -> str:
    return f"{collection}__articles"


@dataclass
class ArticleEntry:
    """One article as the store holds it (text optional: listing does not need it)."""

    name: str
    origin: str
    sha256: str
    title: str = ""
    date: str = ""
    outlet: str = ""
    #: people and places the text names ("; "-joined, as in chunk metadata)
    people: str = ""
    places: str = ""
    chars: int = 0
    chunks: int = 0
    ingested_at: float = 0.0
    #: ``store.metadata.METADATA_VERSION`` of the extraction that made title … places ("" before it existed)
    metadata_version: str = ""
    text: str | None = None

    def meta(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("text")
        return data

    def public(self) -> dict[str, Any]:
        """The fields ``sources --json`` and the web list show (no text)."""
        data = self.meta()
        data["ingested"] = (
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.ingested_at)) if self.ingested_at else ""
        )
        data.pop("ingested_at")
        data.pop("metadata_version")
        return data


def _entry(record_id: str, meta: dict[str, Any] | None, text: str | None) -> ArticleEntry:
    m = dict(meta or {})
    return ArticleEntry(
        name=str(m.get("name") or record_id),
        origin=str(m.get("origin") or ""),
        sha256=str(m.get("sha256") or ""),
        title=str(m.get("title") or ""),
        date=str(m.get("date") or ""),
        outlet=str(m.get("outlet") or ""),
        people=str(m.get("people") or ""),
        places=str(m.get("places") or ""),
        chars=int(m.get("chars") or 0),
        chunks=int(m.get("chunks") or 0),
        ingested_at=float(m.get("ingested_at") or 0.0),
        metadata_version=str(m.get("metadata_version") or ""),
        text=text,
    )


def recorded_chunking(client: Any, collection: str) -> dict[str, Any] | None:
    """What an existing store recorded of how it was built (``{}`` for a store that predates the
    record); None when the store has no catalogue yet (a new store). Creates nothing."""
    try:
        col = client.get_collection(catalogue_name(collection), embedding_function=None)
    except Exception:
        return None
    meta = col.metadata or {}
    return {k: meta[k] for k in CHUNKING_KEYS if k in meta}


class Catalogue:
    """Read and write the article records of one store."""

    def __init__(self, client: Any, collection: str, chunking: dict[str, Any]) -> None:
        self.client = client
        self.name = catalogue_name(collection)
        try:
            self._col = client.get_collection(self.name, embedding_function=None)
        except Exception:
            # a new store: it records the chunking it is built with, from the first article on
            self._col = client.get_or_create_collection(self.name, embedding_function=None, metadata=dict(chunking))

    # -- how the store was built -------------------------------------------------------------
    def chunking(self) -> dict[str, Any]:
        meta = self._col.metadata or {}
        return {k: meta[k] for k in CHUNKING_KEYS if k in meta}

    def chunking_mismatch(self, wanted: dict[str, Any]) -> list[str]:
        """``["chunk_size: store 200, settings 300", …]`` for every recorded chunking value the settings change."""
        have = self.chunking()
        return [
            f"{k}: store {have[k]}, settings {wanted[k]}"
            for k in CHUNKING_KEYS
            if k in have and k in wanted and have[k] != wanted[k]
        ]

    # -- reading ----------------------------------------------------------------------------
    def count(self) -> int:
        return int(self._col.count())

    def get(self, name: str, with_text: bool = False) -> ArticleEntry | None:
        got = self._col.get(ids=[name], include=["metadatas", "documents"] if with_text else ["metadatas"])
        if not got.get("ids"):
            return None
        text = (got.get("documents") or [None])[0] if with_text else None
        return _entry(got["ids"][0], got["metadatas"][0], text)

    def entries(self, with_text: bool = False) -> list[ArticleEntry]:
        """Every article, sorted by name (paged: a 10,000-article store is read in pieces)."""
        include = ["metadatas", "documents"] if with_text else ["metadatas"]
        out: list[ArticleEntry] = []
        offset = 0
        while True:
            got = self._col.get(include=include, limit=_PAGE, offset=offset)
            ids = got.get("ids") or []
            docs = got.get("documents") or [None] * len(ids)
            out += [_entry(i, m, d if with_text else None) for i, m, d in zip(ids, got["metadatas"], docs, strict=True)]
            if len(ids) < _PAGE:
                break
            offset += _PAGE
        return sorted(out, key=lambda e: e.name)

    def names(self) -> set[str]:
        return {e.name for e in self.entries()}

    # -- writing ----------------------------------------------------------------------------
    def put(self, entries: list[ArticleEntry]) -> None:
        for i in range(0, len(entries), 100):
            part = entries[i : i + 100]
            self._col.upsert(
                ids=[e.name for e in part],
                documents=[e.text or "" for e in part],
                metadatas=[e.meta() for e in part],
                embeddings=[_NO_VECTOR] * len(part),
            )

    def set_origin(self, name: str, origin: str) -> None:
        """The same text found at a new place (its folder moved): remember where it is now."""
        self._col.update(ids=[name], metadatas=[{"origin": origin}])

    def delete(self, names: list[str]) -> None:
        if names:
            self._col.delete(ids=list(names))

    def drop(self) -> None:
        """Forget every article (``ingest --rebuild``); the next ingest records the chunking anew."""
        with contextlib.suppress(Exception):
            self.client.delete_collection(self.name)
