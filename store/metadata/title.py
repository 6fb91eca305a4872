"""Title: the article's headline, else its first sentence (shortened)."""

from __future__ import annotations

import re


def extract_title(text: str, max_chars: int = 160) -> str:
    """The headline when the article opens with one, else its first sentence (shortened)."""
    lines = text.splitlines()
    for i, raw in enumerate(lines):
        line = raw.strip().lstrip("#").strip()
        if not line:
            continue
        followed_by_blank = i + 1 < len(lines) and not lines[i + 1].strip()
        n_words = len(line.split())
        if n_words <= 20 and (followed_by_blank or not line.endswith((".", "”", '"'))):
            return line[:max_chars]
        first = re.split(r"(?<=[.!?])[\"”’]?\s+(?=[A-Z“\"])", line, maxsplit=1)[0]
        return _shorten(first, max_chars)
    return ""


def _shorten(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text.rfind(" ", 0, max_chars - 1)
    return text[: cut if cut > 0 else max_chars - 1].rstrip(" ,;:") + "…"
