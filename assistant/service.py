"""The service of one process: its components and one service per feature (``assistant.services``).

``Service`` only holds them: ``answers`` (ask, stream), ``library`` (ingest, upload, remove, list,
read), ``perspectives_service`` (claims and the sources on each side), all over one ``components``
(models, reader, the opened store). The short names below (``svc.ask``, ``svc.ingest`` …) are the
feature services' own methods, bound here so that call sites stay short.
"""

from __future__ import annotations

from typing import Any

from assistant.services.ask import ANSWERING_MODULES, AskService, Engine
from assistant.services.components import Components
from assistant.services.library import LibraryService
from assistant.services.perspectives import PerspectivesService
from assistant.services.questions import MAX_QUESTION_CHARS, QuestionError
from assistant.settings import Settings

__all__ = ["ANSWERING_MODULES", "MAX_QUESTION_CHARS", "Engine", "QuestionError", "Service"]


class Service:
    """The feature services of one process over shared components; the CLI and the web app hold one."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.components = Components(settings)
        self.answers = AskService(self.components)
        self.library = LibraryService(self.components)
        self.perspectives_service = PerspectivesService(self.answers)
        # answers
        self.ask = self.answers.ask
        self.stream = self.answers.stream
        self.llm = self.answers.llm
        self.preload = self.answers.preload
        self.warm_up = self.answers.warm_up
        self.perspectives = self.perspectives_service.perspectives
        # the library
        self.ingest = self.library.ingest
        self.ensure_ingested = self.library.ensure_ingested
        self.upload = self.library.upload
        self.remove = self.library.remove
        self.reset_store = self.library.reset_store
        self.save_index = self.library.save_index
        self.sources = self.library.sources
        self.article = self.library.article
        self.article_text = self.library.article_text
        self.status = self.library.status
        self.chunking_warning = self.library.chunking_warning

    def _engine(self) -> Engine:
        """The answering engine for the store as it is now (for tools that drive its parts directly)."""
        return self.answers.engine()

    # -- the components, for tools and tests ---------------------------------------------------------
    @property
    def catalogue(self) -> Any:
        return self.components.store.catalogue

    @property
    def vector_store(self) -> Any:
        return self.components.store.vector_store

    @property
    def collection(self) -> Any:
        return self.components.store.collection

    @property
    def embed_model(self) -> Any:
        return self.components.embed_model

    @property
    def reader_embed_model(self) -> Any:
        return self.components.reader_embed_model

    def chunk_count(self) -> int:
        return self.components.store.chunk_count()
