"""The vector half of hybrid retrieval: Chroma's nearest chunks as LlamaIndex retrievers.

``VectorRetriever`` queries the vector store directly (no ``VectorStoreIndex``); ``UntilRetriever``
keeps a date-limited query cheap by over-fetching unfiltered neighbours first.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle
from llama_index.core.vector_stores import MetadataFilters, VectorStoreQuery

from assistant.recency import published_after

#: A date-limited vector query first asks this many times as many unfiltered neighbours (UntilRetriever).
OVERFETCH = 4


class VectorRetriever(BaseRetriever):
    """The store's nearest chunks to the question's embedding, as LlamaIndex's ``VectorIndexRetriever``
    gives them for a vector store that holds the text (the same query, nodes and scores), without a
    ``VectorStoreIndex``: building one makes a storage context and loads the default node parser's
    tiktoken tokenizer, ~0.3 s of a cold ``ask`` for nothing a question uses."""

    def __init__(self, vector_store: Any, embed_model: Any, top_k: int, filters: MetadataFilters | None = None) -> None:
        super().__init__()
        self.vector_store, self.embed_model = vector_store, embed_model
        self.similarity_top_k, self.filters = top_k, filters

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        if query_bundle.embedding is None and query_bundle.embedding_strs:
            query_bundle.embedding = self.embed_model.get_agg_embedding_from_queries(query_bundle.embedding_strs)
        query = VectorStoreQuery(
            query_embedding=query_bundle.embedding,
            similarity_top_k=self.similarity_top_k,
            query_str=query_bundle.query_str,
            filters=self.filters,
        )
        result = self.vector_store.query(query)
        scores = result.similarities
        return [
            NodeWithScore(node=n, score=None if scores is None else scores[i]) for i, n in enumerate(result.nodes or [])
        ]


class UntilRetriever(BaseRetriever):
    """Chroma's nearest chunks of articles not published after ``day``, cheaply when it can be.

    A filtered Chroma query costs several unfiltered ones (it scans the filtered set), so this asks
    ``OVERFETCH`` times as many unfiltered neighbours and drops the later ones; only when too few
    remain does it run ``filtered`` (the exact ``date`` NIN query): the same neighbours either way, up to
    the approximation of Chroma's index.
    """

    def __init__(self, wide: BaseRetriever, filtered: BaseRetriever, day: date, top_k: int) -> None:
        """``wide`` asks ``top_k * OVERFETCH`` unfiltered neighbours, ``filtered`` the exact query."""
        super().__init__()
        self.wide, self.filtered, self.day, self.top_k = wide, filtered, day, top_k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        got = self.wide.retrieve(query_bundle)  # sets query_bundle.embedding: the fallback reuses it
        kept = [n for n in got if not published_after(n.node.metadata.get("date", ""), self.day)]
        if len(kept) >= self.top_k or len(got) < self.top_k * OVERFETCH:
            return kept[: self.top_k]
        return self.filtered.retrieve(query_bundle)
