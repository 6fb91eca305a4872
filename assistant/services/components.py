"""The components the settings choose, each built in one place, on first use (imports are lazy, so a
command that never answers never loads a model): the store's embedding model, the reader's (int8 by
default), the opened store, and the reader with its LLM. Services take the components they need.
"""

from __future__ import annotations

import logging
from typing import Any

from assistant.offline import setup_offline
from assistant.services.store_handle import StoreHandle
from assistant.settings import Settings


class Components:
    """One process's models and store, shared by its services."""

    def __init__(self, settings: Settings) -> None:
        setup_offline()
        self.settings = settings
        self.store = StoreHandle(settings)
        self._embed: Any = None
        self._reader_embed: Any = None

    @property
    def embed_model(self) -> Any:
        """The model that embeds chunks and questions (the one the store's vectors were built with)."""
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

    def retriever(self, version: Any) -> Any:
        """The hybrid retriever over the store at ``version`` (its BM25 index loaded or built and saved)."""
        from assistant.retrieval_index import open_retriever

        store = self.store
        return open_retriever(self.settings, store.collection, store.vector_store, self.embed_model, version)

    def reader(self, stats: Any) -> Any:
        """The reader the settings name (extractive, or generative with its LLM), over the retriever's ``stats``."""
        from assistant.readers import make_reader

        return make_reader(self.settings, self.reader_embed_model, stats)
