"""The question as perspectives reads it: its words, names, predicate (main verb first) and polarity."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.perspectives.declarative import declarative
from assistant.perspectives.meaning import Frame, kind
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


def _subject(token: Any) -> str:
    """The words of the subject of the claim's verb (of the light verb whose object is the act)."""
    if token is None:
        return ""
    verb = token if token.pos_ in ("VERB", "AUX") else token.head
    return " ".join(
        t.text for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl") for t in c.subtree
    )


_CAPITALISED_RUN_RE = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:of\s+)?[A-Z][a-z]+)+")


def _initials(text: str) -> set[str]:
    """The initials of each run of capitalised words ("United Nations" -> "UN", "Bank of England" -> "BE")."""
    return {"".join(w[0] for w in m.group(0).split() if w[0].isupper()) for m in _CAPITALISED_RUN_RE.finditer(text)}


def _runs(text: str) -> list[list[str]]:
    """The names of ``text`` (``_names``), one list per run of adjacent capitalised words or a number."""
    runs: list[list[str]] = []
    end = -2
    for w in NAME_WORD_RE.finditer(text):
        terms = _names(text[w.start() : w.end()]) if w.start() else _names(text[: w.end()])
        if not terms:
            continue
        if runs and text[end : w.start()].strip() == "" and not w.group(0)[:1].isdigit():
            runs[-1].extend(t for t in terms if t not in runs[-1])
        else:
            runs.append(terms)
        end = w.end()
    return runs


#: entity types that are amounts or times, not names of someone or something
_NOT_NAMES = frozenset(["DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"])


def sort_of(token: Any) -> str:
    """ "person" or "thing" (a place, a body, a product …: the small model often mistakes one of these for
    another, "Lyon" an organisation, "Globex" a product), "" for an amount or a time."""
    if token.ent_type_ in _NOT_NAMES or token.like_num:
        return ""
    return "person" if kind(token) == "person" else "thing"


def _nested(token: Any) -> str:
    """The words of the claim that hang from another verb than its own ("Ukraine" of "criticise Russia for
    invading Ukraine") or from a phrase within a phrase ("for the war in Ukraine"): a sentence may leave
    them to its context, unlike "in Pennsylvania" or "from China"."""
    if token is None:
        return ""
    verb = token if token.pos_ in ("VERB", "AUX") else token.head
    out = []
    for t in token.doc:
        node, preps = t, 0
        while node.head.i != node.i and node.head.i != verb.i:
            node = node.head
            preps += node.dep_ == "prep"
            if node.pos_ == "VERB" or preps >= 2:
                out.append(t.text)
                break
    return " ".join(out)


def _kinds(text: str) -> dict[str, str]:
    """The sort of each name in ``text`` (``sort_of``), by its stem."""
    from assistant.answering.nlp import parse

    return {
        term: sort_of(t)
        for t in parse(text.rstrip("?").strip())
        if t.pos_ in ("PROPN", "NUM") or t.ent_type_
        for term in content_terms(t.text)
    }


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
    #: the names of the claim's subject (a sentence may call it "he" or "the club"); the others it must name
    subject_names: list[str] = field(default_factory=list)
    #: the other names, one list per run of capitalised words ("Al Shifa Hospital"): any word names the run
    other_names: list[list[str]] = field(default_factory=list)
    #: the sort of each name (``sort_of``), by its stem
    name_kinds: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str, stats: Any) -> Question:
        ordered = list(dict.fromkeys(content_terms(text)))
        m = _REPORTED_RE.match(text)
        if m and not _clause(text[m.end() :]):
            m = None  # "Did Thomas deny wrongdoing?", "Did he report the sale?": the act itself, not a report of one
        proposition = text[m.end() :] if m else text
        names = _names(proposition) or _names(text)  # "Did Thomas deny wrongdoing?": the denier's name
        runs = _runs(proposition) or _runs(text)
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
        subject = set(content_terms(_subject(frame.token)))
        nested = set(content_terms(_nested(frame.token)))
        return cls(
            text, set(ordered), names, set(verbs), verbs[0] if verbs else "", weights,
            yes_no, negated, denies, frame, [n for n in names if n in subject],
            [r for r in runs if not set(r) & subject and not set(r) <= nested], _kinds(proposition),
        )  # fmt: skip

    def coverage(self, terms: set[str]) -> float:
        total = sum(self.weights.values()) or 1.0
        return sum(w for t, w in self.weights.items() if t in terms) / total

    def kind_of(self, run: list[str]) -> str:
        """The sort of a run of names: its first word's that spaCy gives one."""
        return next((self.name_kinds[n] for n in run if self.name_kinds.get(n)), "")

    def names_the_claim(
        self,
        terms: set[str],
        around: set[str],
        text: str = "",
        instead: frozenset[str] = frozenset(),
        subject: bool = True,
    ) -> bool:
        """A sentence can state the claim only if it names what the claim names, in it or in its neighbours
        (where "he", "the governor" or "the war" points) or by its initials ("UN" as "the United Nations"):
        the subject by any of its words; another name ("in Pennsylvania", "the Live Mas trademark") unless
        the sentence names none of its sort (``instead``: the sorts of the sentence's names the claim does
        not have, ``sort_of``; "in Iowa" puts a place where the claim's place is; an amount or a date is
        no other name; "for the war" names none)."""
        subject = not (subject and self.subject_names) or any(n in terms | around for n in self.subject_names)
        spelled = _initials(text)  # "UN" named as "the United Nations"
        missing = [r for r in self.other_names if not any(n in terms | around or n.upper() in spelled for n in r)]
        return subject and not any(self.kind_of(r) in instead for r in missing)

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
