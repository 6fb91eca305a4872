"""What the store needs of the settings: a structural type, so ``store`` never imports ``assistant.settings``.

``assistant.settings.Settings`` satisfies it; a test or a tool may pass any object with these attributes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class StoreSettings(Protocol):
    """Where the store lives and how it chunks and reads articles."""

    @property
    def store_dir(self) -> Path: ...

    @property
    def collection(self) -> str: ...

    @property
    def chroma_url(self) -> str | None: ...

    @property
    def chroma_token(self) -> str | None: ...

    @property
    def chunk_size(self) -> int: ...

    @property
    def chunk_overlap(self) -> int: ...

    @property
    def max_file_mb(self) -> float: ...

    @property
    def chroma_path(self) -> Path: ...

    @property
    def docstore_path(self) -> Path: ...
