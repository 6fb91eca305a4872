"""Embedding on a server, chosen by settings like the LLM: an OpenAI-compatible ``/v1/embeddings``
(text-embeddings-inference, vLLM, llama.cpp's server, OpenAI) or Ollama, through LlamaIndex's own
``OpenAIEmbedding`` / ``OllamaEmbedding`` (imported only when chosen; extras ``openai`` / ``ollama``).

Ingest on 2 cores embeds ~25-60 chunks a second; a GPU server does thousands, so a large folder is
ingested by sending batches to it, ``embedding_concurrency`` requests at once (``num_workers``, read by
``store.pipeline.embed_nodes``). The store records the model (``Settings.embedding_label``), so a
store built by the server refuses a question embedded locally, and the other way round.
"""

from __future__ import annotations

import os
from typing import Any

from assistant.errors import UsageError

#: a server that does not answer is retried this often (LlamaIndex's default is 10, minutes of backoff)
MAX_RETRIES = 2
TIMEOUT_S = 60.0


def server_of(settings: Any) -> tuple[str, str]:
    """The server's base URL and model name; a ``UsageError`` saying what to set when either is missing."""
    if not settings.embedding_url or not settings.embedding_model:
        raise UsageError(
            f"embedding = {settings.embedding} needs the server's address and model: set embedding_url "
            "(ASSISTANT_EMBEDDING_URL) and embedding_model (ASSISTANT_EMBEDDING_MODEL)"
        )
    return settings.embedding_url.rstrip("/"), settings.embedding_model


def remote_embedding(settings: Any) -> Any:
    """The embedding model on the server the settings name (a LlamaIndex ``BaseEmbedding``)."""
    url, model = server_of(settings)
    common = {"embed_batch_size": settings.embed_batch_size, "num_workers": settings.embedding_concurrency}
    if settings.embedding == "openai":
        try:
            from llama_index.embeddings.openai import OpenAIEmbedding
        except ImportError as exc:
            raise UsageError("embedding = openai needs: pip install 'news-assistant[openai]'") from exc
        # model_name: any name the server serves (OpenAIEmbedding's own `model` accepts OpenAI's names only)
        return OpenAIEmbedding(
            model_name=model,
            api_base=url,
            api_key=os.environ.get(settings.embedding_api_key_env) or "none",
            max_retries=MAX_RETRIES,
            timeout=TIMEOUT_S,
            **common,
        )
    if settings.embedding == "ollama":
        try:
            from llama_index.embeddings.ollama import OllamaEmbedding
        except ImportError as exc:
            raise UsageError("embedding = ollama needs: pip install 'news-assistant[ollama]'") from exc
        return OllamaEmbedding(model_name=model, base_url=url, client_kwargs={"timeout": TIMEOUT_S}, **common)
    raise UsageError(f"unknown embedding {settings.embedding!r}: local, int8, openai or ollama")
