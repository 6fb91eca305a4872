"""Generative readers: an LLM writes the answer, the engine grounds it sentence by sentence.

The evidence is chosen by the extractive reader's own machinery (same candidates, same scores,
same refusal decision). The model sees the extractive reader's chosen sentences, then the next
best ones, as numbered, fenced data (``prompting``: chat messages through the model's own
template, or a few-shot completion prompt), and is told to ignore instructions inside them
(sentences that address a model are not shown at all). Its answer streams in; each sentence, once
complete, is aligned to the sentences that support it (``assistant.grounding.align``) and checked
(``generative_checks``); an unsupported one is withdrawn, and when none survives the answer falls
back to the extractive reader's. The model never cites: the engine attaches ``[n]``. When the
model fails (crash, hang, refused connection) the answer is the extractive reader's too, with
``reader_error`` saying why.

The result is a typed ``assistant.answer.Answer``: the evidence of the kept sentences (or the
refusal) and why, the sentences (generated, or the extractive fallback's), the reader that produced
the final text ("llamacpp", ..., or "extractive"), the generated sentences grounding withdrew, and
``reader_error`` (why the model gave no answer, None when it did).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from llama_index.core.llms import ChatMessage, MockLLM
from llama_index.core.schema import NodeWithScore, QueryBundle

from assistant.answer import Answer
from assistant.grounding import Alignment, Evidence
from assistant.question import QuestionBundle
from assistant.readers import ReaderError
from assistant.readers.base import OffsetSynthesizer
from assistant.readers.candidates import Candidate
from assistant.readers.extractive import ExtractiveReader, Selection, answer_of
from assistant.readers.generative_checks import GroundingChecks
from assistant.readers.prompting import INJECTION_RE, build_messages, build_prompt, clean_generation
from assistant.settings import Settings
from assistant.text import split_sentences

#: evidence sentences shown to the model (3 and 5 scored the same on the dev set; 3 is faster)
CONTEXT_SENTENCES = 3
#: ... each at least this share of the best one's score
CONTEXT_RELATIVE = 0.6
MAX_NEW_TOKENS = 64


class GenerationFailed(ReaderError):
    """The model failed while answering (crash, hang, refused connection): the answer falls back."""


class GenerativeReader(GroundingChecks, OffsetSynthesizer):
    """A LlamaIndex response synthesizer: extractive evidence, LLM wording, engine-side grounding."""

    def __init__(
        self,
        settings: Settings,
        embed_model: Any,
        stats: Any,
        llm: Any,
        name: str,
        where: str,
        chat: bool = False,
        server: Any = None,
        connect: Callable[[str], Any] | None = None,
    ) -> None:
        super().__init__(llm=MockLLM())
        self.settings = settings
        self.name = name
        self.where = where  # the model file or server URL, for error messages
        self.generator = llm
        self.chat = chat  # chat messages through the model's own template, else a completion prompt
        self.server = server  # the supervised local model server (``LocalModelServer``), if any
        self._connect = connect  # URL -> LLM, for a supervised server restarted on a new port
        self._url = server.url if server is not None else None
        self.extractive = ExtractiveReader(settings=settings, embed_model=embed_model, stats=stats)
        # shared with callers that use the extractive interface directly (warm-up, perspectives mode)
        self.stats = stats
        self.cache = self.extractive.cache

    # -- the extractive reader's evidence interface (perspectives mode works on it, without the LLM) --
    def candidates(self, nodes: list[NodeWithScore]) -> list[Candidate]:
        return self.extractive.candidates(nodes)

    def score(self, question: str, cands: list[Candidate], focus: str | None = None) -> None:
        self.extractive.score(question, cands, focus)

    def select(self, question: str, nodes: list[NodeWithScore], focus: str | None = None) -> Selection:
        return self.extractive.select(question, nodes, focus=focus)

    @property
    def postprocessors(self) -> list[Any]:
        """None in the query engine: this reader takes the retrieved chunks, since it scores their
        sentences twice (all of them for the decision, those fit to show a model for the context)."""
        return []

    # -- LlamaIndex synthesizer interface (the rest in ``OffsetSynthesizer``) ------------------
    def synthesize(self, query: Any, nodes: list[NodeWithScore], *args: Any, **kwargs: Any) -> Answer:
        question = query.query_str if isinstance(query, QueryBundle) else str(query)
        # the user's own words when the question was rewritten from a follow-up
        focus = query.focus if isinstance(query, QuestionBundle) else kwargs.get("focus")
        emit = getattr(query, "on_event", None)
        decision = self.extractive.select(question, nodes, focus=focus)
        if decision.refused:
            # the refusal is the extractive reader's decision and the product's fixed text: no LLM words
            return self._response(decision, nodes, "extractive")
        context = self.context(question, nodes, focus=focus)
        facts = self.facts(decision, context)
        anchors = {(e.source, e.start) for ev in decision.evidence[:1] for e in [ev, *ev.also]}
        t0 = time.perf_counter()
        try:
            alignments, generated = self.generate(question, facts, nodes, anchors, focus=focus, emit=emit)
        except GenerationFailed as exc:
            # the model crashed, hung or is unreachable: the extractive answer, and why
            return self._extractive(question, decision, nodes, f"fallback to extractive: {exc}", reader_error=str(exc))
        gen_seconds = time.perf_counter() - t0
        kept = [a for a in alignments if a.supported]
        dropped = [a for a in alignments if not a.supported]
        withdrawn = [{"text": a.text, "reason": a.reason} for a in dropped]
        if not kept:
            why = "; ".join(f"“{a.text[:60]}”: {a.reason}" for a in dropped) or "empty generation"
            reason = f"fallback to extractive: no generated sentence is supported ({why})"
            answer = self._extractive(question, decision, nodes, reason)
            answer.generated, answer.generation_s, answer.withdrawn = generated, round(gen_seconds, 4), withdrawn
            return answer
        reason = f"generated by {self.name}: {len(kept)} sentence(s) kept"
        if dropped:
            reason += ", dropped " + "; ".join(f"“{a.text[:60]}” ({a.reason})" for a in dropped)
        evidence = list({(e.source, e.start): e for a in kept for e in a.evidence}.values())
        selection = Selection(evidence, False, decision.confidence, reason)
        return self._response(
            selection,
            nodes,
            self.name,
            sentences=[(a.text, a.evidence) for a in kept],
            generated=generated,
            seconds=gen_seconds,
            withdrawn=withdrawn,
        )

    # -- steps ------------------------------------------------------------------------------------
    def context(self, question: str, nodes: list[NodeWithScore], focus: str | None = None) -> list[Candidate]:
        """The best evidence sentences (extractive scores), without text that addresses a model."""
        cands = [c for c in self.extractive.candidates(nodes) if not INJECTION_RE.search(c.text)]
        if not cands:
            return []
        self.extractive.score(question, cands, focus=focus)
        cands.sort(key=lambda c: c.score, reverse=True)
        floor = CONTEXT_RELATIVE * cands[0].score
        return [c for c in cands if c.score >= floor][:CONTEXT_SENTENCES]

    def _model(self) -> Any:
        """The LLM, connected to the supervised server (started again if it died)."""
        if self.server is None:
            return self.generator
        try:
            url = self.server.ensure()
        except ReaderError as exc:
            raise GenerationFailed(str(exc)) from exc
        if url != self._url and self._connect is not None:
            self.generator, self._url = self._connect(url), url
        return self.generator

    def judge_llm(self) -> Any:
        """The same model as a LlamaIndex LLM, for ``eval --judge``."""
        return self._model()

    def generate(
        self,
        question: str,
        facts: list[Evidence],
        nodes: list[NodeWithScore],
        anchors: set[tuple[str, int]],
        focus: str | None = None,
        emit: Callable[..., None] | None = None,
    ) -> tuple[list[Alignment], str]:
        """Stream one answer line from the model, grounding each sentence as soon as it is complete.

        ``emit`` (if given) hears ``("token", pending text)`` as tokens arrive, then ``("kept", sentence)``
        or ``("withdrawn", sentence, reason)`` for each finished sentence. Any failure of the model
        (refused connection, crash mid-answer, no token within the timeout) is a ``GenerationFailed``;
        a supervised server is then killed, to be started afresh on the next question.
        """
        texts = [f.text for f in facts]
        alignments: list[Alignment] = []
        raw, settled = "", 0

        def settle(sentences: list[str]) -> None:
            for sentence in sentences:
                for a in self.ground(sentence, facts, nodes, anchors, question=question, focus=focus):
                    alignments.append(a)
                    if emit is not None:
                        emit("kept", a.text) if a.supported else emit("withdrawn", a.text, a.reason)

        try:
            llm = self._model()
            if self.chat:
                messages = [ChatMessage(role=m["role"], content=m["content"]) for m in build_messages(question, texts)]
                stream = llm.stream_chat(messages)
            else:
                stream = llm.stream_complete(build_prompt(question, texts), formatted=True)
            for chunk in stream:
                raw += chunk.delta or ""
                if "\n" in raw.lstrip():
                    break  # one line is the answer; what follows is the model rambling on
                parts = [s.text for s in split_sentences(clean_generation(raw))]
                if len(parts) - 1 > settled:
                    settle(parts[settled:-1])
                    settled = len(parts) - 1
                if emit is not None and parts[settled:]:
                    emit("token", parts[-1])
        except GenerationFailed:
            raise
        except Exception as exc:
            raise GenerationFailed(self._failure(exc)) from exc
        line = clean_generation(raw)
        settle([s.text for s in split_sentences(line)][settled:])
        return alignments, line

    def _failure(self, exc: BaseException) -> str:
        """One line saying what went wrong with the model (the supervised server is killed)."""
        if self.server is not None:
            code = self.server.exit_code(wait=1.0)  # a broken connection is often the server dying
            self.server.kill()
            if code is not None:
                return f"the local model server stopped mid-answer (exit {code}); it restarts on the next question"
        if "timeout" in type(exc).__name__.lower() or "timed out" in str(exc).lower():
            return f"the {self.name} model gave no answer within {self.settings.llm_timeout_s:g} s"
        return f"the {self.name} reader failed at {self.where}: {_short(exc)}"

    def facts(self, decision: Selection, context: list[Candidate]) -> list[Evidence]:
        """What the model is shown (best first): the extractive reader's chosen sentences, then the
        best other context sentences, up to ``CONTEXT_SENTENCES``."""
        facts = [ev for ev in decision.evidence if not INJECTION_RE.search(ev.text)]
        seen = {(e.source, e.start) for ev in facts for e in [ev, *ev.also]}
        for c in context:
            if len(facts) >= CONTEXT_SENTENCES:
                break
            if (c.source, c.start) not in seen:
                facts.append(Evidence(c.text, c.source, c.start, c.end, c.score, c.title))
                seen.add((c.source, c.start))
        return facts

    def _extractive(
        self, question: str, decision: Selection, nodes: list[NodeWithScore], reason: str, reader_error: str = ""
    ) -> Answer:
        """The extractive reader's own answer (direct answer first) for this decision."""
        selection = Selection(decision.evidence, False, decision.confidence, reason, ranked=decision.ranked)
        parts, span = self.extractive.direct(question, nodes, selection) if self.settings.direct_answer else ([], None)
        return answer_of(selection, nodes, "extractive", parts, span, reader_error=reader_error or None)

    def _response(
        self,
        selection: Selection,
        nodes: list[NodeWithScore],
        reader: str,
        sentences: list[tuple[str, list[Evidence]]] | None = None,
        generated: str | None = None,
        seconds: float | None = None,
        withdrawn: list[dict[str, str]] | None = None,
    ) -> Answer:
        timing = round(seconds or 0.0, 4) if generated is not None else None
        return answer_of(
            selection, nodes, reader, sentences, generated=generated, generation_s=timing, withdrawn=withdrawn or []
        )


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]
