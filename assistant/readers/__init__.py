"""Readers write the answer text from retrieved passages; chosen by ``settings.reader``.

Each reader module is imported lazily, so the default install needs none of the optional backends:
``llamacpp`` needs the ``local-llm`` extra, ``openai`` the ``openai`` extra, ``ollama`` the ``ollama`` extra.
"""

from __future__ import annotations

from typing import Any

from assistant.errors import AssistantError
from assistant.settings import Settings

#: reader name -> (module, the extra that installs its backend)
GENERATIVE = {
    "llamacpp": ("assistant.readers.llamacpp", "local-llm"),
    "openai": ("assistant.readers.openai_reader", "openai"),
    "ollama": ("assistant.readers.ollama", "ollama"),
}


class ReaderError(AssistantError):
    """The reader cannot run (backend not installed, model missing, LLM server unreachable).

    The message names the fix or the URL; the CLI prints it on one line and exits 1.
    """


def make_reader(settings: Settings, embed_model: Any, stats: Any) -> Any:
    if settings.reader == "extractive":
        from assistant.readers.extractive import ExtractiveReader

        return ExtractiveReader(settings=settings, embed_model=embed_model, stats=stats)
    if settings.reader in GENERATIVE:
        import importlib

        module_name, _extra = GENERATIVE[settings.reader]
        module = importlib.import_module(module_name)
        return module.make(settings, embed_model, stats)
    raise ReaderError(f"unknown reader {settings.reader!r}; use extractive, llamacpp, openai or ollama")


def missing_backend(reader: str, package: str, exc: ImportError) -> ReaderError:
    """The error for a generative reader whose optional packages are not installed."""
    extra = GENERATIVE[reader][1]
    return ReaderError(
        f"the {reader} reader needs the {package!r} package ({exc.name or exc}): "
        f'install it with `pip install "news-assistant[{extra}]"`'
    )
