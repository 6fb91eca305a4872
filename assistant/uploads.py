"""Keep articles uploaded in the web chat in the store's own upload folder, safely.

An uploaded file's name comes from the browser, so it is reduced to a plain file name (no folders,
no ``..``, no hidden files) before anything is written, and an existing article is never
overwritten by a different file.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from store.documents import ARTICLE_SUFFIXES, text_problem

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 120


@dataclass
class UploadResult:
    """What happened to each uploaded file, for the message under the upload box."""

    added: list[str] = field(default_factory=list)
    same: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def safe_name(name: str) -> str | None:
    """A file name that is safe to create in the corpus folder, or None if nothing usable is left.

    Only the last path component is kept (both ``/`` and ``\\`` count as separators), accents are
    folded to ASCII, anything but letters, digits, ``.``, ``_`` and ``-`` becomes ``_``, and
    leading dots are dropped so the result is never hidden, ``.`` or ``..``.
    """
    base = re.split(r"[/\\]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = _UNSAFE.sub("_", base).lstrip("._-")
    if not base:
        return None
    suffix = Path(base).suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        return None
    stem = base[: -len(suffix)][: MAX_NAME - len(suffix)].rstrip("._-")
    return f"{stem}{suffix}" if stem else None


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _text_problem(path: Path) -> str | None:
    """Why a file is not a UTF-8 text article (checked before it reaches the corpus folder)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return f"cannot read ({exc.strerror or exc})"
    return text_problem(raw)  # the same rules as ingest, so an accepted upload is never skipped later


def add_uploads(
    files: list[Path], upload_dir: Path, max_bytes: int, held: dict[str, str] | None = None
) -> UploadResult:
    """Copy each uploaded ``.txt``/``.md`` file into ``upload_dir`` under a safe, unused name.

    ``held`` maps the names of the articles already in the store to their SHA-256: a name the store
    holds with other text is not reused (the upload gets ``name-2.txt``), one it holds with the same
    text is reported as already there.
    """
    held = held or {}
    result = UploadResult()
    root = upload_dir.resolve()
    for src in files:
        shown = src.name
        name = safe_name(src.name)
        if name is None:
            result.problems.append(f"{shown}: only .txt and .md articles can be added")
            continue
        try:
            size = src.stat().st_size
        except OSError as exc:
            result.problems.append(f"{shown}: cannot read ({exc.strerror or exc})")
            continue
        if size > max_bytes:
            result.problems.append(f"{shown}: too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB)")
            continue
        problem = _text_problem(src)
        if problem:
            result.problems.append(f"{shown}: {problem}")
            continue
        digest = _digest(src)
        text_digest = hashlib.sha256(src.read_text(encoding="utf-8").encode("utf-8")).hexdigest()
        dest = root / name
        n = 2
        while (dest.exists() and _digest(dest) != digest) or held.get(dest.name, text_digest) != text_digest:
            dest = root / f"{Path(name).stem}-{n}{Path(name).suffix}"
            n += 1
        if held.get(dest.name) == text_digest:
            result.same.append(dest.name)
            continue
        if dest.resolve().parent != root:  # belt and braces: never write outside the corpus folder
            result.problems.append(f"{shown}: unsafe file name")
            continue
        if dest.exists():
            result.same.append(dest.name)
            continue
        try:
            root.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        except OSError as exc:
            result.problems.append(f"{shown}: cannot store it in {root} ({exc.strerror or exc})")
            continue
        result.added.append(dest.name)
    return result
