"""Find and read article files, with one clear reason for every file that cannot be used.

Offsets everywhere in the product index the text exactly as ``Path.read_text(encoding="utf-8")``
returns it (UTF-8, universal newlines), so this module reads files that one way only.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llama_index.core import Document

from store.metadata import extract_title
from store.metadata.extractor import ArticleMetadataExtractor

ARTICLE_SUFFIXES = {".txt", ".md"}
META_KEYS = [
    "source",
    "title",
    "sha256",
    "chars",
    "outlet",
    "outlet_basis",
    "outlets_named",
    "people",
    "places",
    "date",
]
#: Byte-order marks of text that is not UTF-8 (checked before NUL bytes: UTF-16 text is full of them).
_FOREIGN_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}


@dataclass(frozen=True)
class FileProblem:
    """A file that was not ingested, and why (shown to the user on one line)."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


def find_articles(folder: Path, linked_dirs: list[Path] | None = None) -> list[Path]:
    """Article files under ``folder`` (recursive, sorted), not following directory links (loops).

    Links to folders are collected in ``linked_dirs`` (when given) so the caller can say they were skipped.
    """
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if linked_dirs is not None:
            linked_dirs.extend(Path(root) / d for d in dirs if (Path(root) / d).is_symlink())
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root) / name
            if path.suffix.lower() in ARTICLE_SUFFIXES:
                found.append(path)
    return found


def text_problem(raw: bytes) -> str | None:
    """Why these bytes are not a UTF-8 text article, or None (shared with the web upload check)."""
    for bom, name in _FOREIGN_BOMS.items():
        if raw.startswith(bom):
            return f"{name} text, skipped: convert it to UTF-8"
    if b"\x00" in raw[:65536]:
        return "binary file (contains NUL bytes), skipped"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text (bad byte at {exc.start}), skipped: convert it to UTF-8"
    return None if text.strip() else "empty file, skipped"


def open_problem(path: Path, folder: Path) -> str | None:
    """Why ``path`` must not even be opened (gone, a pipe or device, a link out of the corpus), or None.

    Anything that lists or reads corpus files (ingest, the web page's source list) checks this first:
    opening a named pipe blocks forever, and a link may point at a file the user never meant to share.
    """
    try:
        info = path.stat()
    except OSError as exc:
        return f"cannot read ({exc.strerror or exc})"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (pipe, socket or device), skipped"
    if path.is_symlink() and _outside(path, folder):
        return "link to a file outside the corpus folder, skipped"
    return None


def _outside(path: Path, folder: Path) -> bool:
    """True when ``path`` (a link) points to a file outside ``folder``: never read what the user did not put there."""
    root = folder.resolve()
    return root not in path.resolve().parents


def title_of(text: str) -> str:
    """The article's headline (first line or heading), else its first sentence: see ``store.metadata``."""
    return extract_title(text)


def read_article(path: Path, folder: Path, max_bytes: int, with_metadata: bool = True) -> Document | FileProblem:
    """Read one article into a LlamaIndex ``Document`` whose id is its corpus-relative name.

    ``with_metadata=False`` leaves the article's own metadata (title, outlet, date …) to the caller,
    which adds it to many articles at once with ``with_article_metadata``.
    """
    source = path.relative_to(folder).as_posix()
    problem = open_problem(path, folder)
    if problem:
        return FileProblem(source, problem)
    size = path.stat().st_size
    if size > max_bytes:
        return FileProblem(
            source, f"too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB limit, see --max-file-mb)"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return FileProblem(source, f"cannot read ({exc.strerror or exc})")
    problem = text_problem(raw)
    if problem:
        return FileProblem(source, problem)
    text = path.read_text(encoding="utf-8")
    doc = Document(
        id_=source,
        text=text,
        metadata={"source": source, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "chars": len(text)},
        excluded_embed_metadata_keys=list(META_KEYS),
        excluded_llm_metadata_keys=list(META_KEYS),
    )
    if with_metadata:
        with_article_metadata([doc])
    return doc


def with_article_metadata(docs: list[Document]) -> list[Document]:
    """Add what each text says about itself (title, outlet, outlets named, people, places, date), in place.

    One ``ArticleMetadataExtractor`` pass over all of them, so spaCy parses them as one stream.
    """
    if docs:
        ArticleMetadataExtractor().process_nodes(docs)
    return docs


def read_folder(folder: Path, max_bytes: int, with_metadata: bool = True) -> tuple[list[Document], list[FileProblem]]:
    """All readable articles of a folder, and the problems of the rest (``with_metadata``: their metadata
    too; ingest reads it later, for the articles it embeds)."""
    docs: list[Document] = []
    problems: list[FileProblem] = []
    linked: list[Path] = []
    paths = find_articles(folder, linked)
    problems += [FileProblem(d.relative_to(folder).as_posix(), "link to a folder, not followed") for d in linked]
    for path in paths:
        result = read_article(path, folder, max_bytes, with_metadata=False)
        (problems if isinstance(result, FileProblem) else docs).append(result)
    return (with_article_metadata(docs) if with_metadata else docs), problems


class DeferredTexts:
    """The texts of the articles an ingest will embed, held only while their batch is worked on.

    Deciding what to embed needs every file's hash, not its text; holding all texts until their batch
    came up cost 174 MB at 10,000 articles (28 MB without them). So the texts are dropped once the
    ingest knows what to do and each batch, once claimed, reads its files again (``again``); the writer
    drops them once written. A file that changed in between is ingested as it is now; one that can
    no longer be read is left out and reported (``lost``).
    """

    def __init__(self, todo: list[tuple[Document, Any]], max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.lost: list[FileProblem] = []
        self._dropped: set[str] = set()
        for doc, _ in todo:
            doc.set_content("")
            self._dropped.add(doc.id_)

    def again(self, batch: list[tuple[Document, Any]]) -> list[tuple[Document, Any]]:
        out = []
        for doc, origin in batch:
            if doc.id_ in self._dropped:
                read = read_article(Path(origin), Path(origin).parent, self.max_bytes, with_metadata=False)
                if isinstance(read, FileProblem):
                    self.lost.append(FileProblem(doc.id_, f"{read.reason} (when its turn came in this ingest)"))
                    continue
                self._dropped.discard(doc.id_)
                doc.set_content(read.text)
                doc.metadata.update(sha256=read.metadata["sha256"], chars=read.metadata["chars"])
            out.append((doc, origin))
        return out
