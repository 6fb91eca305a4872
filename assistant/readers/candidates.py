"""Candidate sentences: every sentence of the retrieved chunks, with the file offsets a citation needs.

A candidate keeps its chunk's text and the sentences after it there, so a chosen sentence can be
extended to finish a quotation or give the 'why' and still quote the file exactly.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from llama_index.core.schema import NodeWithScore

from assistant.text import Span, content_terms, split_sentences

MIN_WORDS = 4
DUPLICATE_JACCARD = 0.6
DUPLICATE_CONTAINMENT = 0.8
# sentences a chosen one may be extended by (to finish a quotation or give the 'why')
FOLLOW_MAX = 2


@dataclass
class Candidate:
    text: str
    source: str
    start: int
    end: int
    title: str | None
    rank: int
    terms: set[str]
    context_terms: set[str]
    score: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)
    #: the chunk the sentence came from (text and file offset), and the sentences after it there
    chunk_text: str = ""
    chunk_base: int = 0
    following: list[tuple[Span, bool]] = field(default_factory=list)
    date: str | None = None

    def extended(self, upto: Span) -> tuple[str, int]:
        """The exact file passage from this sentence through ``upto`` (a following sentence)."""
        return self.chunk_text[self.start - self.chunk_base : upto.end - self.chunk_base], upto.end


def sentence_candidates(nodes: list[NodeWithScore]) -> list[Candidate]:
    """The sentences of ``nodes`` in retrieval order, once each (chunks overlap), without very short ones."""
    seen: set[tuple[str, int]] = set()
    out: list[Candidate] = []
    for rank, nws in enumerate(nodes):
        node = nws.node
        base = node.start_char_idx
        if base is None:
            continue
        source = node.metadata.get("source", node.ref_doc_id or "")
        chunk_text = node.get_content()
        spans = split_sentences(chunk_text, offset=base)
        for i, span in enumerate(spans):
            if (source, span.start) in seen or len(span.text.split()) < MIN_WORDS:
                continue
            seen.add((source, span.start))
            ctx = " ".join(s.text for s in spans[max(0, i - 1) : i + 2] if s is not span)
            out.append(
                Candidate(
                    text=span.text,
                    source=source,
                    start=span.start,
                    end=span.end,
                    title=node.metadata.get("title"),
                    rank=rank,
                    terms=set(content_terms(span.text)),
                    context_terms=set(content_terms(ctx)),
                    chunk_text=chunk_text,
                    chunk_base=base,
                    following=_following(chunk_text, base, spans[i:], FOLLOW_MAX),
                    date=node.metadata.get("date") or None,
                )
            )
    return out


def _following(text: str, base: int, spans: list[Span], limit: int) -> list[tuple[Span, bool]]:
    """Up to ``limit`` sentences after ``spans[0]``, each flagged True when a line break comes before it."""
    return [
        (nxt, "\n" in text[prev.end - base : nxt.start - base]) for prev, nxt in itertools.pairwise(spans[: limit + 1])
    ]


def complete(c: Candidate, question: str) -> tuple[str, int]:
    """Extend a chosen sentence so the answer is whole: finish an open quotation (within its
    paragraph), and for 'why' questions take the next sentence when it carries the explanation (a
    quotation or a 'because')."""
    end_span = None
    opened = c.text.count("“") - c.text.count("”")
    for span, new_paragraph in c.following:
        if opened <= 0 or new_paragraph:
            break
        end_span = span
        opened += span.text.count("“") - span.text.count("”")
    if end_span is None and c.following and re.match(r"\s*why\b", question, re.I):
        nxt = c.following[0][0]
        if nxt.text.startswith(("“", '"')) or re.match(r"(because|since|as a result|that is why)\b", nxt.text, re.I):
            end_span = nxt
    if end_span is None:
        return c.text, c.end
    return c.extended(end_span)


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(len(a | b), 1)


def same_statement(a: set[str], b: set[str]) -> bool:
    """Near-duplicates: mostly the same words, or one (a caption, a short quote) contained in the other."""
    return jaccard(a, b) >= DUPLICATE_JACCARD or len(a & b) / max(min(len(a), len(b)), 1) >= DUPLICATE_CONTAINMENT
