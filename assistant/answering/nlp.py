"""Answering's view of the language layer: the parsed-doc cache and word keys of ``nlp.docs``.

Kept so answering modules import one name; the pipeline itself is ``nlp.full_pipeline()``, the one
instance ingest uses too (a process that answers and ingests holds the model once).
"""

from __future__ import annotations

from nlp.docs import DOC_CACHE_SIZE, content_keys, parse, parse_many, tokens
from nlp.pipeline import full_pipeline as nlp
from nlp.pipeline import load as _load  # the cached loader: tests count its loads

__all__ = ["DOC_CACHE_SIZE", "_load", "content_keys", "nlp", "parse", "parse_many", "tokens"]
