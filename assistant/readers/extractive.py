"""The default reader: picks the sentences of the retrieved passages that answer the question.

It never writes a word of its own: the answer is the chosen sentences, each cited to its file and
exact offsets. In the query engine it comes after its two node postprocessors (``postprocessors``):
``SentenceCandidates`` scores every sentence of the retrieved chunks, ``RefusalGate`` refuses weak
evidence (its ``Verdict`` arrives on the node list); this synthesizer then chooses the sentences to
cite and the direct answer that leads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llama_index.core.indices.prompt_helper import ChatPromptHelper, PromptHelper
from llama_index.core.llms import MockLLM
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.schema import NodeWithScore, TextNode

from assistant.answer import Answer
from assistant.embedding import EmbeddingCache
from assistant.grounding import Evidence
from assistant.question import QuestionBundle, as_bundle
from assistant.readers.base import OffsetSynthesizer
from assistant.readers.candidates import Candidate, complete, same_statement, sentence_candidates
from assistant.readers.postprocessors import (
    RefusalGate,
    RefusalNode,
    SentenceCandidates,
    Verdict,
    candidates_of,
    gated,
    verdict_of,
)
from assistant.settings import Settings

# a further sentence joins the answer when it scores at least this share of the best one
SECOND_RATIO = 0.85


@dataclass
class Selection:
    """The reader's decision: evidence to cite (best first), or a refusal, and why."""

    evidence: list[Evidence]
    refused: bool
    confidence: float
    reason: str
    #: every scored sentence, best first (the direct answer is chosen among them)
    ranked: list[Candidate] = field(default_factory=list)


class ExtractiveReader(OffsetSynthesizer):
    """A LlamaIndex response synthesizer that answers by citing sentences, never generating."""

    name = "extractive"

    def __init__(self, settings: Settings, embed_model: Any, stats: Any) -> None:
        # no prompt is ever packed here: whitespace prompt helpers keep BaseSynthesizer from loading
        # tiktoken's cl100k tables on every cold start (~0.3 s)
        super().__init__(
            llm=MockLLM(),
            prompt_helper=PromptHelper(tokenizer=str.split),
            chat_prompt_helper=ChatPromptHelper(tokenizer=str.split),
        )
        self.settings = settings
        self.embed_model = embed_model
        self.stats = stats
        self.cache = EmbeddingCache(embed_model)
        self.sentences = SentenceCandidates(stats=stats, cache=self.cache, cover_similarity=settings.cover_similarity)
        self.gate = RefusalGate(threshold=settings.refusal_threshold)

    @property
    def postprocessors(self) -> list[BaseNodePostprocessor]:
        """The query engine's steps between the retriever and this synthesizer."""
        return [self.sentences, self.gate]

    # -- LlamaIndex synthesizer interface (the rest in ``OffsetSynthesizer``) ------------------
    def get_response(self, query_str: str, text_chunks: Any, **kwargs: Any) -> str:
        """Plain-text use (no offsets): the chosen sentences joined."""
        nodes = [NodeWithScore(node=TextNode(text=t, start_char_idx=0), score=1.0) for t in text_chunks]
        sel = self.select(query_str, nodes)
        return " ".join(e.text for e in sel.evidence)

    def synthesize(self, query: Any, nodes: list[NodeWithScore], *args: Any, **kwargs: Any) -> Answer:
        """The answer from ``postprocessors``' sentence nodes; given chunks instead, it runs them first.

        ``retrieved`` (keyword) are the chunks the sentence nodes came from (``AnswerEngine`` passes them):
        the span model reads their titles."""
        bundle = as_bundle(query, focus=kwargs.get("focus"))
        retrieved = list(kwargs.get("retrieved") or [])
        if not gated(nodes):
            retrieved = retrieved or list(nodes)
            nodes = self.steps(bundle, nodes)
        sel = self.compose(bundle, nodes)
        parts, span = self.direct(bundle.query_str, retrieved, sel) if self.settings.direct_answer else ([], None)
        read = [n for n in nodes if not isinstance(n.node, RefusalNode)]
        return answer_of(sel, read, self.name, parts, span)

    # -- evidence -------------------------------------------------------------------------------
    def steps(self, bundle: QuestionBundle, nodes: list[NodeWithScore]) -> list[NodeWithScore]:
        """Run the postprocessors over retrieved chunks, as the query engine does."""
        for step in self.postprocessors:
            nodes = step.postprocess_nodes(nodes, query_bundle=bundle)
        return nodes

    def compose(self, bundle: QuestionBundle, nodes: list[NodeWithScore]) -> Selection:
        """The sentences to cite, best first: those near the best one's score, one per statement (the
        same statement in other files is cited with it), each completed (``complete``); the refusal gate's
        verdict when it refused."""
        refused = verdict_of(nodes) or (None if nodes else Verdict("nothing retrieved", 0.0))
        if refused is not None:
            return Selection([], True, refused.confidence, refused.reason)
        cands = candidates_of(nodes)
        best = cands[0]
        chosen: list[Evidence] = []
        chosen_terms: list[set[str]] = []
        for c in cands:
            if c.score < max(self.settings.refusal_threshold, SECOND_RATIO * best.score):
                break
            dup = next((i for i, t in enumerate(chosen_terms) if same_statement(t, c.terms)), None)
            text, end = complete(c, bundle.query_str)
            ev = Evidence(text, c.source, c.start, end, c.score, c.title)
            if dup is not None:
                # the same statement in another file: one fact, cited with every file that states it
                if all(e.source != c.source for e in [chosen[dup], *chosen[dup].also]):
                    chosen[dup].also.append(ev)
                continue
            if len(chosen) >= self.settings.max_sentences:
                continue
            chosen.append(ev)
            chosen_terms.append(c.terms)
        return Selection(chosen, False, best.score, "ok", ranked=cands)

    def select(self, question: str, nodes: list[NodeWithScore], focus: str | None = None) -> Selection:
        """The selection for retrieved chunks (the steps and ``compose`` in one call)."""
        bundle = QuestionBundle(question, focus=focus)
        return self.compose(bundle, self.steps(bundle, nodes))

    def candidates(self, nodes: list[NodeWithScore]) -> list[Candidate]:
        return sentence_candidates(nodes)

    def score(self, question: str, cands: list[Candidate], focus: str | None = None) -> None:
        self.sentences.score(question, cands, focus)

    def ranked(self, question: str, nodes: list[NodeWithScore], focus: str | None = None) -> list[Candidate]:
        return self.sentences.ranked(question, nodes, focus)

    # -- the direct answer ----------------------------------------------------------------------
    def direct(
        self, question: str, nodes: list[NodeWithScore], sel: Selection
    ) -> tuple[list[tuple[str, list[Evidence]]], str | None]:
        """The answer as ``[(text, [evidence])]`` and the span it leads with: the span that answers
        first, then the clauses of its sentence around it; the citation quotes the whole sentence. Empty
        when refused. ``nodes`` are the retrieved chunks (their titles are a feature of the span model)."""
        from assistant.answering.direct import CONFIDENT, MAX_SENTENCE_WORDS, choose, lead, trim

        if sel.refused or not sel.ranked:
            return [], None
        from assistant.answering.yes_no import verdict

        best = sel.ranked[0]
        if said := verdict(question, best.text):  # a yes/no question the best evidence settles
            body = trim(best.text, question=question, max_words=MAX_SENTENCE_WORDS)
            return [(f"{said}: {body}", [self._evidence(sel, 0)])], said
        choice = choose(question, sel.ranked, nodes, self.cache.get)
        if choice is None or choice.span is None:
            # no model, or a why/how question: the selected sentences explain
            return [(trim(e.text, question=question, max_words=MAX_SENTENCE_WORDS), [e]) for e in sel.evidence], None
        parts = [
            (lead(question, choice.span, sel.ranked[choice.sentence].text), [self._evidence(sel, choice.sentence)])
        ]
        if choice.confidence < CONFIDENT and choice.sentence != 0:
            # the likeliest evidence, whole: an unconfident span may have missed the answer, which can sit
            # anywhere in it (a photo credit at the end of a caption); trimming it lost such answers
            parts.append((sel.ranked[0].text, [self._evidence(sel, 0)]))
        return parts, choice.span

    @staticmethod
    def _evidence(sel: Selection, i: int) -> Evidence:
        """The evidence for ranked sentence ``i``: the selection's own (with its duplicates elsewhere) if chosen."""
        c = sel.ranked[i]
        found = next((e for e in sel.evidence if e.source == c.source and e.start == c.start), None)
        return found or Evidence(c.text, c.source, c.start, c.end, c.score, c.title)


def answer_of(
    sel: Selection,
    nodes: list[NodeWithScore],
    reader: str,
    sentences: list[tuple[str, list[Evidence]]] | None = None,
    span: str | None = None,
    **extra: Any,
) -> Answer:
    """A reader's typed answer for its decision ``sel``: ``sentences`` (when given) are the answer, and
    ``span`` its direct answer when the first one starts with it; ``extra`` sets further ``Answer`` fields."""
    return Answer(
        response=" ".join(t for t, _ in sentences) if sentences else " ".join(e.text for e in sel.evidence),
        source_nodes=list(nodes),
        evidence=sel.evidence,
        refused=sel.refused,
        reason=sel.reason,
        confidence=sel.confidence,
        sentences=sentences or None,
        direct_answer=span if sentences and span and sentences[0][0].startswith(span) else None,
        reader=reader,
        **extra,
    )
