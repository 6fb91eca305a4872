"""Perspectives mode as a reader of the query engine: the same retriever, the same ``Answer`` path.

``AnswerEngine`` answers a ``QuestionBundle(mode="perspectives")`` by retrieving ``TOP_K`` passages
with the one hybrid retriever and handing them to ``PerspectivesReader``, a LlamaIndex response
synthesizer: it finds the claims for and against (``claims.find_perspectives``, on the extractive
reader's own sentence scores and refusal rule) and renders them (``render.compose``: numbered
citations by claim, the bottom line, the groups). The ask service then writes the record as for any
answer, so there is one path from a question to its record, whatever the mode.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.indices.prompt_helper import ChatPromptHelper, PromptHelper
from llama_index.core.llms import MockLLM
from llama_index.core.schema import NodeWithScore

from assistant.answer import Answer
from assistant.perspectives.claims import find_perspectives
from assistant.perspectives.render import compose
from assistant.question import as_bundle
from assistant.readers.base import OffsetSynthesizer
from assistant.readers.extractive import ExtractiveReader

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


class PerspectivesReader(OffsetSynthesizer):
    """A LlamaIndex response synthesizer: the retrieved chunks in, the claims for and against out.

    It takes the chunks themselves (no node postprocessors: it scores and groups every sentence of
    them) and returns a finished ``Answer``: its citations are numbered by claim here, since the
    claims and the bottom line refer to them by number; a refusal is finished by the engine as usual.
    """

    def __init__(self, extractive: ExtractiveReader) -> None:
        # no prompt is ever packed: whitespace prompt helpers spare loading tiktoken (as ExtractiveReader)
        super().__init__(
            llm=MockLLM(),
            prompt_helper=PromptHelper(tokenizer=str.split),
            chat_prompt_helper=ChatPromptHelper(tokenizer=str.split),
        )
        self.extractive = extractive

    @property
    def depth(self) -> int:
        """Passages to retrieve: ``TOP_K``, or the setting's ``top_k`` when it asks for more."""
        return max(TOP_K, self.extractive.settings.top_k)

    # -- LlamaIndex synthesizer interface (the rest in ``OffsetSynthesizer``) ------------------
    def synthesize(self, query: Any, nodes: list[NodeWithScore], *args: Any, **kwargs: Any) -> Answer:
        """The perspectives answer for the retrieved ``nodes``: ``claims`` and ``bottom_line`` set (``claims``
        empty when refused), the text and its citations numbered by claim."""
        bundle = as_bundle(query, focus=kwargs.get("focus"))
        result = find_perspectives(self.extractive, bundle.query_str, nodes, focus=bundle.focus)
        reader = self.extractive.name
        if result.refused:
            return Answer(
                response="", source_nodes=list(nodes), refused=True, reason=result.reason, reader=reader, claims=[]
            )
        text, citations, claims, bottom = compose(result, nodes, bundle.query_str)
        n_contra = sum(len(c.contradicting) for c in claims)
        reason = f"perspectives: {len(claims)} claim(s), {len(citations)} citations, {n_contra} contradicting"
        return Answer(
            response=text,
            source_nodes=list(nodes),
            reason=reason,
            reader=reader,
            text=text,
            citations=citations,
            claims=claims,
            bottom_line=bottom,
        )
