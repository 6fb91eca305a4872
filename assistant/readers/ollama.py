"""The ``ollama`` reader: a model served by Ollama (``pip install "news-assistant[ollama]"``).

``--llm-url`` is the Ollama server (default ``http://127.0.0.1:11434``), ``--llm-model`` the model
name (default: the first model the server has). It talks to Ollama's chat API (``/api/chat``: the
model's own template) with the same messages, streaming and grounding as every generative reader.
"""

from __future__ import annotations

from typing import Any

from assistant.readers import ReaderError, missing_backend
from assistant.readers.generative import MAX_NEW_TOKENS, GenerativeReader
from assistant.settings import Settings

DEFAULT_URL = "http://127.0.0.1:11434"
PROBE_TIMEOUT_S = 5.0


def list_models(base_url: str) -> list[str]:
    """The server's model names; a ``ReaderError`` naming the URL when it cannot be reached."""
    import httpx

    try:
        resp = httpx.get(f"{base_url.rstrip('/')}/api/tags", timeout=PROBE_TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise ReaderError(f"cannot reach the Ollama server at {base_url}: {exc}") from exc
    if resp.status_code != 200:
        return []
    try:
        return [m["name"] for m in resp.json().get("models", []) if m.get("name")]
    except (ValueError, AttributeError, TypeError):
        return []


def make(settings: Settings, embed_model: Any, stats: Any) -> GenerativeReader:
    try:
        from llama_index.llms.ollama import Ollama
    except ImportError as exc:
        raise missing_backend("ollama", "llama-index-llms-ollama", exc) from exc
    url = settings.llm_url or DEFAULT_URL
    models = list_models(url)
    model = settings.llm_model or (models[0] if models else None)
    if not model:
        raise ReaderError(f"the Ollama server at {url} has no model: `ollama pull NAME`, then --llm-model NAME")
    llm = Ollama(
        model=model,
        base_url=url,
        request_timeout=settings.llm_timeout_s,
        temperature=0.0,
        additional_kwargs={"stop": ["\n"], "num_predict": MAX_NEW_TOKENS},
    )
    return GenerativeReader(settings, embed_model, stats, llm=llm, name="ollama", where=url, chat=True)
