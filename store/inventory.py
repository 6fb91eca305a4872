"""What a store holds before an ingest decides what to do: the articles that have chunks, the live claims,
the ingest record and the catalogue."""

from __future__ import annotations

from typing import Any

from store.catalogue import ArticleEntry, Catalogue
from store.config import StoreSettings
from store.paging import pages
from store.record import load_docstore


def stored_doc_ids(vector_store: Any) -> set[str]:
    """The articles that have chunks in the store (read a page at a time: only the ids are kept)."""
    out: set[str] = set()
    for page in pages(vector_store._collection, ["metadatas"]):
        out.update(m.get("document_id") for m in page["metadatas"] if m and m.get("document_id"))
    return out


def store_state(
    settings: StoreSettings, vector_store: Any, catalogue: Catalogue, sharing: Any
) -> tuple[set[str], set[str], Any, dict[str, ArticleEntry]]:
    """The articles with chunks in the store, the live claims, the ingest record and the catalogue.

    Read in this order: chunks, then claims, then record and catalogue; a chunk written by another
    ingest (server mode) is then either under its live claim or already recorded. Scanning every
    chunk for its article takes ~10 s at 10,000 articles, so a store that holds exactly the chunks its
    catalogue counts, with no claim live (the state every completed ingest leaves), is taken at its
    catalogue's word; anything else (an interrupted run's chunks, chunks gone) changes the count and
    gets the scan."""
    count = int(vector_store._collection.count())
    held = sharing.claims.live() if sharing else set()
    docstore = load_docstore(settings)
    catalogued = {e.name: e for e in catalogue.entries()}  # one paged read, not one request per file
    if not held and count == sum(e.chunks for e in catalogued.values()):
        return {n for n, e in catalogued.items() if e.chunks}, held, docstore, catalogued
    stored_ids = stored_doc_ids(vector_store)
    held = sharing.claims.live() if sharing else set()
    docstore = load_docstore(settings)
    catalogued = {e.name: e for e in catalogue.entries()}
    return stored_ids, held, docstore, catalogued
