"""Synthetic corpora made from the seed articles, so benchmarks run on realistic news text at any size.

Sentences of all seed articles are pooled and dealt into new articles whose length, paragraph shape
and headline follow the seeds. Article ``i`` depends only on ``(seed, i)``, so a corpus of 100 is
the first 100 files of a corpus of 1,000, and the same seed always gives the same bytes.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

#: Sentence ends: ., ! or ? (optionally followed by a closing quote or bracket), then a capital, quote or digit.
_SPLIT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][”\"’)]))\s+(?=[A-Z“\"‘(0-9])")
#: A piece ending like this is not a sentence end ("U.S. officials", "Mr. Biden"): glue it to the next one.
_ABBREVIATION = re.compile(r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Jr)\.)$")
_ENDED = re.compile(r"[.!?][”\"’)]?$")
MAX_HEADLINE_CHARS = 120


@dataclass(frozen=True)
class SeedPool:
    """What the generator draws from: sentences, article lengths and paragraph sizes of the seeds."""

    sentences: tuple[str, ...]
    headlines: tuple[str, ...]
    lengths: tuple[int, ...]
    paragraph_sizes: tuple[int, ...]


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph (a plain regex: good enough to reshuffle news prose)."""
    out: list[str] = []
    for piece in (p.strip() for p in _SPLIT.split(paragraph.strip())):
        if not piece:
            continue
        if out and _ABBREVIATION.search(out[-1]):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


def load_pool(seeds_dir: Path) -> SeedPool:
    """Read every .txt/.md article under ``seeds_dir`` into a sentence pool."""
    files = sorted(p for p in seeds_dir.rglob("*") if p.suffix.lower() in {".txt", ".md"} and p.is_file())
    if not files:
        raise FileNotFoundError(f"no seed articles in {seeds_dir}")
    sentences: list[str] = []
    headlines: list[str] = []
    lengths: list[int] = []
    sizes: list[int] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        lengths.append(len(text))
        paragraphs = [line for line in text.splitlines() if line.strip()]
        for paragraph in paragraphs:
            found = split_sentences(paragraph)
            sizes.append(len(found))
            # a line with no sentence end (headline, caption, byline) would run into the next sentence
            sentences.extend(s for s in found if _ENDED.search(s))
        first = paragraphs[0].strip() if paragraphs else ""
        if first and len(first) <= MAX_HEADLINE_CHARS:
            headlines.append(first)
    short = [s for s in sentences if 30 <= len(s) <= MAX_HEADLINE_CHARS and s[0].isalnum()]
    headlines.extend(s.rstrip(".") for s in short)
    unique = tuple(dict.fromkeys(sentences))
    return SeedPool(unique, tuple(dict.fromkeys(headlines)), tuple(lengths), tuple(sizes))


def make_article(pool: SeedPool, seed: int, index: int) -> str:
    """One article: a headline, then paragraphs of shuffled seed sentences, about a seed's length."""
    rng = random.Random(f"{seed}:{index}")
    target = int(rng.choice(pool.lengths) * rng.uniform(0.7, 1.3))
    order = list(pool.sentences)
    rng.shuffle(order)
    paragraphs: list[str] = []
    headline = rng.choice(pool.headlines) if pool.headlines else order[0]
    size = len(headline)
    position = 0
    while size < target and position < len(order):
        count = max(1, rng.choice(pool.paragraph_sizes))
        paragraph = " ".join(order[position : position + count])
        position += count
        paragraphs.append(paragraph)
        size += len(paragraph) + 1
    return headline + "\n" + "\n".join(paragraphs) + "\n"


def article_name(index: int) -> str:
    return f"synth_{index:05d}.txt"


def generate_corpus(seeds_dir: Path, out_dir: Path, count: int, seed: int = 7) -> list[Path]:
    """Write ``count`` synthetic articles into ``out_dir`` (created); returns their paths in order."""
    pool = load_pool(seeds_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for i in range(count):
        path = out_dir / article_name(i)
        path.write_text(make_article(pool, seed, i), encoding="utf-8")
        paths.append(path)
    return paths
