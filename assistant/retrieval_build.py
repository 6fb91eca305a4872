"""Building the saved retrieval index from the store a page of chunks at a time.

The index used to be built from every chunk as a LlamaIndex ``TextNode`` held at once (plus BM25's
corpus of metadata dicts and its token lists): 2.8 GB, 3.4 GB with the save, for the 105,744 chunks of
10,000 articles. Here each page of chunks is read from Chroma, turned into what the index keeps of it
(BM25 token ids as 4-byte arrays, the chunk table row, the term-statistics words) and dropped. BM25's
corpus, which holds each chunk's text and metadata, is written straight to disk by ``bm25s`` from a
second paged read in index order. The saved folder is the same as the in-memory build's: bm25s' own
format written through ``BM25Retriever.persist``, loaded by ``retrieval_index.load_index``.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from assistant.text import content_terms

if TYPE_CHECKING:
    from assistant.retrieval import ChunkMeta, TermStats

#: LlamaIndex's BM25 retriever tokenises each chunk with this pattern and English stop words.
TOKEN_PATTERN = r"(?u)\b\w\w+\b"


class _Corpus:
    """BM25's corpus in index order, read from Chroma a page of ids at a time while bm25s writes it.

    Each entry is what ``BM25Retriever`` keeps for a node (``node_to_metadata_dict`` plus ``node_id``),
    so a loaded index gives back the same nodes."""

    def __init__(self, collection: Any, ids: list[str]) -> None:
        self.collection, self.ids = collection, ids

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        from llama_index.core.vector_stores.utils import node_to_metadata_dict

        from assistant.retrieval import node_of
        from store.paging import GET_PAGE

        for start in range(0, len(self.ids), GET_PAGE):
            wanted = self.ids[start : start + GET_PAGE]
            got = self.collection.get(ids=wanted, include=["metadatas", "documents"])
            rows = dict(zip(got["ids"], zip(got["metadatas"], got["documents"], strict=True), strict=True))
            for node_id in wanted:
                if node_id not in rows:  # removed meanwhile: the caller builds in memory from the store as it is
                    raise RuntimeError(f"chunk {node_id} left the store while its index was built")
                meta, text = rows[node_id]
                yield node_to_metadata_dict(node_of(node_id, meta, text)) | {"node_id": node_id}


def build_streaming(collection: Any, top_k: int) -> tuple[Any, TermStats, list[ChunkMeta]] | None:
    """The BM25 retriever (its corpus still to be written by ``persist``), the term statistics and the
    chunk table for every chunk in ``collection``; None for an empty collection."""
    import bm25s
    import Stemmer
    from bm25s.tokenization import Tokenizer
    from llama_index.core.schema import MetadataMode
    from llama_index.retrievers.bm25 import BM25Retriever

    from assistant.retrieval import ChunkMeta, TermStats, node_of, order_key
    from store.paging import pages

    stemmer = Stemmer.Stemmer("english")
    tokenizer = Tokenizer(splitter=TOKEN_PATTERN, stopwords="en", stemmer=stemmer)
    keys: list[tuple[str, int, str]] = []
    rows: list[ChunkMeta] = []
    tokens: list[array] = []
    df: Counter = Counter()
    for page in pages(collection, ["metadatas", "documents"]):
        nodes = [node_of(*row) for row in zip(page["ids"], page["metadatas"], page["documents"], strict=True)]
        texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
        ids = tokenizer.tokenize(texts, update_vocab=True, return_as="ids", show_progress=False)
        for node, token_ids in zip(nodes, ids, strict=True):
            keys.append(order_key(node))
            rows.append(ChunkMeta.of(node))
            tokens.append(array("i", token_ids))
            df.update(set(content_terms(node.get_content())))
    if not keys:
        return None
    order = sorted(range(len(keys)), key=keys.__getitem__)
    bm25 = bm25s.BM25()
    corpus_ids = [tokens[i] for i in order]
    del tokens
    bm25.index((corpus_ids, tokenizer.get_vocab_dict()), show_progress=False)
    del corpus_ids
    retriever = BM25Retriever(existing_bm25=bm25, stemmer=stemmer, similarity_top_k=min(top_k, len(keys)))
    retriever.corpus = _Corpus(collection, [keys[i][2] for i in order])
    return retriever, TermStats(n_docs=len(keys), df=df), [rows[i] for i in order]
