"""Readers write the answer text from retrieved passages; chosen by ``settings.reader``.

Each reader module is imported lazily, so the default install needs none of the optional backends.
"""

from __future__ import annotations

from typing import Any

from assistant.settings import Settings


def make_reader(settings: Settings, embed_model: Any, stats: Any) -> Any:
    if settings.reader == "extractive":
        from assistant.readers.extractive import ExtractiveReader

        return ExtractiveReader(settings=settings, embed_model=embed_model, stats=stats)
    raise ValueError(f"reader {settings.reader!r} is not available in this build; use --reader extractive")
