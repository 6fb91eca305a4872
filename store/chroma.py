"""The Chroma client: embedded (persistent folder) by default, or a Chroma server by setting.

Collections are created with ``embedding_function=None``: the product embeds with its own model,
and Chroma's default function would try to download one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from assistant.settings import Settings


class StoreError(RuntimeError):
    """The store cannot be opened or used; the message says what to do."""


def open_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise StoreError(f"bad Chroma URL {settings.chroma_url!r}: expected http://HOST:PORT")
        headers = {"Authorization": f"Bearer {settings.chroma_token}"} if settings.chroma_token else None
        try:
            client = chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                headers=headers,
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:
            raise StoreError(f"cannot reach the Chroma server at {settings.chroma_url}: {exc}") from exc
        return client
    path = settings.chroma_path
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise StoreError(f"store folder {settings.store_dir} is not writable: {exc.strerror or exc}") from exc
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        raise StoreError(
            f"cannot open the store at {path}: {exc}. Rebuild it with `news-assistant ingest --rebuild`."
        ) from exc


def open_collection(client: Any, name: str) -> Any:
    return client.get_or_create_collection(name=name, embedding_function=None, metadata={"hnsw:space": "cosine"})
