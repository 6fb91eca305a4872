"""The language layer: spaCy's English pipeline and what it reads in text (entities, dates).

It sits at the base of the house (it imports nothing of ``store``, ``assistant`` or ``ui``), so ingest
(``store.metadata``) and answering share one loaded pipeline and one way of reading dates instead of
each keeping its own.
"""

from __future__ import annotations

from nlp.dates import full_date, parse_full_date
from nlp.docs import content_keys, parse, parse_many, tokens
from nlp.pipeline import ENTITY_COMPONENTS, entity_docs, full_pipeline

__all__ = [
    "ENTITY_COMPONENTS",
    "content_keys",
    "entity_docs",
    "full_date",
    "full_pipeline",
    "parse",
    "parse_full_date",
    "parse_many",
    "tokens",
]
