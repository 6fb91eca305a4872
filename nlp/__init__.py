"""The language layer: spaCy's English pipeline and what it reads in text (entities, dates).

It sits at the base of the house (it imports nothing of ``store``, ``assistant`` or ``ui``), so ingest
(``store.metadata``) and answering can share one loader and one way of reading dates instead of each
keeping its own rules.
"""

from __future__ import annotations

from nlp.dates import full_date, parse_full_date
from nlp.pipeline import ENTITY_COMPONENTS, entity_docs, entity_pipeline, full_pipeline

__all__ = ["ENTITY_COMPONENTS", "entity_docs", "entity_pipeline", "full_date", "full_pipeline", "parse_full_date"]
