"""Hybrid retrieval: Chroma vectors plus BM25, fused by relative score (LlamaIndex retrievers).

The BM25 index and the term statistics are derived from the store's own contents, so they work
the same against the embedded store and a Chroma server, and are rebuilt only when it changes.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from llama_index.core import VectorStoreIndex
from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import BaseRetriever, QueryFusionRetriever
from llama_index.core.schema import TextNode
from llama_index.core.vector_stores.utils import metadata_dict_to_node

from assistant.settings import Settings
from assistant.text import content_terms


def load_nodes(collection: Any) -> list[TextNode]:
    """Every chunk in the collection as a ``TextNode`` (text, offsets, metadata)."""
    got = collection.get(include=["metadatas", "documents"])
    nodes: list[TextNode] = []
    for node_id, meta, text in zip(got["ids"], got["metadatas"], got["documents"], strict=True):
        node = metadata_dict_to_node(meta, text=text)
        node.id_ = node_id
        nodes.append(node)
    nodes.sort(key=lambda n: (n.metadata.get("source", ""), n.start_char_idx or 0))
    return nodes


@dataclass
class TermStats:
    """Chunk-level document frequencies: how informative a question word is in this corpus."""

    n_docs: int = 0
    df: Counter = field(default_factory=Counter)

    @classmethod
    def from_nodes(cls, nodes: list[TextNode]) -> TermStats:
        df: Counter = Counter()
        for node in nodes:
            df.update(set(content_terms(node.get_content())))
        return cls(n_docs=len(nodes), df=df)

    def idf(self, term: str) -> float:
        n = max(self.n_docs, 1)
        return math.log(1 + (n - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5))


class HybridRetriever:
    """Vector + BM25 retrievers fused with reciprocal-rank fusion; no LLM query generation."""

    def __init__(self, settings: Settings, vector_store: Any, embed_model: Any, nodes: list[TextNode]) -> None:
        self.nodes = nodes
        self.stats = TermStats.from_nodes(nodes)
        per_retriever = max(settings.top_k * 2, 10)
        index = VectorStoreIndex.from_vector_store(vector_store, embed_model=embed_model)
        retrievers: list[BaseRetriever] = [index.as_retriever(similarity_top_k=per_retriever)]
        if nodes:
            import Stemmer
            from llama_index.retrievers.bm25 import BM25Retriever

            retrievers.append(
                BM25Retriever.from_defaults(
                    nodes=nodes, similarity_top_k=min(per_retriever, len(nodes)), stemmer=Stemmer.Stemmer("english")
                )
            )
        self.fusion = QueryFusionRetriever(
            retrievers,
            llm=MockLLM(),  # never called: num_queries=1 means no generated queries
            mode="relative_score",  # score-aware: one retriever's clear top hit is not outvoted by consensus
            similarity_top_k=settings.top_k,
            num_queries=1,
            use_async=False,
        )

    def retrieve(self, query: str) -> list[Any]:
        if not self.nodes:
            return []
        return self.fusion.retrieve(query)
