"""The store's ingest lock: one writer per embedded store folder (``filelock``; the OS frees it when a process dies)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from store.config import StoreSettings


class StoreLock:
    """An exclusive lock on a file of the store folder (``filelock``), so two ingests never write at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock: Any = None

    def acquire(self, on_wait: Callable[[], None] | None = None) -> None:
        from filelock import FileLock, Timeout

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(self.path))
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            if on_wait:
                on_wait()
            self._lock.acquire()

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


@contextmanager
def store_lock(settings: StoreSettings, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    lock = StoreLock(settings.store_dir / "ingest.lock")
    lock.acquire(on_wait)
    try:
        yield
    finally:
        lock.release()
