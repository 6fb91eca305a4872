"""Choose the direct answer: the best span of the reader's best sentences, by the fitted model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.answering.question_shape import QuestionShape, shape
from assistant.answering.ranker import load_model
from assistant.answering.spans import (
    POOL,
    PROPER_NAME,
    REDUNDANCY_POOL,
    TITLES,
    Sentence,
    SpanCandidate,
    admissible,
    candidates,
)


def _explain(label: str) -> str:
    import spacy

    if label == PROPER_NAME:
        return "a proper name of a person, organisation, place or work"
    return spacy.explain(label) or "a thing, a person or an idea named by a noun phrase"


#: question kinds answered by the explaining sentence rather than a span: "why", a plain "how", a
#: "what" with no noun saying what kind of thing, several things asked ("which two countries")
SENTENCE_ANSWERED = ("why", "how", "other", "what", "which_several")
#: below this share of the model's belief, the reader's best sentence follows the span's own
#: (when they differ), so a doubtful span does not hide the likeliest evidence (cross-validated)
CONFIDENT = 0.5


@dataclass
class DirectAnswer:
    span: str | None
    sentence: int  # index into the reader's ranked sentences
    confidence: float  # the model's softmax share on this span among the question's candidates


def _is_title(c: Any) -> bool:
    return bool(c.title) and c.text.strip().rstrip(".") == str(c.title).strip().rstrip(".")


def pool_indices(ranked: list[Any]) -> list[tuple[int, str]]:
    """Which ranked sentences compete for the span: the best ``POOL``, the headlines of the best
    ``TITLES`` articles among them, and the sentence that follows the best one in its article."""
    chosen: dict[int, str] = {i: "ranked" for i in range(min(POOL, len(ranked)))}
    for source in list(dict.fromkeys(ranked[i].source for i in chosen))[:TITLES]:
        j = next((k for k, c in enumerate(ranked) if c.source == source and _is_title(c)), None)
        if j is not None:
            chosen.setdefault(j, "title")
    if ranked:
        top = ranked[0]
        after = [k for k, c in enumerate(ranked) if c.source == top.source and c.start >= top.end]
        if after:
            chosen.setdefault(min(after, key=lambda k: ranked[k].start), "next")
    return list(chosen.items())


def span_candidates(
    question: str, ranked: list[Any], nodes: list[Any], embed: Callable[[list[str]], np.ndarray]
) -> tuple[QuestionShape, list[Sentence], list[SpanCandidate]]:
    """The question's shape, the sentence pool and its span candidates (each ``Sentence.rank`` says
    which ranked sentence it is)."""

    def sentence(i: int, kind: str) -> Sentence:
        c = ranked[i]
        return Sentence(c.text, c.score, c.source, c.title, c.date, rank=i, kind=kind)

    pool = [sentence(i, kind) for i, kind in pool_indices(ranked)]
    in_pool = {s.rank for s in pool}
    wider = pool + [sentence(i, "ranked") for i in range(min(REDUNDANCY_POOL, len(ranked))) if i not in in_pool]
    titles = list(dict.fromkeys(str(n.node.metadata.get("title") or "") for n in nodes))
    qs = shape(question)
    return qs, pool, candidates(qs, pool, titles, embed, _explain, wider=wider)


def choose(
    question: str, ranked: list[Any], nodes: list[Any], embed: Callable[[list[str]], np.ndarray]
) -> DirectAnswer | None:
    """The most probable answer span, or None (no model shipped, or no candidate)."""
    model = load_model()
    if model is None or not ranked:
        return None
    described = _described(question, ranked)
    if described is not None:
        return described
    qs, pool, cands = span_candidates(question, ranked, nodes, embed)
    if qs.qclass in SENTENCE_ANSWERED or not cands:
        return DirectAnswer(None, 0, 0.0)
    typed = np.asarray([admissible(qs, c) for c in cands])
    if not typed.any():
        return DirectAnswer(None, 0, 0.0)
    scores = model.scores(qs, cands, embed)
    share = np.exp(scores - scores.max())
    share /= share.sum()  # over every candidate: typing picks among them, it does not make one surer
    best = int(np.argmax(np.where(typed, share, -1.0)))
    return DirectAnswer(cands[best].text, pool[cands[best].sentence].rank, float(share[best]))


def _described(question: str, ranked: list[Any]) -> DirectAnswer | None:
    """For "Who is X?": the description the best sentences give X (``describe``), from the best one that has it."""
    from assistant.answering.describe import asked_name, description

    name = asked_name(question)
    if name is None:
        return None
    for i, c in enumerate(ranked[:POOL]):
        if found := description(name, c.text):
            return DirectAnswer(found, i, 1.0)
    return None


#: the evidence after the direct answer is cut to the clauses around it, at most this many words
MAX_WORDS = 24
#: with no span (why/how, or no confident one), the best sentence is cut to this many words
MAX_SENTENCE_WORDS = 28


def trim(sentence: str, focus: str | None = None, question: str = "", max_words: int = MAX_WORDS) -> str:
    """A verbatim stretch of ``sentence`` of about ``max_words`` words that keeps its own subject and verb:
    the clause holding ``focus`` (or the one nearest the question), never a fragment that makes the focus
    the doer of another's act (``clauses.evidence_clause``)."""
    from assistant.answering.clauses import evidence_clause

    pos = sentence.find(focus) if focus else -1
    span = (pos, pos + len(focus)) if focus and pos >= 0 else None
    return evidence_clause(sentence, span, question=question, max_words=max_words)


def lead(question: str, span: str | None, sentence: str) -> str:
    """``span: evidence`` (the evidence trimmed around the span); the trimmed sentence alone without a span."""
    if not span:
        return trim(sentence, question=question, max_words=MAX_SENTENCE_WORDS)
    body = trim(sentence, focus=span, question=question)
    if span not in body:
        body = sentence
    if body.startswith(span):
        return body
    return f"{span}: {body}"
