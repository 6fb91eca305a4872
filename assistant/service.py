"""The service: one object per process that holds the models and the store, used by CLI and UI alike.

Models and indexes load once (lazily, on first use) and are reused for every question; the
retriever is rebuilt only when the store's contents change.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from assistant.errors import UsageError
from assistant.library import LibraryMixin
from assistant.offline import setup_offline
from assistant.records import AnswerRecord
from assistant.settings import Settings

if TYPE_CHECKING:
    from llama_index.core.query_engine import RetrieverQueryEngine

    from assistant.retrieval import HybridRetriever

MAX_QUESTION_CHARS = 2000


class Engine(NamedTuple):
    """What answers questions for one version of the store: ``query`` is LlamaIndex's
    ``RetrieverQueryEngine`` over ``retriever``, the reader's postprocessors and ``reader``."""

    retriever: HybridRetriever
    reader: Any  # ExtractiveReader or a GenerativeReader
    query: RetrieverQueryEngine


class QuestionError(UsageError, ValueError):
    """The question cannot be asked as given (empty, unusable); the message says why."""


#: the modules a question goes through (imported lazily, except by ``Service.preload``)
ANSWERING_MODULES = (
    "spacy",
    "assistant.condense",
    "assistant.grounding",
    "assistant.perspectives",
    "assistant.question",
    "assistant.retrieval",
    "assistant.readers.extractive",
    "assistant.answering.direct",
)


class Service(LibraryMixin):
    """Ingest, ask and stream: the only entry points the CLI and the web app use."""

    def __init__(self, settings: Settings) -> None:
        setup_offline()
        self.settings = settings
        self._lock = threading.RLock()
        self._embed: Any = None
        self._reader_embed: Any = None
        self._collection: Any = None
        self._vector_store: Any = None
        self._built: Engine | None = None
        self._version: Any = None
        self._db_identity: tuple[int, int] | None = None  # the embedded database file this process opened
        self._chroma_system: Any = None  # Chroma's cached connection to it
        self._catalogue: Any = None

    # -- components, built once ---------------------------------------------------------------
    @property
    def embed_model(self) -> Any:
        if self._embed is None:
            from assistant.embedding import MiniLMEmbedding

            self._embed = MiniLMEmbedding(embed_batch_size=self.settings.embed_batch_size)
            self._embed.load()
        return self._embed

    @property
    def reader_embed_model(self) -> Any:
        """The model the reader embeds sentences with: the int8 one (``assistant.quantized``) by default,
        the store's own if ``reader_embedding = "store"`` or the int8 one cannot be built."""
        if self.settings.reader_embedding == "store":
            return self.embed_model
        if self._reader_embed is None:
            import logging

            from assistant.embedding import MiniLMEmbedding
            from assistant.quantized import int8_model_path

            try:
                path = int8_model_path()
                model = MiniLMEmbedding(embed_batch_size=self.settings.embed_batch_size, model_file=str(path))
                model.load()
            except (ImportError, OSError, RuntimeError, ValueError) as exc:
                logging.getLogger(__name__).warning("int8 reader embedding unavailable (%s): using the store's", exc)
                model = self.embed_model
            self._reader_embed = model
        return self._reader_embed

    @property
    def vector_store(self) -> Any:
        if self._vector_store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            from store.chroma import open_client, open_collection

            with self._opening_lock():
                client = open_client(self.settings)
                self._collection = open_collection(client, self.settings.collection)
            self._vector_store = ChromaVectorStore(chroma_collection=self._collection)
            self._db_identity = self._current_db_identity()
            self._chroma_system = getattr(client, "_system", None)
        return self._vector_store

    @contextlib.contextmanager
    def _opening_lock(self) -> Iterator[None]:
        """Open (and maybe create) the embedded store one process at a time.

        Two processes creating a new store at once race inside Chroma ("table collections already
        exists"), e.g. two ``ingest`` commands started together; the second waits a moment instead.
        """
        from store.ingest import StoreLock

        lock = StoreLock(self.settings.store_dir / "open.lock")
        try:
            if not self.settings.chroma_url:
                lock.acquire()
        except OSError:
            pass  # an unusable store folder: open_client says why
        try:
            yield
        finally:
            lock.release()

    def chunk_count(self) -> int:
        self._check_store()
        _ = self.vector_store
        return int(self._collection.count())

    # -- the store folder changing under a running process ------------------------------------------
    def _current_db_identity(self) -> tuple[int, int] | None:
        if self.settings.chroma_url:
            return None
        try:
            info = (self.settings.chroma_path / "chroma.sqlite3").stat()
        except OSError:
            return None
        return (info.st_dev, info.st_ino)

    def _check_store(self, reopen: bool = False) -> None:
        """Notice the embedded store being deleted or replaced while this process runs.

        Chroma keeps its database file open: a deleted store would go on answering from the unlinked
        file, and a store rebuilt by another process (``ingest --rebuild``) would never be seen. So the
        old handles are dropped; a store that is gone is an error saying how to get it back, unless
        ``reopen`` (ingest), which creates a new one.
        """
        if self.settings.chroma_url or self._db_identity is None:
            return
        with self._lock:
            now = self._current_db_identity()
            if now == self._db_identity:
                return
            self._close_store()
            if now is None and not reopen:
                from store.chroma import StoreError

                raise StoreError(
                    f"the store {self.settings.store_dir} was deleted or moved while the assistant was running; "
                    "rebuild it with `news-assistant ingest --rebuild` (or put the folder back)"
                )
            self._db_identity = None

    def _close_store(self, force: bool = False) -> None:
        """Forget the collection and Chroma's cached connection to this store's (old) database file.

        ``force`` drops the cached connection even if this Service did not open it (a failed open leaves
        a broken one behind).
        """
        from chromadb.api.shared_system_client import SharedSystemClient

        key = str(self.settings.chroma_path)  # Chroma caches one system per persist_directory
        system = SharedSystemClient._identifier_to_system.get(key)
        if system is not None and (force or system is self._chroma_system):  # not one another Service reopened
            SharedSystemClient._identifier_to_system.pop(key, None)
            SharedSystemClient._identifier_to_refcount.pop(key, None)
            with contextlib.suppress(Exception):
                system.stop()
        self._chroma_system = None
        self._vector_store = None
        self._collection = None
        self._built = None
        self._version = None
        self._catalogue = None

    def _store_version(self) -> tuple[int, Any]:
        from store.record import ingest_state_version

        return (self.chunk_count(), ingest_state_version(self.settings))

    def _engine(self) -> Engine:
        """The query engine for the store as it is now (rebuilt after an ingest, never per question)."""
        with self._lock:
            version = self._store_version()
            if self._built is None or version != self._version:
                from llama_index.core.query_engine import RetrieverQueryEngine

                from assistant.readers import make_reader
                from assistant.retrieval_index import open_retriever

                retriever = open_retriever(
                    self.settings, self._collection, self.vector_store, self.embed_model, version
                )
                reader = make_reader(self.settings, self.reader_embed_model, retriever.stats)
                query = RetrieverQueryEngine(
                    retriever=retriever, response_synthesizer=reader, node_postprocessors=reader.postprocessors
                )
                self._built = Engine(retriever, reader, query)
                self._version = version
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
        if self.chunk_count() > 0:
            self._engine().reader.cache.get(["warm up"])

    # -- answers -------------------------------------------------------------------------------
    @staticmethod
    def _condense(reader: Any, question: str, history: list[dict[str, str]]) -> tuple[str, str | None]:
        """The standalone question and who wrote it: the rules decide whether the question depends on the
        conversation; a generative reader's model then writes the rewrite (kept if it is one)."""
        from assistant.condense import condense

        standalone = condense(question, history)
        if standalone == question:
            return question, None
        llm = getattr(reader, "judge_llm", None)
        if llm is None:
            return standalone, "rules"
        from assistant.readers.condense_llm import condense_with_llm

        try:
            model = llm()
        except Exception:  # no model now: the rules' rewrite, the reader reports its own failure
            return standalone, "rules"
        return condense_with_llm(model, question, history, standalone)

    def ask(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        qid: str | None = None,
        sources: list[str] | None = None,
        as_of: str | date | None = None,
        on_event: Any = None,
    ) -> AnswerRecord:
        """Answer one question (with the conversation so far) as a FORMATS.md answer record.

        ``sources`` restricts retrieval to those files (names, name prefixes or outlets; see
        ``HybridRetriever.resolve_sources``); a value matching no file is a ``QuestionError``.
        ``as_of`` is the day the question is asked (default today; see ``assistant.recency``).
        ``on_event`` hears a generative reader's tokens and grounding verdicts as they happen.
        """
        from assistant.grounding import compose, number_citations, refusal_text
        from assistant.perspectives import add_source_metadata
        from assistant.question import QuestionBundle
        from assistant.retrieval import retrieved_of

        question = _clean_question(question)
        engine = self._engine()
        files = _source_files(engine.retriever, sources)
        t0 = time.perf_counter()
        standalone, condensed_by = self._condense(engine.reader, question, _clean_history(history))
        focus = question if standalone != question else None
        bundle = QuestionBundle(standalone, sources=files, as_of=as_of, focus=focus, on_event=on_event)
        response = engine.query.query(bundle)
        selection = response.metadata["selection"]
        nodes = bundle.retrieved
        retrieved = retrieved_of(nodes)
        if selection.refused:
            answer, citations = refusal_text(question), []
        else:
            sentences = response.metadata.get("answer_sentences")
            grounded = compose(sentences) if sentences else number_citations(selection.evidence)
            answer, citations = grounded.answer, add_source_metadata(grounded.citations, nodes)
        return AnswerRecord(
            id=qid,
            question=question,
            answer=answer,
            refused=selection.refused,
            citations=citations,
            reader=response.metadata.get("reader", engine.reader.name),
            direct_answer=None if selection.refused else response.metadata.get("direct_answer"),
            latency_s=round(time.perf_counter() - t0, 4),
            standalone_question=standalone if standalone != question else None,
            condensed_by=condensed_by,
            grounding=selection.reason,
            retrieved=retrieved,
            reader_error=response.metadata.get("reader_error"),
            withdrawn=response.metadata.get("withdrawn") or [],
        )

    def llm(self) -> Any:
        """The generative reader's LLM (a LlamaIndex ``LLM``, e.g. for ``eval --judge``), else None."""
        reader = self._engine().reader
        return reader.judge_llm() if hasattr(reader, "judge_llm") else None

    def perspectives(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        sources: list[str] | None = None,
        qid: str | None = None,
        as_of: str | date | None = None,
    ) -> AnswerRecord:
        """What the sources say: the evidence grouped by claim, with the files that support and contradict
        each (``ask --perspectives``). The record's ``claims`` hold citation numbers; refusals as in ``ask``."""
        from assistant.perspectives import perspectives_record

        question = _clean_question(question)
        retriever, reader, _ = self._engine()
        files = _source_files(retriever, sources)
        t0 = time.perf_counter()
        standalone, _ = self._condense(reader, question, _clean_history(history))
        return perspectives_record(
            question,
            standalone,
            retriever,
            reader,
            self.reader_embed_model,
            sources=files,
            qid=qid,
            started=t0,
            as_of=as_of,
        )

    def stream(
        self, question: str, history: list[dict[str, str]] | None = None, as_of: str | date | None = None
    ) -> Iterator[tuple[str, AnswerRecord | None]]:
        """Yield ``(text so far, None)`` while the answer grows, then ``(record.answer, record)``
        (see ``assistant.streaming``)."""
        from assistant.streaming import stream_answer

        return stream_answer(lambda on_event: self.ask(question, history, as_of=as_of, on_event=on_event))


def _clean_question(question: str) -> str:
    cleaned = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in (question or "")).strip()
    if not cleaned:
        raise QuestionError("the question is empty")
    if not any(ch.isalnum() for ch in cleaned):
        raise QuestionError("the question has no words in it")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is too long ({len(cleaned)} characters; at most {MAX_QUESTION_CHARS})")
    return cleaned


def _source_files(retriever: Any, sources: list[str] | None) -> list[str] | None:
    """The ingested files a source filter names (None: no filter); unknown names are a ``QuestionError``."""
    if not sources:
        return None
    files, unknown = retriever.resolve_sources(sources)
    if unknown:
        raise QuestionError(
            f"no ingested article matches source {', '.join(repr(u) for u in unknown)} "
            "(give a file name, the start of one, or an outlet the article names)"
        )
    return files


def _clean_history(history: list[dict[str, str]] | None) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for turn in history or []:
        if (
            isinstance(turn, dict)
            and turn.get("role") in ("user", "assistant")
            and isinstance(turn.get("content"), str)
        ):
            out.append({"role": turn["role"], "content": turn["content"]})
    return out
