"""The perspectives pipeline: retrieve, find the claims, and write the answer record."""

from __future__ import annotations

import time
from typing import Any

from assistant.grounding import refusal_text
from assistant.perspectives.claims import find_perspectives
from assistant.perspectives.render import compose
from assistant.readers.extractive import ExtractiveReader
from assistant.records import AnswerRecord
from assistant.retrieval import retrieved_of

#: passages retrieved for a perspectives answer (more than for a plain answer: every side is wanted)
TOP_K = 18


def extractive_reader(reader: Any, settings: Any, embed_model: Any, stats: Any) -> ExtractiveReader:
    """The extractive reader's machinery, whichever reader answers plain questions."""
    if isinstance(reader, ExtractiveReader):
        return reader
    inner = getattr(reader, "extractive", None)
    if isinstance(inner, ExtractiveReader):
        return inner
    return ExtractiveReader(settings=settings, embed_model=embed_model, stats=stats)


def perspectives_record(
    question: str,
    standalone: str,
    retriever: Any,
    reader: Any,
    embed_model: Any,
    sources: list[str] | None = None,
    qid: str | None = None,
    started: float | None = None,
    as_of: Any = None,
) -> AnswerRecord:
    """The FORMATS.md answer record of a perspectives answer (``claims`` filled; refusals as usual).

    ``as_of``: the question's date, for retrieval (``HybridRetriever.retrieve``)."""
    t0 = started if started is not None else time.perf_counter()
    extractive = extractive_reader(reader, retriever.settings, embed_model, retriever.stats)
    nodes = retriever.retrieve(standalone, top_k=max(TOP_K, retriever.settings.top_k), sources=sources, as_of=as_of)
    result = find_perspectives(extractive, standalone, nodes, focus=question if standalone != question else None)
    retrieved = retrieved_of(nodes)
    if result.refused:
        answer, citations, claims, bottom = refusal_text(question), [], [], None
        reason = result.reason
    else:
        answer, citations, claims, bottom = compose(result, nodes, standalone)
        n_contra = sum(len(c.contradicting) for c in claims)
        reason = f"perspectives: {len(claims)} claim(s), {len(citations)} citations, {n_contra} contradicting"
    return AnswerRecord(
        id=qid,
        question=question,
        answer=answer,
        refused=result.refused,
        citations=citations,
        reader=extractive.name,
        latency_s=round(time.perf_counter() - t0, 4),
        standalone_question=standalone if standalone != question else None,
        grounding=reason,
        retrieved=retrieved,
        claims=claims,
        bottom_line=bottom,
    )
