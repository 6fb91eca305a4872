"""Evidence that never misleads: a stretch of a sentence that keeps its own subject and verb.

Cutting a sentence at commas can make the answer span the doer of another's act ("Sullivan met Yang
Jiechi, pointing out that …" cut to "Yang Jiechi, pointing out that …"). Here the cut follows the
dependency parse instead: the evidence is the clause that holds the answer, headed by a verb with a
subject of its own (not a relative pronoun, not a participle borrowing one), climbing through reported
speech to whoever said it ("…, US officials said"); only whole modifiers at the clause's edges are
dropped (adverbial and participle clauses, coordinated clauses, relative clauses, appositions, and last
prepositional phrases), farthest and least related to the question first, until it fits. The result is
always one contiguous verbatim stretch (a citation quotes it exactly), or the whole sentence.
"""

from __future__ import annotations

from typing import Any

from assistant.answering.nlp import content_keys, parse

SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
#: modifiers whose removal leaves the clause a clause (in order of preference: dropped first); never a
#: clausal complement ("communicating to Beijing that there will be consequences": that is the content)
DROPPABLE = ("advcl", "conj", "parataxis", "relcl", "acl", "appos", "npadvmod", "prep")
#: with no span to protect, only whole clauses go: a phrase ("in November") may be the answer itself
CLAUSAL = frozenset({"advcl", "conj", "parataxis", "relcl", "acl", "appos"})
#: clauses that report what someone said or thinks: their subject is kept with them ("…, officials said")
REPORTED = frozenset({"ccomp", "parataxis"})
EDGE_PUNCT = " ,;:—–-"


def _is_clause_head(t: Any) -> bool:
    """A verb (or copula) with a subject of its own; a relative pronoun ("who", "which") is no subject
    of its own: the clause is about a noun outside it."""
    if t.pos_ not in ("VERB", "AUX"):
        return False
    subjects = [c for c in t.children if c.dep_ in SUBJECTS]
    return bool(subjects) and not all(c.tag_ in ("WP", "WDT", "WP$") or c.lower_ == "that" for c in subjects)


def _clause_head(focus: list[Any]) -> Any:
    """The head of the smallest clause holding the focus tokens, with the speaker of reported speech."""
    ids = {t.i for t in focus}
    top = next((t for t in focus if t.head.i not in ids or t.head.i == t.i), focus[0])
    h = top
    while True:
        if _is_clause_head(h) and not (h.dep_ in REPORTED and h.head.i != h.i and _is_clause_head(h.head)):
            return h
        if h.head.i == h.i:
            return h  # the root: no better clause (a headline, a fragment)
        h = h.head


def _words(doc: Any, a: int, b: int) -> int:
    return sum(1 for t in doc[a:b] if not t.is_punct)


def evidence_clause(sentence: str, focus: tuple[int, int] | None, question: str = "", max_words: int = 24) -> str:
    """A verbatim stretch of ``sentence`` of about ``max_words`` words that keeps its own subject and verb
    and holds ``focus`` (character offsets of the answer span; None: the clause nearest the question).
    The whole sentence when it fits, or when no such stretch exists."""
    if len(sentence.split()) <= max_words:
        return sentence
    doc = parse(sentence)
    if len(list(doc.sents)) > 1:
        return sentence  # the reader extended it on purpose (a quotation finished, a "why" answered)
    qkeys = set(content_keys(parse(question))) if question else set()
    if focus is not None:
        toks = [t for t in doc if t.idx < focus[1] and t.idx + len(t.text) > focus[0]]
    else:
        toks = _question_focus(doc, qkeys)
    if not toks:
        return sentence
    head = _clause_head(toks)
    keep = {t.i for t in toks}
    a, b = head.left_edge.i, head.right_edge.i + 1
    # the path from the focus to the clause head: modifiers hang off any of its tokens
    path: list[Any] = []
    t = next(iter(toks))
    while True:
        path.append(t)
        if t.i == head.i or t.head.i == t.i:
            break
        t = t.head
    path_ids = {p.i for p in path}
    while _words(doc, a, b) > max_words:
        edge = []
        for p in path:
            for c in p.children:
                if c.i in path_ids or c.dep_ not in DROPPABLE or _attribution(c):
                    continue
                if focus is None and c.dep_ not in CLAUSAL:
                    continue
                lo, hi = c.left_edge.i, c.right_edge.i + 1
                if any(lo <= k < hi for k in keep) or lo < a or hi > b:
                    continue
                at_left = all(doc[k].is_punct or doc[k].dep_ == "cc" for k in range(a, lo))
                at_right = all(doc[k].is_punct or doc[k].dep_ == "cc" for k in range(hi, b))
                if at_left or at_right:
                    related = len(set(content_keys(doc[lo:hi])) & qkeys)
                    order = DROPPABLE.index(c.dep_)
                    # with a span, the kind of modifier decides; without one, its words' share in the question
                    key = (order, related) if focus is not None else (related, order)
                    edge.append((*key, -(hi - lo), lo, hi, at_left))
        if not edge:
            break
        edge.sort()
        _, _, _, lo, hi, at_left = edge[0]
        a, b = (hi, b) if at_left else (a, lo)
        while a < b and (doc[a].is_punct or doc[a].dep_ == "cc"):
            a += 1
        while b > a and (doc[b - 1].is_punct or doc[b - 1].dep_ == "cc") and doc[b - 1].text not in ".!?\"”'’)":
            b -= 1
    if a >= b:
        return sentence
    out = sentence[doc[a].idx : doc[b - 1].idx + len(doc[b - 1].text)].strip(EDGE_PUNCT)
    return out if len(out.split()) >= 4 else sentence


def _attribution(t: Any) -> bool:
    """"according to X": who says so is part of what is said."""
    return t.dep_ == "prep" and t.lower_ == "according"


def _question_focus(doc: Any, qkeys: set[str]) -> list[Any]:
    """With no span: the clause head sharing most words with the question (the main verb by default)."""
    heads = [t for t in doc if _is_clause_head(t)] or [t for t in doc if t.head.i == t.i]
    if not heads:
        return []

    def overlap(h: Any) -> tuple[int, int]:
        return len(set(content_keys(h.subtree)) & qkeys), -abs(h.i - h.sent.root.i)

    return [max(heads, key=overlap)]
