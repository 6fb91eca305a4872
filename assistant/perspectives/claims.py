"""Claims: the main claim with what contradicts it, then further facts several files agree on."""

from __future__ import annotations

from collections import Counter
from typing import Any

from assistant.perspectives.evidence import (
    ClaimGroups,
    Group,
    Perspectives,
    Statement,
    fold,
    group_statements,
    select_statements,
    similarity,
)
from assistant.perspectives.meaning import DENY_LEMMAS
from assistant.perspectives.question import NAME_WORD_RE, Question, sort_of
from assistant.perspectives.stance import ANAPHORA_RE, DENIAL_RE
from assistant.perspectives.summary import declarative
from assistant.readers.extractive import ExtractiveReader
from assistant.text import NUMBER_WORDS, STOPWORDS, content_terms, question_type, stem, words

#: a denial points back to a sentence that ends at most this many characters before it (only white space)
NEAR_CHARS = 3
#: an opposite-stance sentence disputes a wh-question's claim at this similarity
SAME_PROPOSITION = 0.62
#: further claims: facts stated by at least this many files, at least this share of the main claim's relevance
FURTHER_MIN_FILES = 2
#: a wh-question's claim is the best sentence with the question's verb when it scores this share of the best
HEAD_RATIO = 0.8
FURTHER_RATIO = 0.75
MAX_CLAIMS = 3
MAX_CONTRADICTING = 6


def _regroup(statements: list[Statement]) -> list[Group]:
    """Groups of the given statements, strongest first."""
    return sorted(group_statements(statements), key=lambda g: g.rep.relevance, reverse=True)


def _supporting_side(q: Question, statements: list[Statement]) -> tuple[list[Statement], list[Statement]]:
    """Yes/no questions: the sentences that state the proposition, and those that deny it."""
    # the parse decides where it can read the sentence ("affirm" / "deny"; "other" is someone else's act),
    # the question's words where it cannot ("": the claim's act is not found; "hedged": only possible): a
    # denial word there counts when it names or points back to the act, never in a question, and never
    # against a question that itself asks about a denial
    named = [s for s in statements if not q.names or any(n in s.terms for n in q.names)]
    sorts = {id(s): _other_sorts(q, s) for s in statements}  # once a sentence: both sides ask
    affirm = [
        s
        for s in named
        if q.names_the_claim(s.terms, s.around, s.cand.text, sorts[id(s)])
        and (
            s.reading == "affirm"
            or (
                not s.reading
                and not s.negative
                and q.head in s.terms
                and q.states_predicate(s.terms)
                and q.same_agent_order(s.ordered)
            )
        )
    ]
    deny = [
        s
        for s in statements
        # a denial of the act elsewhere ("did not cut jobs at its Lyon plant") is none of the claim's ("at
        # its Paris plant"); who denies it may name the claim's subject otherwise ("the Kremlin" for Russia)
        if q.names_the_claim(s.terms, s.around, s.cand.text, sorts[id(s)], subject=False)
        and (
            (s.reading == "deny" and s in named)
            or (
                s.negative
                and s.reading in ("", "hedged")
                and not (q.denies or q.frame.verb in DENY_LEMMAS)  # "Did Trump deny …": a denial agrees
                and not s.cand.text.rstrip().endswith("?")
                and _denies_the_act(q, s, _act_nearby(s, statements))
                and len(q.predicate & (s.terms | s.around)) * 2 >= len(q.predicate)
            )
        )
    ]
    for s in deny:
        s.negative = True
    # a file is cited by its plainest sentence: one the parse reads as stating (denying) the claim first
    affirm.sort(key=lambda s: (s.reading == "affirm", s.relevance), reverse=True)
    deny.sort(key=lambda s: (s.reading == "deny", s.relevance), reverse=True)
    return affirm, deny


def _other_sorts(q: Question, s: Statement) -> frozenset[str]:
    """The sorts (``question.sort_of``) of the names a sentence has that the question does not."""
    from assistant.answering.nlp import parse

    mine = set(q.names)
    return frozenset(
        sort_of(t)
        for t in parse(s.cand.text)
        if (t.pos_ == "PROPN" or t.ent_type_)
        and content_terms(t.text)
        and not set(fold(content_terms(t.text), q)) & mine
    ) - {""}


def _act_nearby(s: Statement, statements: list[Statement]) -> bool:
    """The sentence right before it in its article (a headline, the previous sentence) is one in which the
    parse found the claim's act: what a denial ("Beijing rejects the US assertions") points back to when it
    repeats no word of the claim."""
    return any(
        o.reading and o.cand.source == s.cand.source and 0 <= s.cand.start - o.cand.end <= NEAR_CHARS
        for o in statements
    )


def _denies_the_act(q: Question, s: Statement, act_nearby: bool = False) -> bool:
    """A denial is of the question's act when it names the act in its scope ("denied it has sought …",
    "has not asked"), or points back to it ("denied that the request had been made") without naming
    another act ("criticised China for helping spread disinformation" denies nothing)."""
    toks = words(s.cand.text)
    acts = [stem(t) if t not in STOPWORDS else "" for t in toks]
    head_at = next((i for i, a in enumerate(acts) if a == q.head), None)
    points_back = bool(ANAPHORA_RE.search(s.cand.text))
    if "…" in s.cue:  # a negation right before the act itself
        return True
    m = DENIAL_RE.search(s.cand.text)
    cue_at = len(words(s.cand.text[: m.start()])) if m else 0
    if head_at is not None:
        return cue_at <= head_at or points_back
    return s.reading != "other" and (q.head in s.around or act_nearby) and points_back


def _answer_terms(q: Question, first: Statement, statements: list[Statement]) -> set[str]:
    """Who/how-many questions: the names or numbers of the best sentence that other files repeat (the answer)."""
    kind = question_type(q.text)
    if kind not in ("person", "number", "date"):
        return set()
    mine: set[str] = set()
    if kind == "person":
        for m in NAME_WORD_RE.finditer(first.cand.text):
            if m.group(0).lower() not in STOPWORDS:
                mine.update(t for t in content_terms(m.group(0)) if t not in q.terms)
    else:
        mine = {t for t in content_terms(first.cand.text) if t[:1].isdigit() or t.split("-")[0] in NUMBER_WORDS}
    files: Counter = Counter()
    for t in mine:
        files[t] = len({s.cand.source for s in statements if t in s.terms and s.negative == first.negative})
    if not files:
        return set()
    top = max(files.values())
    return {t for t, n in files.items() if n == top} if top >= 2 else set()


def build_claims(q: Question, statements: list[Statement]) -> list[ClaimGroups]:
    """The main claim with what contradicts it, then further facts several files agree on."""
    if not statements:
        return []
    used: set[int] = set()
    claims: list[ClaimGroups] = []
    if q.yes_no:
        affirm, deny = _supporting_side(q, statements)
        # the claim the question asks about, as the question puts it: when only denials speak to it, they
        # contradict it and nothing supports it (a denial is never the claim's support)
        if affirm or deny:
            main = Group([], False)
            for s in affirm:
                main.add(s)
            used.update(id(s) for s in affirm)
            parties = main.parties
            others = [s for s in deny if not (s.party and s.party in parties)]
            contra = _regroup(others)[:MAX_CONTRADICTING]
            used.update(id(s) for s in deny)
            text = "" if affirm else declarative(q.text) or q.text.strip()
            claims.append(ClaimGroups(main, contra, text, affirms=bool(affirm)))
        elif hedged := [s for s in statements if s.reading == "hedged"]:
            # the act is there only as a possibility ("could sign", "considered signing"): the question's
            # claim stays the claim, touched on by these, rather than the likeliest sentence put as a fact
            main = Group([], False)
            for s in hedged:
                main.add(s)
            used.update(id(s) for s in hedged)
            claims.append(ClaimGroups(main, [], declarative(q.text) or q.text.strip(), affirms=False))
        elif q.frame.verb:
            # the parse read the claim, and no sentence states, denies or hedges it: "no retrieved article says
            # so" (related facts follow as further claims), never the likeliest sentence put as its answer
            # ("Did Christie drop out?" answered by "Pence drops out of the race")
            claims.append(ClaimGroups(Group([], False), [], declarative(q.text) or q.text.strip()))
    if not claims:
        # the best sentence that says what is asked (the question's verb), unless it is far weaker
        first = next(
            (s for s in statements if q.head in s.terms and s.relevance >= HEAD_RATIO * statements[0].relevance),
            statements[0],
        )
        main = next(g for g in group_statements(statements) if g.rep is first)
        answer = set() if q.yes_no else _answer_terms(q, first, statements)
        for s in statements:
            if answer and s.negative == first.negative and answer <= s.terms:
                main.add(s)
        used.update(id(s) for s in statements if s.cand.source in main.sources and s.negative == main.negative)
        used.update(id(m) for m in main.members)
        parties = main.parties
        against = [
            s
            for s in statements
            if s.negative != main.negative
            and id(s) not in used
            and not (s.party and s.party in parties)
            and max(similarity(s, m) for m in main.members) >= SAME_PROPOSITION
        ]
        used.update(id(s) for s in against)
        claims.append(ClaimGroups(main, _regroup(against)[:MAX_CONTRADICTING]))
    first = claims[0].claim.members or [m for g in claims[0].contradicting for m in g.members] or statements[:1]
    strength = max(m.relevance for m in first)
    rest = [s for s in statements if id(s) not in used]
    for g in _regroup(rest):
        if len(claims) >= MAX_CLAIMS:
            break
        if len(g.members) >= FURTHER_MIN_FILES and g.rep.relevance >= FURTHER_RATIO * strength:
            claims.append(ClaimGroups(g, []))
    return claims


def find_perspectives(
    reader: ExtractiveReader, question: str, nodes: list[Any], focus: str | None = None
) -> Perspectives:
    """Claims about ``question`` from the retrieved ``nodes``, or a refusal."""
    q = Question.parse(question, reader.stats)
    statements, reason = select_statements(reader, q, nodes, focus)
    if reason:
        return Perspectives([], True, reason)
    claims = build_claims(q, statements)
    if not claims:
        return Perspectives([], True, "no relevant statements", statements)
    return Perspectives(claims, False, "ok", statements)
