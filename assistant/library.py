"""Moved to ``assistant.services.library``; these names stay importable from here."""

from assistant.services.library import ArticleNotFound, EmptyStore, LibraryService, UnknownArticles, store_failure

__all__ = ["ArticleNotFound", "EmptyStore", "LibraryService", "UnknownArticles", "store_failure"]
