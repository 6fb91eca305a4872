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

from assistant.records import Retrieved
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
        self.settings = settings
        self.nodes = nodes
        self.stats = TermStats.from_nodes(nodes)
        per_retriever = max(settings.top_k * 2, 10)
        self.index = VectorStoreIndex.from_vector_store(vector_store, embed_model=embed_model)
        retrievers: list[BaseRetriever] = [self.index.as_retriever(similarity_top_k=per_retriever)]
        if nodes:
            retrievers.append(_bm25(nodes, per_retriever))
        self.fusion = _fuse(retrievers, settings.top_k)

    def retrieve(self, query: str, top_k: int | None = None, sources: list[str] | None = None) -> list[Any]:
        """The fused passages for ``query``; ``top_k`` overrides the setting, ``sources`` keeps only those files.

        With neither, this is the retriever built once in ``__init__``. A source filter goes to Chroma
        as a LlamaIndex metadata filter on ``source`` and BM25 runs over those files' chunks only, so
        the filtered files' best passages are found however the rest of the corpus ranks.
        """
        if not self.nodes:
            return []
        if top_k is None and sources is None:
            return self.fusion.retrieve(query)
        k = top_k or self.settings.top_k
        per_retriever = max(k * 2, 10)
        nodes = self.nodes
        filters = None
        if sources is not None:
            from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters

            wanted = set(sources)
            nodes = [n for n in self.nodes if n.metadata.get("source") in wanted]
            if not nodes:
                return []
            filters = MetadataFilters(
                filters=[MetadataFilter(key="source", value=sorted(wanted), operator=FilterOperator.IN)]
            )
        retrievers: list[BaseRetriever] = [
            self.index.as_retriever(similarity_top_k=per_retriever, filters=filters),
            _bm25(nodes, per_retriever),
        ]
        return _fuse(retrievers, k).retrieve(query)

    def sources(self) -> list[str]:
        """The ingested file names, sorted."""
        return sorted({n.metadata.get("source", "") for n in self.nodes} - {""})

    def resolve_sources(self, wanted: list[str]) -> tuple[list[str], list[str]]:
        """Ingested files matching the user's ``--source`` values, and the values matching none.

        A value matches a file by its exact name, as a prefix of its name ("003"), or by the
        outlet the article names for itself ("Al Jazeera", case-insensitive).
        """
        meta: dict[str, dict[str, Any]] = {}
        for n in self.nodes:
            meta.setdefault(n.metadata.get("source", ""), n.metadata)
        names = self.sources()
        found: list[str] = []
        unknown: list[str] = []
        for value in wanted:
            v = value.strip()
            if not v:
                continue
            hits = [s for s in names if s == v] or [
                s for s in names if s.startswith(v) or s.split("/")[-1].startswith(v)
            ]
            if not hits:
                from store.metadata import canonical_outlet

                outlet = (canonical_outlet(v) or v).lower()
                hits = [s for s in names if str(meta[s].get("outlet") or "").lower() == outlet]
            if hits:
                found.extend(h for h in hits if h not in found)
            else:
                unknown.append(v)
        return found, unknown


def _bm25(nodes: list[TextNode], top_k: int) -> BaseRetriever:
    import Stemmer
    from llama_index.retrievers.bm25 import BM25Retriever

    return BM25Retriever.from_defaults(
        nodes=nodes, similarity_top_k=min(top_k, len(nodes)), stemmer=Stemmer.Stemmer("english")
    )


def _fuse(retrievers: list[BaseRetriever], top_k: int) -> QueryFusionRetriever:
    return QueryFusionRetriever(
        retrievers,
        llm=MockLLM(),  # never called: num_queries=1 means no generated queries
        mode="relative_score",  # score-aware: one retriever's clear top hit is not outvoted by consensus
        similarity_top_k=top_k,
        num_queries=1,
        use_async=False,
    )


def retrieved_of(nodes: list[Any]) -> list[Retrieved]:
    """The answer record's ``retrieved`` list: every retrieved passage in rank order."""
    return [
        Retrieved(
            source=n.node.metadata.get("source", ""),
            start=n.node.start_char_idx or 0,
            end=n.node.end_char_idx or 0,
            score=round(float(n.score or 0.0), 4),
        )
        for n in nodes
    ]
