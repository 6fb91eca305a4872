"""The query engine: LlamaIndex's ``RetrieverQueryEngine`` that returns a finished, typed ``Answer``.

Retriever → the reader's node postprocessors → the reader (a response synthesizer, given the
retrieved chunks too) → ``finish``: the one place an answer gets its numbered citations, their
source metadata and the refusal text. The question's ``mode`` picks the ``Reading`` after the one
retriever: "answer" (the reader above), or another synthesizer with its own steps and retrieval depth
("perspectives": ``assistant.perspectives.pipeline.PerspectivesReader``), so every mode shares the
retriever, the finishing and the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from llama_index.core.callbacks.base import CallbackManager
from llama_index.core.callbacks.schema import CBEventType, EventPayload
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers import BaseSynthesizer
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle

from assistant.answer import Answer
from assistant.grounding import compose, number_citations, refusal_text
from assistant.question import QuestionBundle, as_bundle


@dataclass(frozen=True)
class Reading:
    """One way of answering after the engine's retriever: the node postprocessors, then the synthesizer."""

    synthesizer: BaseSynthesizer
    postprocessors: list[BaseNodePostprocessor] = field(default_factory=list)
    #: passages to retrieve when the question does not say (None: ``settings.top_k``)
    top_k: int | None = None


class AnswerEngine(RetrieverQueryEngine):
    """``query`` gives an ``Answer``; a ``QuestionBundle`` query carries the question's options and mode.

    ``response_synthesizer`` and ``node_postprocessors`` are the "answer" mode, as in LlamaIndex;
    ``modes`` adds the others by name (``Reading``)."""

    def __init__(
        self,
        retriever: BaseRetriever,
        response_synthesizer: BaseSynthesizer,
        node_postprocessors: list[BaseNodePostprocessor] | None = None,
        modes: dict[str, Reading] | None = None,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        super().__init__(retriever, response_synthesizer, node_postprocessors, callback_manager)
        self.modes = {"answer": Reading(self._response_synthesizer, self._node_postprocessors), **(modes or {})}

    def _query(self, query_bundle: QueryBundle) -> Answer:  # type: ignore[override]
        bundle = as_bundle(query_bundle)
        reading = self.modes.get(bundle.mode)
        if reading is None:
            raise ValueError(f"no {bundle.mode!r} mode on this engine (modes: {', '.join(self.modes)})")
        if bundle.top_k is None and reading.top_k is not None:
            bundle = replace(bundle, top_k=reading.top_k)  # a copy: the caller's question stays as asked
        with self.callback_manager.event(
            CBEventType.QUERY, payload={EventPayload.QUERY_STR: bundle.query_str}
        ) as query_event:
            chunks = self._retriever.retrieve(bundle)
            nodes = chunks
            for step in reading.postprocessors:
                nodes = step.postprocess_nodes(nodes, query_bundle=bundle)
            answer = reading.synthesizer.synthesize(query=bundle, nodes=nodes, retrieved=chunks)
            finish(answer, bundle, chunks)
            query_event.on_end(payload={EventPayload.RESPONSE: answer})
        return answer


def finish(answer: Answer, bundle: QuestionBundle, chunks: list[NodeWithScore]) -> Answer:
    """Give the reader's ``answer`` its text with ``[n]`` markers and verified citations (or the refusal
    text, quoting the user's own words), and the retrieved ``chunks``. A perspectives answer (``claims``
    set) keeps the citations its reader numbered by claim."""
    from assistant.perspectives.render import add_source_metadata

    answer.retrieved = list(chunks)
    if answer.refused:
        answer.text, answer.citations, answer.direct_answer = refusal_text(bundle.focus or bundle.query_str), [], None
        return answer
    if answer.claims is not None:
        return answer
    grounded = compose(answer.sentences) if answer.sentences else number_citations(answer.evidence)
    answer.text, answer.citations = grounded.answer, add_source_metadata(grounded.citations, answer.retrieved)
    return answer


def answer_of(result: Any) -> Answer:
    """``query``'s result as an ``Answer`` (it always is one; this says so to a type checker)."""
    if not isinstance(result, Answer):
        raise TypeError(f"the query engine gave a {type(result).__name__}, not an Answer")
    return result
