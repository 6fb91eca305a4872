"""Evidence: the retrieved sentences that speak to a question, with their stance and speaker, grouped by fact."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.perspectives.meaning import same_word, stance
from assistant.perspectives.question import Question
from assistant.perspectives.speakers import party_of, speaker_of
from assistant.perspectives.stance import denial_cue
from assistant.readers.candidates import Candidate
from assistant.readers.extractive import ExtractiveReader
from assistant.readers.postprocessors import refusal_reason
from assistant.text import content_terms, words

#: sentences embedded per question (the lexically most relevant ones)
EMBED_LIMIT = 80
#: relevance = this share of embedding similarity + the rest from the question's words the sentence has
W_EMBEDDING = 0.5
#: neighbouring sentences count this much towards a sentence's coverage of the question (denials more:
#: they point back to what they deny)
CONTEXT_COVER = 0.7
DENIAL_CONTEXT_COVER = 0.85
#: the reader's penalties, applied the same way: the wrong kind of answer, or nothing of what is asked
TYPE_PENALTY = 0.6
UNCOVERED_PENALTY = 0.7
#: a sentence is evidence when its relevance reaches this, and this share of the best sentence's
MIN_RELEVANCE = 0.33
RELATIVE_RELEVANCE = 0.55
#: denials score lower (they point back to what they deny instead of repeating it): a lower bar
RELATIVE_RELEVANCE_DENIAL = 0.45
#: two sentences state the same fact at this similarity (0.6 embedding cosine + 0.4 word containment)
SAME_FACT = 0.74
SHARED_QUOTE = 0.9
#: a quotation of at least five words shared by two sentences makes them one statement
_QUOTE_RE = re.compile(r"[“\"]([^”\"]{20,})[”\"]")


@dataclass
class Statement:
    """One evidence sentence with its stance, speaker and what it covers of the question."""

    cand: Candidate
    terms: set[str]
    ordered: list[str]
    raw: set[str]
    around: set[str]
    relevance: float
    negative: bool
    cue: str
    speaker: str
    party: str
    vec: Any = None
    #: what the parse says of the question's claim (``meaning.stance``): "affirm", "deny", "other", "hedged", ""
    reading: str = ""
    flat: str = ""
    quotes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.flat = " ".join(words(self.cand.text))
        self.quotes = [q for q in (" ".join(words(x)) for x in _QUOTE_RE.findall(self.cand.text)) if q.count(" ") >= 4]


@dataclass
class Group:
    """Sentences of several files that state one fact: cited once with every file (best sentence per file)."""

    members: list[Statement]
    negative: bool

    @property
    def rep(self) -> Statement:
        return self.members[0]

    @property
    def sources(self) -> list[str]:
        return [m.cand.source for m in self.members]

    @property
    def parties(self) -> set[str]:
        return {m.party for m in self.members if m.party}

    def add(self, s: Statement) -> bool:
        if s.cand.source in self.sources:
            return False
        self.members.append(s)
        return True


@dataclass
class ClaimGroups:
    claim: Group
    contradicting: list[Group]
    #: the question's claim as a statement when no sentence states it (``claim`` then has no members)
    text: str = ""
    #: ``claim`` holds sentences that state a yes/no question's claim itself (not only the best related ones)
    affirms: bool = False


@dataclass
class Perspectives:
    """The result before numbering: claims, or a refusal and why."""

    claims: list[ClaimGroups]
    refused: bool
    reason: str
    statements: list[Statement] = field(default_factory=list)


def similarity(a: Statement, b: Statement) -> float:
    """Same-fact similarity: embedding cosine and the share of the shorter sentence's words in the other."""
    containment = len(a.raw & b.raw) / max(min(len(a.raw), len(b.raw)), 1)
    sim = 0.6 * float(a.vec @ b.vec) + 0.4 * containment
    if any(q in b.flat for q in a.quotes) or any(q in a.flat for q in b.quotes):
        sim = max(sim, SHARED_QUOTE)  # the same quotation: the same statement, however it is introduced
    return sim


_NAME_RE = re.compile(r"\b[A-Z][\w’'-]+")


def _names(s: Statement) -> list[str]:
    """The capitalised names a sentence mentions, in order (stems), its first word excepted."""
    out: list[str] = []
    for m in _NAME_RE.finditer(s.cand.text):
        if m.start() > 0:
            out.extend(content_terms(m.group(0)))
    return list(dict.fromkeys(out))


def same_direction(a: Statement, b: Statement) -> bool:
    """False when both name the same two names in opposite order ("Russia asked China" / "China gives Russia")."""
    na, nb = _names(a), _names(b)
    shared = set(na) & set(nb)
    pa, pb = [t for t in na if t in shared][:2], [t for t in nb if t in shared][:2]
    return not (len(pa) == 2 and set(pa) == set(pb) and pa != pb)


def fold(terms: list[str], q: Question) -> list[str]:
    """Sentence words as the question's names where they derive from them ("russian" -> "russia"):
    ``meaning.same_word``, no list of places or peoples."""
    return [next((n for n in q.names if n != t and same_word(t, n)), t) for t in terms]


def select_statements(
    reader: ExtractiveReader, q: Question, nodes: list[Any], focus: str | None = None
) -> tuple[list[Statement], str]:
    """Score the retrieved sentences; keep the relevant ones with their stance (most relevant first).

    The reader decides refusal exactly as for a plain answer; its reason is returned ("" = answer).
    """
    cands = reader.candidates(nodes)
    if not cands:
        return [], "nothing retrieved"
    reader.score(q.text, cands, focus)
    refused = refusal_reason(max(cands, key=lambda c: c.score), reader.settings.refusal_threshold)
    if refused:
        return [], refused

    titles = {n.node.metadata.get("source", ""): n.node.metadata.get("title") or "" for n in nodes}
    pre: list[tuple[float, Candidate, list[str], set[str], str]] = []
    for c in cands:
        ordered = fold(content_terms(c.text), q)
        terms = set(ordered)
        cue = denial_cue(c.text, {q.head}, denials=not q.denies, negations=not q.negated)
        around = set(fold([t for t in c.context_terms], q))
        if cue:  # a denial points back to what it denies: its neighbours and its article's headline
            around |= set(fold(content_terms(titles.get(c.source, "")), q))
        own = q.coverage(terms)
        factor = DENIAL_CONTEXT_COVER if cue else CONTEXT_COVER
        cover = max(own, factor * q.coverage(terms | around))
        if own > 0:
            pre.append((cover, c, ordered, around, cue))
    pre.sort(key=lambda p: p[0], reverse=True)
    pre = pre[:EMBED_LIMIT]
    if not pre:
        return [], "no sentence speaks to the question"
    vecs = reader.cache.get([q.text] + [p[1].text for p in pre])
    vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
    out: list[Statement] = []
    for (cover, c, ordered, around, cue), vec in zip(pre, vecs[1:], strict=True):
        relevance = W_EMBEDDING * float(vec @ vecs[0]) + (1 - W_EMBEDDING) * cover
        if not c.parts.get("typed", 1.0):
            relevance *= TYPE_PENALTY
        if not c.parts.get("covers", 1.0):
            relevance *= UNCOVERED_PENALTY
        speaker = speaker_of(c.text, denial=bool(cue))
        raw = set(content_terms(c.text))
        out.append(
            Statement(c, set(ordered), ordered, raw, around, relevance, bool(cue), cue, speaker, party_of(speaker), vec)
        )
    if q.frame.verb:
        from assistant.answering.nlp import parse_many

        for s, doc in zip(out, parse_many([s.cand.text for s in out]), strict=True):
            s.reading = stance(doc, q.frame)
    top = max(s.relevance for s in out)
    keep = [
        s
        for s in out
        if s.relevance >= max(MIN_RELEVANCE, (RELATIVE_RELEVANCE_DENIAL if s.negative else RELATIVE_RELEVANCE) * top)
    ]
    keep.sort(key=lambda s: s.relevance, reverse=True)
    return keep, ""


def group_statements(statements: list[Statement]) -> list[Group]:
    """Near-duplicate grouping: a sentence joins the most similar group of its stance (one sentence per file)."""
    groups: list[Group] = []
    for s in statements:  # most relevant first: each group's first member is its best sentence
        best, best_sim = None, SAME_FACT
        for g in groups:
            if g.negative != s.negative or not all(same_direction(s, m) for m in g.members):
                continue
            sim = max(similarity(s, m) for m in g.members)
            if sim >= best_sim:
                best, best_sim = g, sim
        if best is None:
            groups.append(Group([s], s.negative))
        else:
            best.add(s)  # a second sentence of a file already in the group adds nothing new
    return groups
