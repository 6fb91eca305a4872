"""The Chroma client: embedded (persistent folder) by default, or a Chroma server by setting.

Collections are created with ``embedding_function=None``: the product embeds with its own model,
and Chroma's default function would try to download one. A process keeps one client per store (embedded:
per folder; server: per URL and token), and closes it through Chroma's public API when the folder is
deleted or replaced under it (``close_client``).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any
from urllib.parse import urlparse

from store.config import StoreSettings
from store.errors import AssistantError


class StoreError(AssistantError):
    """The store cannot be opened or used; the message says what to do."""


#: HTTP clients by (url, token): building one costs ~0.7 s, and a process opens the store several times.
_HTTP_CLIENTS: dict[tuple[str, str | None], Any] = {}
_HTTP_LOCK = threading.Lock()
#: Embedded clients by store folder: one per process, so that closing it releases Chroma's connection.
_EMBEDDED_CLIENTS: dict[str, Any] = {}


def open_client(settings: StoreSettings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        return _http_client(settings, chroma_settings)
    path = settings.chroma_path
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise StoreError(f"store folder {settings.store_dir} is not writable: {exc.strerror or exc}") from exc
    with _HTTP_LOCK:
        client = _EMBEDDED_CLIENTS.get(str(path))
        if client is None:
            try:
                client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            except Exception as exc:
                raise StoreError(
                    f"cannot open the store at {path}: {exc}. Rebuild it with `news-assistant ingest --rebuild`."
                ) from exc
            _EMBEDDED_CLIENTS[str(path)] = client
        return client


def close_client(settings: StoreSettings, client: Any = None) -> None:
    """Close this process's client of the embedded store (``client``: only if it is still the one held).

    Chroma keeps the database file open: a store deleted or rebuilt by another process is only seen
    once the client is closed and a new one opened. A client another caller opened since is left alone.
    """
    with _HTTP_LOCK:
        held = _EMBEDDED_CLIENTS.get(str(settings.chroma_path))
        if held is None or (client is not None and held is not client):
            return
        del _EMBEDDED_CLIENTS[str(settings.chroma_path)]
    with contextlib.suppress(Exception):
        held.close()


def discard_broken_store(settings: StoreSettings) -> None:
    """After the embedded store failed to open (a damaged database): close it and let Chroma forget the
    half-started connection it keeps for the folder, so that a new store can be made there."""
    from chromadb.api.client import Client

    close_client(settings)
    Client.clear_system_cache()  # Chroma's public way to create a new system for an existing path


def open_collection(client: Any, name: str) -> Any:
    return client.get_or_create_collection(name=name, embedding_function=None, metadata={"hnsw:space": "cosine"})


def open_kv_collection(client: Any, name: str) -> Any:
    """The side collection ``<name>__kv`` that holds the ingest record in server mode."""
    from store.kvstore import kv_collection_name

    return client.get_or_create_collection(name=kv_collection_name(name), embedding_function=None)


def _http_client(settings: StoreSettings, chroma_settings: Any) -> Any:
    """A checked client for the Chroma server; the auth token goes in an ``Authorization: Bearer`` header."""
    import chromadb

    url_text = settings.chroma_url or ""
    url = urlparse(url_text)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise StoreError(f"bad Chroma URL {url_text!r}: expected http://HOST:PORT")
    key = (url_text, settings.chroma_token)
    with _HTTP_LOCK:
        client = _HTTP_CLIENTS.get(key)
        try:
            if client is None:
                headers = {"Authorization": f"Bearer {settings.chroma_token}"} if settings.chroma_token else None
                client = chromadb.HttpClient(
                    host=url.hostname,
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                    headers=headers,
                    settings=chroma_settings,
                )
            client.heartbeat()
        except Exception as exc:
            _HTTP_CLIENTS.pop(key, None)
            raise StoreError(f"cannot reach the Chroma server at {url_text}: {_short(exc)}") from exc
        _HTTP_CLIENTS[key] = client
        return client


def server_error(settings: StoreSettings, exc: BaseException) -> StoreError:
    """A ``StoreError`` naming the server, for a request that failed after the store was opened."""
    return StoreError(f"the Chroma server at {settings.chroma_url} failed: {_short(exc)}")


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]
