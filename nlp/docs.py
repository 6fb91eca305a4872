"""Parsed docs of the one pipeline, cached per text, and the word keys answering matches on.

The same sentences come back question after question (a news corpus is read many times), so parsed
docs are kept; parsing is the costly step (about 7 ms a sentence on one core).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Any

from nlp.pipeline import full_pipeline, parse_docs

DOC_CACHE_SIZE = 20_000
_CACHE: OrderedDict[str, Any] = OrderedDict()
_LOCK = threading.Lock()  # guards the cache only; parsing has its own lock in nlp.pipeline


def parse_many(texts: list[str]) -> list[Any]:
    """spaCy docs of ``texts`` in order; the ones not seen before are parsed together."""
    with _LOCK:
        found = {t: _CACHE[t] for t in texts if t in _CACHE}
        for t in found:
            _CACHE.move_to_end(t)
    missing = [t for t in dict.fromkeys(texts) if t not in found]
    if missing:
        docs = parse_docs(missing)
        found.update(zip(missing, docs, strict=True))
        with _LOCK:
            for t in missing:
                _CACHE[t] = found[t]
            while len(_CACHE) > DOC_CACHE_SIZE:
                _CACHE.popitem(last=False)
    return [found[t] for t in texts]


def parse(text: str) -> Any:
    """The full parse of one text (cached)."""
    return parse_many([text])[0]


def tokens(text: str) -> Any:
    """Only spaCy's tokenizer (no model): enough for stop words and word matching, and fast."""
    return full_pipeline().tokenizer(text)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer's Snowball stemmer, which BM25 uses too

    return Stemmer.Stemmer("english")


def content_keys(tokens: Any) -> list[str]:
    """Snowball stems of the tokens that carry meaning (spaCy's stop words and punctuation out, but
    numbers kept even when spelled out: "two" is a stop word to spaCy and an answer here), so
    "Globes" meets "globe" and "centuries" meets "century" whatever the tagger made of them."""
    words = [t.lower_ for t in tokens if (t.like_num or not (t.is_stop or t.is_punct or t.is_space)) and t.text.strip()]
    return _stemmer().stemWords(words)
