"""The ``openai`` reader: any OpenAI-compatible completions endpoint (``pip install "news-assistant[openai]"``).

``--llm-url`` (setting ``llm_url``) is the API base, e.g. ``http://127.0.0.1:8080/v1``; ``--llm-model``
the model name (default: the first model the server lists); the key comes from the environment
variable named by ``llm_api_key_env`` (local servers need none). ``--llm-api chat`` (default) sends
chat messages to ``/v1/chat/completions``, prompted through the model's own template (the only mode
chat-only models such as OpenAI's serve); ``--llm-api completions`` sends the few-shot text to
``/v1/completions`` (base models). llama.cpp's server, vLLM, LM Studio and Ollama's ``/v1`` serve both.
"""

from __future__ import annotations

import os
from typing import Any

from assistant.readers import ReaderError, missing_backend
from assistant.readers.generative import MAX_NEW_TOKENS, GenerativeReader
from assistant.settings import Settings

PROBE_TIMEOUT_S = 5.0


def list_models(base_url: str, api_key: str | None) -> list[str]:
    """The server's model ids; a ``ReaderError`` naming the URL when it cannot be reached."""
    import httpx

    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        resp = httpx.get(f"{base_url.rstrip('/')}/models", headers=headers, timeout=PROBE_TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise ReaderError(f"cannot reach the OpenAI-compatible server at {base_url}: {exc}") from exc
    if resp.status_code in (401, 403):
        raise ReaderError(f"the server at {base_url} refused the API key (HTTP {resp.status_code})")
    if resp.status_code != 200:
        return []
    try:
        return [m["id"] for m in resp.json().get("data", []) if m.get("id")]
    except (ValueError, AttributeError, TypeError):
        return []


def make(settings: Settings, embed_model: Any, stats: Any) -> GenerativeReader:
    try:
        from llama_index.llms.openai_like import OpenAILike
    except ImportError as exc:
        raise missing_backend("openai", "llama-index-llms-openai-like", exc) from exc
    if not settings.llm_url:
        raise ReaderError("the openai reader needs the server's URL: --llm-url http://HOST:PORT/v1 (ASSISTANT_LLM_URL)")
    api_key = os.environ.get(settings.llm_api_key_env) or None
    models = list_models(settings.llm_url, api_key)
    model = settings.llm_model or (models[0] if models else None)
    if not model:
        raise ReaderError(f"no model named: set --llm-model (ASSISTANT_LLM_MODEL) for {settings.llm_url}")
    llm = OpenAILike(
        model=model,
        api_base=settings.llm_url,
        api_key=api_key or "not-needed",
        is_chat_model=settings.llm_api == "chat",
        is_function_calling_model=False,
        temperature=0.0,
        max_tokens=MAX_NEW_TOKENS,
        timeout=settings.llm_timeout_s,
        max_retries=0,
        additional_kwargs={"stop": ["\n"]},
    )
    return GenerativeReader(
        settings, embed_model, stats, llm=llm, name="openai", where=settings.llm_url, chat=settings.llm_api == "chat"
    )
