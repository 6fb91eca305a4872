"""Offline environment, set once before any library that might phone home is imported.

The product never reaches the network unless a user configures a remote LLM or Chroma server,
so these defaults are applied in the code path itself, not only in tests.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

_DONE = False


def tiktoken_cache_dir() -> Path | None:
    """The tiktoken cache that llama-index-core ships (cl100k_base, o200k_base)."""
    spec = find_spec("llama_index.core")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "_static" / "tiktoken_cache"
    return path if path.is_dir() else None


def setup_offline() -> None:
    """Turn off telemetry and hub downloads; point tiktoken at its bundled cache. Idempotent."""
    global _DONE
    if _DONE:
        return
    for key, value in {
        "HF_HUB_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "TOKENIZERS_PARALLELISM": "false",
    }.items():
        os.environ.setdefault(key, value)
    cache = tiktoken_cache_dir()
    if cache is not None:
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache))
    nltk_cache = cache.parent / "nltk_cache" if cache is not None else None
    if nltk_cache is not None and nltk_cache.is_dir():
        os.environ.setdefault("NLTK_DATA", str(nltk_cache))
    _DONE = True
