"""The components the settings choose, each built in one place, on first use (imports are lazy, so a
command that never answers never loads a model): the store's embedding model, the reader's (int8 by
default), the opened store, and the reader with its LLM. Services take the components they need.
"""

from __future__ import annotations

import logging
from typing import Any

from assistant.errors import AssistantError
from assistant.offline import setup_offline
from assistant.services.store_handle import StoreHandle
from assistant.settings import Settings


class EmbeddingMismatch(AssistantError):
    """The store was embedded by another model than the settings name."""


class Components:
    """One process's models and store, shared by its services."""

    def __init__(self, settings: Settings) -> None:
        setup_offline()
        self.settings = settings
        self.store = StoreHandle(settings)
        self._embed: Any = None
        self._embed_kind = ""
        self._reader_embed: Any = None

    def _local_model(self, int8: bool = False) -> Any:
        """The packaged MiniLM, or (``int8``) its per-channel int8 build (``assistant.quantized``)."""
        from assistant.embedding import MiniLMEmbedding

        model_file = None
        if int8:
            from assistant.quantized import int8_model_path

            model_file = str(int8_model_path())
        model = MiniLMEmbedding(embed_batch_size=self.settings.embed_batch_size, model_file=model_file)
        model.load()
        return model

    @property
    def embed_model(self) -> Any:
        """The model that embeds chunks and questions (the one the store's vectors were built with): the
        packaged MiniLM, or a server's (``embedding = openai | ollama``, ``assistant.embedding_remote``)."""
        kind = self.store.resolve_embedding()
        if self._embed is None or self._embed_kind != kind:  # ``auto``: a rebuilt store may use another
            if kind in ("local", "int8"):
                self._embed = self._local_model(int8=kind == "int8")
            else:
                from assistant.embedding_remote import remote_embedding

                self._embed = remote_embedding(self.settings)
            self._embed_kind = kind
        return self._embed

    @property
    def reader_embed_model(self) -> Any:
        """The model the reader embeds sentences with: the int8 one (``assistant.quantized``) by default,
        the store's own if ``reader_embedding = "store"`` and the store's model is a local one (a server
        round trip per question's sentences would cost more than the model), the packaged one if the int8
        one cannot be built."""
        local_store = self.store.resolve_embedding() in ("local", "int8")
        if (self.settings.reader_embedding == "store" and local_store) or self.settings.embedding == "int8":
            return self.embed_model  # int8 store: the reader's own model already, loaded once
        if self._reader_embed is None:
            try:
                model = self._local_model(int8=True)
            except (ImportError, OSError, RuntimeError, ValueError) as exc:
                logging.getLogger(__name__).warning("int8 reader embedding unavailable (%s): using the packaged", exc)
                model = self.embed_model if local_store else self._local_model()
            self._reader_embed = model
        return self._reader_embed

    def check_embedding(self) -> None:
        """Refuse to answer from a store whose vectors another model made: the question's vector would be
        compared with vectors of a different space, and the passages found would be noise."""
        if self.store.resolve_embedding() not in ("local", "int8"):
            from assistant.embedding_remote import server_of

            server_of(self.settings)  # an unset server says what to set, not "made by openai:X, settings openai:?"
        have = self.store.catalogue.chunking().get("embedding")
        want = self.settings.embedding_label
        if have and have != want:
            raise EmbeddingMismatch(
                f"this store's vectors were made by {have}, but the settings embed with {want}: set the "
                "embedding settings back to the store's, or re-embed it with `news-assistant ingest --rebuild`"
            )

    def retriever(self, version: Any) -> Any:
        """The hybrid retriever over the store at ``version`` (its BM25 index loaded or built and saved)."""
        from assistant.retrieval_index import open_retriever

        store = self.store
        self.check_embedding()
        return open_retriever(self.settings, store.collection, store.vector_store, self.embed_model, version)

    def reader(self, stats: Any) -> Any:
        """The reader the settings name (extractive, or generative with its LLM), over the retriever's ``stats``."""
        from assistant.readers import make_reader

        return make_reader(self.settings, self.reader_embed_model, stats)
