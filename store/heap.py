"""Handing freed heap memory back to the system during long work (imports nothing of the project).

An ingest frees a lot as it goes (each batch's texts, chunks, vectors, spaCy docs), but on glibc the
freed pages stay with the process: several threads (reader, writer, onnxruntime, Chroma's own) each
get their own malloc arena, and what one frees is reused only by that one. Copying the 10,000-article
store and ingesting 286 more articles into it peaked at 1,586 MB; trimming after every written batch
and before the retrieval index is built, 1,314 MB, at the same speed (92 s against 90-91 s).
``MALLOC_ARENA_MAX=2`` gave the same saving but was 10-20 % slower (threads wait on shared arenas).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache
from typing import Any


@cache
def _libc() -> Any | None:
    """glibc, when this process runs on it (musl, macOS and Windows have no ``malloc_trim``)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def trim() -> bool:
    """Return the heap's free pages to the system (``malloc_trim(0)``): True when some were handed back,
    False when none were or where it does not apply.

    Costs a walk over the free lists (milliseconds), so it suits the end of a batch, not a hot loop.
    """
    libc = _libc()
    return bool(libc is not None and libc.malloc_trim(0))
