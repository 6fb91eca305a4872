"""The question as perspectives reads it: its words, names, predicate (main verb first) and polarity."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.perspectives.declarative import declarative
from assistant.perspectives.meaning import Frame
from assistant.perspectives.stance import denial_cue
from assistant.text import STOPWORDS, content_terms

#: in a sentence's coverage of the question, the question's names count this much (what is said about them counts fully)
NAME_WEIGHT = 0.5
#: "Have US officials said (that) …": the proposition is what follows
_REPORTED_RE = re.compile(
    r"^\s*(?:did|do|does|have|has|had|is|are|was|were)\s+(?:.{1,60}?)\s+"
    r"(?:say|said|claim|claimed|report|reported|state|stated|confirm|confirmed|deny|denied|suggest|suggested)"
    r"\s+(?:that\s+)?(?=\S)",
    re.IGNORECASE,
)
_DENIED_RE = re.compile(r"\b(?:deny|denied)\b", re.IGNORECASE)
YES_NO_RE = re.compile(
    r"^\s*(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could|should|didn't|doesn't|isn't|hasn't)\b",
    re.IGNORECASE,
)
NAME_WORD_RE = re.compile(r"\b[A-Z][A-Za-z’'\-]+|\b\d[\d,.]*\b")


def _clause(text: str) -> bool:
    """``text`` says something of its own ("that …", or words with a verb): what a report reports."""
    from assistant.answering.nlp import parse

    if text.lower().startswith("that "):
        return True
    return any(t.pos_ in ("VERB", "AUX") for t in parse(text.rstrip("?").strip()))


def _names(text: str) -> list[str]:
    """The capitalised words and numbers of ``text`` (stems), its question word excepted."""
    names: list[str] = []
    for i, w in enumerate(NAME_WORD_RE.finditer(text)):
        word = w.group(0)
        if i == 0 and word.lower() in STOPWORDS | {"did", "does", "do", "who", "what", "how", "has", "have"}:
            continue
        names.extend(t for t in content_terms(word) if t not in names)
    return names


@dataclass
class Question:
    """What the question asserts: its words, names, predicate (main verb first) and polarity."""

    text: str
    terms: set[str]
    names: list[str]
    predicate: set[str]
    head: str
    weights: dict[str, float]
    yes_no: bool
    negated: bool
    denies: bool
    #: the claim as the parse reads it (yes/no questions only; an empty frame otherwise)
    frame: Frame = field(default_factory=Frame)

    @classmethod
    def parse(cls, text: str, stats: Any) -> Question:
        ordered = list(dict.fromkeys(content_terms(text)))
        m = _REPORTED_RE.match(text)
        if m and not _clause(text[m.end() :]):
            m = None  # "Did Thomas deny wrongdoing?", "Did he report the sale?": the act itself, not a report of one
        proposition = text[m.end() :] if m else text
        names = _names(proposition) or _names(text)  # "Did Thomas deny wrongdoing?": the denier's name
        prop_terms = list(dict.fromkeys(content_terms(proposition)))
        verbs = [t for t in prop_terms if t not in names] or prop_terms or ordered
        weights = {t: max(stats.idf(t), 0.5) * (NAME_WEIGHT if t in names else 1.0) for t in ordered}
        head = {verbs[0]} if verbs else set()
        negated = bool(denial_cue(proposition, head, denials=False))
        # "Did Trump deny (that) …": the question asks about a denial, so a denial agrees with it
        denies = bool(denial_cue(proposition, head, negations=False)) or bool(m and _DENIED_RE.search(m.group(0)))
        yes_no = bool(YES_NO_RE.match(text))
        frame = Frame()
        if yes_no:
            frame = Frame.of(declarative(proposition) or proposition)
        return cls(
            text, set(ordered), names, set(verbs), verbs[0] if verbs else "", weights,
            yes_no, negated, denies, frame,
        )  # fmt: skip

    def coverage(self, terms: set[str]) -> float:
        total = sum(self.weights.values()) or 1.0
        return sum(w for t, w in self.weights.items() if t in terms) / total

    def states_predicate(self, terms: set[str]) -> bool:
        """Every predicate word (all but one of four or more) is in ``terms``."""
        have = len(self.predicate & terms)
        need = len(self.predicate) if len(self.predicate) <= 3 else len(self.predicate) - 1
        return have >= need

    def same_agent_order(self, ordered: list[str]) -> bool:
        """The question's first two names appear in the same order ("Russia asked China", not the reverse)."""
        parties = self.names[:2]
        if len(parties) < 2 or not all(p in ordered for p in parties):
            return True
        return ordered.index(parties[0]) < ordered.index(parties[1])
