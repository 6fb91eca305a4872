"""The ask service: one answer record per question, from an engine built once per version of the store.

Models and indexes load once (lazily, on first use) and are reused for every question; the engine
is rebuilt only when the store's contents change.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from assistant.records import AnswerRecord
from assistant.services.components import Components
from assistant.services.questions import clean_history, clean_question, condense, source_files

if TYPE_CHECKING:
    from assistant.engine import AnswerEngine
    from assistant.retrieval import HybridRetriever


class Engine(NamedTuple):
    """What answers questions for one version of the store: ``query`` is an ``AnswerEngine`` (LlamaIndex's
    ``RetrieverQueryEngine``, giving a typed ``Answer``) over ``retriever``, the reader's postprocessors
    and ``reader``."""

    retriever: HybridRetriever
    reader: Any  # ExtractiveReader or a GenerativeReader
    query: AnswerEngine


#: the modules a question goes through (imported lazily, except by ``AskService.preload``)
ANSWERING_MODULES = (
    "spacy",
    "assistant.condense",
    "assistant.engine",
    "assistant.grounding",
    "assistant.perspectives",
    "assistant.perspectives.pipeline",
    "assistant.question",
    "assistant.retrieval",
    "assistant.readers.extractive",
    "assistant.answering.direct",
)


class AskService:
    """Ask and stream: answers with citations, from the components' store, models and reader."""

    def __init__(self, components: Components) -> None:
        self.components = components
        self.store = components.store
        self._built: Engine | None = None
        self._version: Any = None
        self._generation = -1

    def engine(self) -> Engine:
        """The query engine for the store as it is now (rebuilt after an ingest, never per question)."""
        with self.store.lock:
            version = self.store.version()
            if self._built is None or version != self._version or self.store.generation != self._generation:
                from assistant.engine import AnswerEngine, Reading
                from assistant.perspectives.pipeline import PerspectivesReader, extractive_reader

                retriever = self.components.retriever(version)
                reader = self.components.reader(retriever.stats)
                extractive = extractive_reader(
                    reader, retriever.settings, self.components.reader_embed_model, retriever.stats
                )
                perspectives = PerspectivesReader(extractive)
                query = AnswerEngine(
                    retriever=retriever,
                    response_synthesizer=reader,
                    node_postprocessors=reader.postprocessors,
                    modes={"perspectives": Reading(perspectives, top_k=perspectives.depth)},
                )
                self._built = Engine(retriever, reader, query)
                self._version = version
                self._generation = self.store.generation
            return self._built

    def preload(self) -> None:
        """Import everything answering needs, in the calling thread.

        A web server answers in worker threads while its warm-up thread builds the engine; two threads
        importing spaCy at once can break Python's import (``KeyError: 'spacy'`` in importlib), so
        ``serve`` calls this before it starts listening.
        """
        import importlib

        from assistant.answering.nlp import nlp

        for name in ANSWERING_MODULES:
            importlib.import_module(name)
        nlp()  # loading the pipeline imports the rest of spaCy

    def warm_up(self) -> None:
        """Load the model, open the store and build the retriever now, so the first question is fast."""
        if self.store.chunk_count() > 0:
            self.engine().reader.cache.get(["warm up"])

    def ask(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        qid: str | None = None,
        sources: list[str] | None = None,
        as_of: str | date | None = None,
        on_event: Any = None,
        mode: str = "answer",
    ) -> AnswerRecord:
        """Answer one question (with the conversation so far) as a FORMATS.md answer record.

        ``sources`` restricts retrieval to those files (names, name prefixes or outlets; see
        ``HybridRetriever.resolve_sources``); a value matching no file is a ``QuestionError``.
        ``as_of`` is the day the question is asked (default today; see ``assistant.recency``).
        ``on_event`` hears a generative reader's tokens and grounding verdicts as they happen.
        ``mode`` "perspectives" answers with the claims for and against (``claims``, ``bottom_line``).
        """
        from assistant.engine import answer_of
        from assistant.question import QuestionBundle
        from assistant.retrieval import retrieved_of

        question = clean_question(question)
        engine = self.engine()
        files = source_files(engine.retriever, sources)
        t0 = time.perf_counter()
        standalone, condensed_by = condense(engine.reader, question, clean_history(history))
        focus = question if standalone != question else None
        bundle = QuestionBundle(standalone, sources=files, as_of=as_of, focus=focus, on_event=on_event, mode=mode)
        answer = answer_of(engine.query.query(bundle))
        return AnswerRecord(
            id=qid,
            question=question,
            answer=answer.text,
            refused=answer.refused,
            citations=answer.citations,
            reader=answer.reader,
            direct_answer=answer.direct_answer,
            latency_s=round(time.perf_counter() - t0, 4),
            standalone_question=standalone if standalone != question else None,
            condensed_by=condensed_by,
            grounding=answer.reason,
            retrieved=retrieved_of(answer.retrieved),
            reader_error=answer.reader_error,
            withdrawn=answer.withdrawn,
            claims=answer.claims,
            bottom_line=answer.bottom_line,
        )

    def llm(self) -> Any:
        """The generative reader's LLM (a LlamaIndex ``LLM``, e.g. for ``eval --judge``), else None."""
        reader = self.engine().reader
        return reader.judge_llm() if hasattr(reader, "judge_llm") else None

    def stream(
        self, question: str, history: list[dict[str, str]] | None = None, as_of: str | date | None = None
    ) -> Iterator[tuple[str, AnswerRecord | None]]:
        """Yield ``(text so far, None)`` while the answer grows, then ``(record.answer, record)``
        (see ``assistant.streaming``)."""
        from assistant.streaming import stream_answer

        return stream_answer(lambda on_event: self.ask(question, history, as_of=as_of, on_event=on_event))
