"""The query engine: LlamaIndex's ``RetrieverQueryEngine`` that returns a finished, typed ``Answer``.

Retriever → the reader's node postprocessors → the reader (a response synthesizer, given the
retrieved chunks too) → ``finish``: the one place an answer gets its numbered citations, their
source metadata and the refusal text.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.callbacks.schema import CBEventType, EventPayload
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.schema import NodeWithScore, QueryBundle

from assistant.answer import Answer
from assistant.grounding import compose, number_citations, refusal_text
from assistant.question import QuestionBundle, as_bundle


class AnswerEngine(RetrieverQueryEngine):
    """``query`` gives an ``Answer``; a ``QuestionBundle`` query carries the question's options."""

    def _query(self, query_bundle: QueryBundle) -> Answer:  # type: ignore[override]
        bundle = as_bundle(query_bundle)
        with self.callback_manager.event(
            CBEventType.QUERY, payload={EventPayload.QUERY_STR: bundle.query_str}
        ) as query_event:
            chunks = self._retriever.retrieve(bundle)
            nodes = self._apply_node_postprocessors(chunks, query_bundle=bundle)
            answer = self._response_synthesizer.synthesize(query=bundle, nodes=nodes, retrieved=chunks)
            finish(answer, bundle, chunks)
            query_event.on_end(payload={EventPayload.RESPONSE: answer})
        return answer


def finish(answer: Answer, bundle: QuestionBundle, chunks: list[NodeWithScore]) -> Answer:
    """Give the reader's ``answer`` its text with ``[n]`` markers and verified citations (or the refusal
    text, quoting the user's own words), and the retrieved ``chunks``."""
    from assistant.perspectives.render import add_source_metadata

    answer.retrieved = list(chunks)
    if answer.refused:
        answer.text, answer.citations, answer.direct_answer = refusal_text(bundle.focus or bundle.query_str), [], None
        return answer
    grounded = compose(answer.sentences) if answer.sentences else number_citations(answer.evidence)
    answer.text, answer.citations = grounded.answer, add_source_metadata(grounded.citations, answer.retrieved)
    return answer


def answer_of(result: Any) -> Answer:
    """``query``'s result as an ``Answer`` (it always is one; this says so to a type checker)."""
    if not isinstance(result, Answer):
        raise TypeError(f"the query engine gave a {type(result).__name__}, not an Answer")
    return result
