"""Hybrid retrieval: Chroma vectors plus BM25, fused by relative score (LlamaIndex retrievers).

The BM25 index and the term statistics are derived from the store's own contents, so they work
the same against the embedded store and a Chroma server, and are rebuilt only when it changes.
"""

from __future__ import annotations

import copy
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import BaseRetriever, QueryFusionRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, QueryType, TextNode
from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters
from llama_index.core.vector_stores.utils import metadata_dict_to_node

from assistant.question import QuestionBundle
from assistant.recency import asks_recent, parse_as_of, prefer_recent, published_after
from assistant.records import Retrieved
from assistant.retrieval_vector import OVERFETCH, UntilRetriever, VectorRetriever
from assistant.settings import Settings
from assistant.text import content_terms

#: Recency re-ranks this many times ``top_k`` fused passages (the retrievers' lists stay as long).
RECENCY_POOL = 3
#: BM25 date masks kept (one per question date seen; an evaluation run has a few dozen dates).
MAX_MASKS = 64


def node_of(node_id: str, meta: dict[str, Any], text: str) -> TextNode:
    """A stored chunk as the ``TextNode`` ingest wrote (its text, offsets and metadata)."""
    node = metadata_dict_to_node(meta, text=text)
    node.id_ = node_id
    return node


def corpus_node(entry: dict[str, Any]) -> TextNode:
    """A chunk from its BM25 corpus entry (``BM25Retriever`` keeps the node's metadata dict, text included)."""
    node = metadata_dict_to_node(entry)
    node.id_ = entry["node_id"]
    return node


def order_key(node: TextNode) -> tuple[str, int, str]:
    """Index order: by file, then position in it (Chroma's own order differs between stores)."""
    return (str(node.metadata.get("source", "")), node.start_char_idx or 0, node.node_id)


def load_nodes(collection: Any) -> list[TextNode]:
    """Every chunk in the collection as a ``TextNode`` (text, offsets, metadata), in index order."""
    from store.paging import get_all

    got = get_all(collection, ["metadatas", "documents"])
    nodes = [node_of(*row) for row in zip(got["ids"], got["metadatas"], got["documents"], strict=True)]
    nodes.sort(key=order_key)
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


class ChunkMeta(NamedTuple):
    """What filtering and source lookups need of a chunk, without building its node."""

    source: str
    date: str
    outlet: str

    @classmethod
    def of(cls, node: TextNode) -> ChunkMeta:
        m = node.metadata
        return cls(str(m.get("source") or ""), str(m.get("date") or ""), str(m.get("outlet") or ""))


class HybridRetriever(BaseRetriever):
    """Vector + BM25 retrievers fused by relative score; no LLM query generation.

    A LlamaIndex retriever: a ``QuestionBundle`` query carries the question's options (``top_k``,
    ``sources``, ``as_of``); a plain query string or ``QueryBundle`` retrieves with the defaults.
    """

    def __init__(
        self,
        settings: Settings,
        vector_store: Any,
        embed_model: Any,
        nodes: list[TextNode] | Callable[[], list[TextNode]],
        bm25: Any = None,
        stats: TermStats | None = None,
        chunks: list[ChunkMeta] | None = None,
    ) -> None:
        """``nodes`` may be a function giving them (only a source filter needs them); then ``bm25``,
        ``stats`` and ``chunks`` must be given, built over exactly those nodes (``assistant.retrieval_index``)."""
        super().__init__()
        self.settings = settings
        self._nodes = nodes if isinstance(nodes, list) else None
        self._load_nodes = None if isinstance(nodes, list) else nodes
        self.chunks = chunks if chunks is not None else [ChunkMeta.of(n) for n in self.nodes]
        self.stats = stats if stats is not None else TermStats.from_nodes(self.nodes)
        per_retriever = max(settings.top_k * 2, 10)
        self.vector_store, self.embed_model = vector_store, embed_model
        retrievers: list[BaseRetriever] = [VectorRetriever(vector_store, embed_model, per_retriever)]
        self.bm25: Any = None
        if self.chunks:
            self.bm25 = bm25 if bm25 is not None else _bm25(self.nodes, per_retriever)
            self.bm25.similarity_top_k = min(per_retriever, len(self.chunks))
            retrievers.append(self.bm25)
        self.fusion = _fuse(retrievers, settings.top_k)
        self.dates = sorted({c.date for c in self.chunks if c.date})
        self._masks: dict[str, list[int]] = {}

    @property
    def nodes(self) -> list[TextNode]:
        """Every chunk in index order (read from the saved index on first use)."""
        if self._nodes is None:
            self._nodes = self._load_nodes()
        return self._nodes

    def nodes_where(self, keep: Callable[[ChunkMeta], bool]) -> list[TextNode]:
        """The chunks whose table row passes ``keep``, in index order. From a saved index only those are
        read (its corpus is memory-mapped): a source filter at 10,000 articles builds a few dozen nodes,
        not 100,000."""
        wanted = [i for i, c in enumerate(self.chunks) if keep(c)]
        if self._nodes is not None:
            return [self._nodes[i] for i in wanted]
        return [corpus_node(self.bm25.corpus[i]) for i in wanted]

    def retrieve(
        self,
        str_or_query_bundle: QueryType,
        top_k: int | None = None,
        sources: list[str] | None = None,
        as_of: str | date | None = None,
    ) -> list[NodeWithScore]:
        """LlamaIndex's ``retrieve``; the keyword options are the ``QuestionBundle`` fields, for direct callers."""
        query = str_or_query_bundle
        if top_k is not None or sources is not None or as_of is not None:
            text = query.query_str if isinstance(query, QueryBundle) else query
            query = QuestionBundle(text, top_k=top_k, sources=sources, as_of=as_of)
        return super().retrieve(query)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        q = query_bundle if isinstance(query_bundle, QuestionBundle) else QuestionBundle(query_bundle.query_str)
        return self._search(q.query_str, q.top_k, q.sources, q.as_of)

    def _search(
        self, query: str, top_k: int | None, sources: list[str] | None, as_of: str | date | None
    ) -> list[NodeWithScore]:
        """The fused passages for ``query``; ``top_k`` overrides the setting, ``sources`` keeps only those files.

        ``as_of`` (default today) is the question's date: no passage of an article published after it is
        returned, and the fused passages are re-ranked by their article's age (``assistant.recency``).
        Filters reach Chroma as LlamaIndex metadata filters (``source`` IN, ``date`` NIN the later dates:
        Chroma compares only numbers; ``UntilRetriever`` avoids the slow filtered query when it can), and
        BM25 runs over the wanted chunks only: a subset index for a source filter (few files), a weight
        mask over the one index for a date. With nothing to filter or re-rank this is the retriever built
        once in ``__init__``.
        """
        if not self.chunks:
            return []
        day = parse_as_of(as_of)
        later = [d for d in self.dates if published_after(d, day)]
        half_life = self.settings.recency_half_life_days if asks_recent(query) else 0.0
        half_life = half_life or self.settings.default_half_life_days
        if top_k is None and sources is None and not later and not half_life:
            return self.fusion.retrieve(query)
        k = top_k or self.settings.top_k
        per_retriever = max(k * 2, 10)
        filters: list[Any] = []
        if sources is not None:
            wanted = set(sources)
            filters.append(MetadataFilter(key="source", value=sorted(wanted), operator=FilterOperator.IN))
            nodes = self.nodes_where(lambda c: c.source in wanted and not published_after(c.date, day))
            bm25 = _bm25(nodes, per_retriever) if nodes else None
        else:
            bm25 = self._bm25_until(day, later, per_retriever)
        if bm25 is None:
            return []
        if later:
            filters.append(MetadataFilter(key="date", value=later, operator=FilterOperator.NIN))
        vector: BaseRetriever = VectorRetriever(
            self.vector_store, self.embed_model, per_retriever, MetadataFilters(filters=filters) if filters else None
        )
        if later and sources is None:
            wide = VectorRetriever(self.vector_store, self.embed_model, per_retriever * OVERFETCH)
            vector = UntilRetriever(wide, vector, day, per_retriever)
        retrievers: list[BaseRetriever] = [vector, bm25]
        fused = _fuse(retrievers, k * RECENCY_POOL if half_life else k).retrieve(query)
        fused = [n for n in fused if not published_after(n.node.metadata.get("date", ""), day)]
        return prefer_recent(fused, day, half_life)[:k] if half_life else fused[:k]

    def _bm25_until(self, day: date, later: list[str], top_k: int) -> BaseRetriever | None:
        """The one BM25 index, masked to the chunks of articles not published after ``day`` (no re-indexing).

        None when every chunk is masked."""
        bm25 = copy.copy(self.bm25)
        bm25.similarity_top_k = min(top_k, len(self.chunks))
        if later:
            key = day.isoformat()
            if key not in self._masks:
                if len(self._masks) >= MAX_MASKS:
                    self._masks.clear()
                self._masks[key] = [0 if published_after(c.date, day) else 1 for c in self.chunks]
            bm25.corpus_weight_mask = self._masks[key]
            if not any(bm25.corpus_weight_mask):
                return None
        return bm25

    def sources(self) -> list[str]:
        """The ingested file names, sorted."""
        return sorted({c.source for c in self.chunks} - {""})

    def resolve_sources(self, wanted: list[str]) -> tuple[list[str], list[str]]:
        """Ingested files matching the user's ``--source`` values, and the values matching none.

        A value matches a file by its exact name, as a prefix of its name ("003"), or by the
        outlet the article names for itself ("Al Jazeera", case-insensitive).
        """
        outlets = {c.source: c.outlet for c in self.chunks}
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
                hits = [s for s in names if outlets[s].lower() == outlet]
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
