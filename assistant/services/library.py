"""The library service: what the store holds, and the only way the CLI and the web page change it.

Ingest paths, remove articles, list them, read one back, store uploads. Every article's text comes
from the store's catalogue, never from a folder on disk, so all of it works from any working directory.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError, UsageError
from assistant.services.components import Components
from store.heap import trim


class ArticleNotFound(AssistantError, FileNotFoundError):
    """No article of that name is in the store."""


class UnknownArticles(UsageError):
    """``remove`` was given names the store does not hold; nothing was removed."""


class EmptyStore(AssistantError):
    """Nothing is ingested and there is no default folder to ingest; the message says what to run."""


def store_failure(exc: BaseException) -> str | None:
    """The message for an error of the store itself (gone, damaged) met while answering, else None.

    A database damaged under a running server surfaces as a Chroma error; the user needs to hear that
    it is the store and how to get it back, not a bare "Database error".
    """
    from chromadb.errors import ChromaError

    from store.chroma import StoreError

    if isinstance(exc, StoreError):
        return str(exc)
    if isinstance(exc, ChromaError):
        return f"the store cannot be read ({exc}); rebuild it with `news-assistant ingest --rebuild`"
    return None


class LibraryService:
    """Ingest, remove, list and read articles, over the components' store and embedding model."""

    def __init__(self, components: Components) -> None:
        self.components = components
        self.settings = components.settings
        self.store = components.store

    @property
    def catalogue(self) -> Any:
        return self.store.catalogue

    def chunking_warning(self) -> str | None:
        """A line saying the settings' chunking differs from the store's, or None."""
        from store.ingest import chunking_of

        mismatch = self.catalogue.chunking_mismatch(chunking_of(self.settings, None))
        if not mismatch:
            return None
        return (
            f"the store was chunked with other settings ({'; '.join(mismatch)}); answers use the stored chunks. "
            "Run `news-assistant ingest --rebuild` to re-chunk, or set them back."
        )

    # -- changing the store -----------------------------------------------------------------------
    def ingest(
        self,
        paths: Path | list[Path] | None = None,
        progress: Callable[[int, int], None] | None = None,
        rebuild: bool = False,
        on_wait: Callable[[], None] | None = None,
        prune: bool = False,
        workers: int = 1,
        chunk_progress: Callable[[int, int], None] | None = None,
    ) -> Any:
        """Add new and update changed articles from files or folders (default: the corpus setting).

        Nothing is removed unless ``prune`` (articles from these folders whose files are gone) or
        ``rebuild`` (start from an empty store). ``chunk_progress`` hears (chunks embedded, total).
        """
        from store.ingest import run_ingest

        if workers > 1 and self.settings.embedding not in ("auto", "local", "int8"):
            raise UsageError(
                "--workers splits local embedding over processes; a server already embeds "
                f"{self.settings.embedding_concurrency} batches at once (embedding_concurrency): drop --workers"
            )
        if paths is None:
            paths = [self.settings.corpus_dir]
        elif isinstance(paths, (str, Path)):
            paths = [Path(paths)]
        self.store.check(reopen=True)
        if rebuild:
            self.reset_store()
        report = run_ingest(
            self.settings,
            [Path(p) for p in paths],
            self.store.vector_store,
            self.components.embed_model,
            self.catalogue,
            progress=progress,
            on_wait=on_wait,
            prune=prune,
            workers=workers,
            chunk_progress=chunk_progress,
        )
        self.store.changed()
        if report.added or report.changed or report.removed or report.shared:
            release = getattr(self.components.embed_model, "release_memory", None)
            if release is not None and report.new_chunks:
                release()  # the embedding arena's ~0.2 GB, before the index build needs memory
            trim()  # and what the ingest's threads freed
            self.save_index()
            trim()  # the build's token arrays and copies: a web server goes on answering
        return report

    def remove(self, names: list[str]) -> list[str]:
        """Remove these articles (by name) from the store; an unknown name removes nothing and says so."""
        from store.ingest import remove_articles

        held = self.catalogue.names()
        unknown = [n for n in names if n not in held]
        if unknown:
            raise UnknownArticles(
                f"not in the store: {', '.join(unknown)} (nothing was removed; `news-assistant sources` lists them)"
            )
        gone = remove_articles(self.settings, list(dict.fromkeys(names)), self.store.vector_store, self.catalogue)
        self.store.changed()
        if gone:
            self.save_index()
        return gone

    def save_index(self) -> None:
        """Build and save the retrieval index (BM25, term statistics) for the store as it is now, so the
        next process starts without tokenising the corpus (``assistant.retrieval_index``)."""
        with self.store.lock:
            version = self.store.version()
            if version[0]:
                self.components.retriever(version)

    def reset_store(self) -> None:
        """Drop every chunk, the ingest record and the catalogue (``ingest --rebuild``)."""
        self.store.reset()

    def ensure_ingested(self, notify: Callable[[str], None] | None = None, **kwargs: Any) -> Any:
        """On first use, ingest the default folder (the sample articles of a fresh clone).

        With an empty store and no such folder this is an ``EmptyStore`` error saying what to run.
        """
        if self.store.chunk_count() > 0:
            return None
        corpus = self.settings.corpus_dir
        if not corpus.is_dir():
            raise EmptyStore(
                f"the store {self.settings.chroma_url or self.settings.store_dir} is empty: "
                "add articles with `news-assistant ingest FOLDER`"
            )
        if notify:
            notify(f"The store is empty: ingesting {corpus} first …")
        return self.ingest(**kwargs)

    def upload(
        self,
        files: list[Path],
        progress: Callable[[int, int], None] | None = None,
        chunk_progress: Callable[[int, int], None] | None = None,
    ) -> tuple[Any, Any]:
        """Keep uploaded articles under the store's own folder and ingest just those files.

        Returns the upload result (added / same / problems) and the ingest report (None if nothing new);
        ``progress`` hears articles embedded / total, ``chunk_progress`` chunks embedded / total.
        """
        from assistant.uploads import add_uploads

        held = {e.name: e.sha256 for e in self.catalogue.entries()}
        result = add_uploads(files, self.settings.upload_dir, int(self.settings.max_file_mb * 1e6), held)
        if not result.added:
            return result, None
        report = self.ingest(
            [self.settings.upload_dir / n for n in result.added], progress=progress, chunk_progress=chunk_progress
        )
        return result, report

    # -- reading the store ------------------------------------------------------------------------
    def sources(self) -> list[Any]:
        """Every article the store holds (``ArticleEntry`` without text), sorted by name."""
        return self.catalogue.entries()

    def article(self, name: str) -> Any:
        """One article with its full text as ingested; ``ArticleNotFound`` if the store has none of that name."""
        entry = None
        if name and "\x00" not in name:
            with contextlib.suppress(ValueError, TypeError):
                entry = self.catalogue.get(name, with_text=True)
        if entry is None or entry.text is None:
            raise ArticleNotFound(f"no such article in the store: {name}")
        return entry

    def article_text(self, name: str) -> str:
        return self.article(name).text

    def status(self) -> dict[str, Any]:
        return {
            "articles": self.catalogue.count(),
            "chunks": self.store.chunk_count(),
            "reader": self.settings.reader,
            "embedding": self.settings.embedding_label,
            "store": self.settings.chroma_url or str(self.settings.store_dir),
            "uploads": str(self.settings.upload_dir),
        }
