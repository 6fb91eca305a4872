"""Words in context: which word of a sentence says what the claim's verb says ("requested", "sought",
"the request" for "asked"), by MiniLM's contextual token vectors, not by a list of synonyms.

Single-word embeddings cannot tell synonyms from neighbours (ask~request 0.35, russia~china 0.74), but a
word's vector inside its sentence carries the role it plays there: in "Russia asked China for aid" and
"Russia has requested assistance from China" the two verbs meet at ~0.6 while unrelated words of the
sentence stay under ~0.35. The product's own embedder (``assistant.embedding.MiniLMEmbedding``) gives
these vectors: the same ONNX session, its last hidden layer before pooling.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

#: a sentence word carries the claim's predicate at this contextual cosine (and is the closest such word)
SAME_ROLE = 0.42
#: sentences whose token vectors are kept
CACHE_SIZE = 5000

_model: Any = None
_cache: OrderedDict[str, tuple[np.ndarray, list[tuple[int, int]]]] = OrderedDict()


def _load() -> Any:
    global _model
    if _model is None:
        from assistant.embedding import MiniLMEmbedding

        _model = MiniLMEmbedding()
        _model.load()
    return _model


def _hidden(text: str) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The last hidden layer of ``text``'s word pieces (unit rows) and each piece's character span."""
    if text in _cache:
        return _cache[text]
    model = _load()
    enc = model._tokenizer.encode(text)
    ids = np.array([enc.ids], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    if "token_type_ids" in model._input_names:
        feeds["token_type_ids"] = np.zeros_like(ids)
    hidden = model._session.run(None, feeds)[0][0]
    spans = [o if w is not None else (0, 0) for o, w in zip(enc.offsets, enc.word_ids, strict=True)]
    _cache[text] = (hidden, spans)
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return hidden, spans


def token_vector(token: Any) -> np.ndarray | None:
    """The contextual vector of a spaCy token (the mean of its word pieces), unit length; None if unseen."""
    hidden, spans = _hidden(token.doc.text)
    start, end = token.idx, token.idx + len(token.text)
    rows = [i for i, (s, e) in enumerate(spans) if e > s and s < end and e > start]
    if not rows:
        return None
    v = hidden[rows].mean(axis=0)
    n = float(np.linalg.norm(v))
    return v / n if n else None


def same_role(claim_token: Any, candidates: list[Any]) -> Any:
    """The candidate word that says in its sentence what ``claim_token`` says in the claim, or None."""
    ref = token_vector(claim_token)
    if ref is None:
        return None
    best, best_sim = None, SAME_ROLE
    for t in candidates:
        v = token_vector(t)
        if v is None:
            continue
        sim = float(v @ ref)
        if sim >= best_sim:
            best, best_sim = t, sim
    return best
