"""One question on its way through the query engine: LlamaIndex's ``QueryBundle`` with this question's options.

The engine (retriever, postprocessors, reader) is built once per store version and shared by the web
server's threads, so what differs between questions travels with the query instead of living on the
components: the retrieval options, the user's own words, who hears the reader's progress. It carries
the question's inputs only and the engine's steps never write to it: what a step decides goes down the
node list (the refusal gate's ``Verdict``) or into the typed ``Answer``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from llama_index.core.schema import QueryBundle


@dataclass
class QuestionBundle(QueryBundle):
    """``query_str`` is the (standalone) question; the options are read by the engine's steps."""

    #: passages to retrieve (None: ``settings.top_k``)
    top_k: int | None = None
    #: only these ingested files (None: all)
    sources: list[str] | None = None
    #: the day the question is asked (None: today); later articles are never retrieved
    as_of: str | date | None = None
    #: the user's own words when ``query_str`` was rewritten from a follow-up
    focus: str | None = None
    #: what kind of answer is asked: "answer" (the reader's), or "perspectives" (claims for and against);
    #: picks the engine's ``Reading`` (``assistant.engine``)
    mode: str = "answer"
    #: hears a generative reader's progress: ``("token", text)``, ``("kept", sentence)``,
    #: ``("withdrawn", sentence, reason)`` (``Service.stream`` turns them into the growing answer)
    on_event: Callable[..., None] | None = None


def as_bundle(query: Any, focus: str | None = None) -> QuestionBundle:
    """``query`` (a string, a ``QueryBundle`` or a ``QuestionBundle``) as a ``QuestionBundle``."""
    if isinstance(query, QuestionBundle):
        return query
    text = query.query_str if isinstance(query, QueryBundle) else str(query)
    return QuestionBundle(text, focus=focus)
