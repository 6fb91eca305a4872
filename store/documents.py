"""Find and read article files, with one clear reason for every file that cannot be used.

Offsets everywhere in the product index the text exactly as ``Path.read_text(encoding="utf-8")``
returns it (UTF-8, universal newlines), so this module reads files that one way only.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from llama_index.core import Document

ARTICLE_SUFFIXES = {".txt", ".md"}
META_KEYS = ["source", "title", "sha256", "chars"]


@dataclass(frozen=True)
class FileProblem:
    """A file that was not ingested, and why (shown to the user on one line)."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


def find_articles(folder: Path) -> list[Path]:
    """Article files under ``folder`` (recursive, sorted), not following directory links (loops)."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root) / name
            if path.suffix.lower() in ARTICLE_SUFFIXES:
                found.append(path)
    return found


def title_of(text: str) -> str:
    """First non-empty line, without Markdown heading marks: the article's headline."""
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return ""


def read_article(path: Path, folder: Path, max_bytes: int) -> Document | FileProblem:
    """Read one article into a LlamaIndex ``Document`` whose id is its corpus-relative name."""
    source = path.relative_to(folder).as_posix()
    try:
        size = path.stat().st_size
    except OSError as exc:
        return FileProblem(source, f"cannot read ({exc.strerror or exc})")
    if size > max_bytes:
        return FileProblem(
            source, f"too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB limit, see --max-file-mb)"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return FileProblem(source, f"cannot read ({exc.strerror or exc})")
    if b"\x00" in raw[:65536]:
        return FileProblem(source, "binary file (contains NUL bytes), skipped")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return FileProblem(source, f"not UTF-8 text (bad byte at {exc.start}), skipped: convert it to UTF-8")
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        return FileProblem(source, "empty file, skipped")
    metadata = {
        "source": source,
        "title": title_of(text),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "chars": len(text),
    }
    return Document(
        id_=source,
        text=text,
        metadata=metadata,
        excluded_embed_metadata_keys=list(META_KEYS),
        excluded_llm_metadata_keys=list(META_KEYS),
    )


def read_folder(folder: Path, max_bytes: int) -> tuple[list[Document], list[FileProblem]]:
    """All readable articles of a folder, and the problems of the rest."""
    docs: list[Document] = []
    problems: list[FileProblem] = []
    for path in find_articles(folder):
        result = read_article(path, folder, max_bytes)
        (problems if isinstance(result, FileProblem) else docs).append(result)
    return docs, problems
