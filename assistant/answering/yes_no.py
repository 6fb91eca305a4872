"""Yes/no questions: "Yes" or "No" first when the evidence states it, then the evidence.

A question is a yes/no one when it opens with an auxiliary ("Did", "Is", "Has", "Will") and asks no
wh-word and offers no alternatives ("… or …"). The best evidence sentence settles it when it holds what
the question asserts: the question's predicate (its main verb, by stem) and nearly all of its content
words. Its polarity then decides: the same as the question's → "Yes", negated where the question is
not (or the reverse) → "No". Anything less (a paraphrase, part of the claim, a report that someone
denies it) gets no verdict: the evidence alone is shown, and the reader judges. Parse-based, no lists
of verbs or parties.
"""

from __future__ import annotations

from typing import Any

from assistant.answering.nlp import parse

#: share of the question's content words the evidence must hold (names and the predicate included)
COVERAGE = 0.75
WH_TAGS = ("WP", "WDT", "WRB", "WP$")


def is_yes_no(question: str) -> bool:
    """An auxiliary first, no wh-word, no "or" between alternatives."""
    doc = parse(question.strip())
    words = [t for t in doc if not t.is_punct]
    if not words or words[0].pos_ != "AUX" or words[0].dep_ in ("nsubj", "nsubjpass"):
        return False
    return not any(t.tag_ in WH_TAGS for t in doc) and not any(t.lower_ == "or" and t.dep_ == "cc" for t in doc)


def _predicate(doc: Any) -> Any:
    """The question's main verb ("ask" in "Did Russia ask …"); the copula's complement for "Is X Y?"."""
    root = next((t for t in doc if t.dep_ == "ROOT"), doc[0])
    if root.pos_ == "AUX":
        verb = next((t for t in doc if t.pos_ == "VERB"), None)  # the small parser often roots "Is X doing"
        if verb is not None:
            return verb
        comp = next((c for c in root.children if c.dep_ in ("acomp", "attr", "xcomp", "ccomp")), None)
        return comp or root
    return root


def _lemmas(tokens: Any) -> set[str]:
    """Lemmas of the words that carry meaning ("won" meets "win", which stems do not)."""
    return {t.lemma_.lower() for t in tokens if t.like_num or not (t.is_stop or t.is_punct or t.is_space)}


def _negated(tok: Any) -> bool:
    """A "not"/"never" on the word, or on the copula or verb it completes ("is not joining")."""
    if any(c.dep_ == "neg" for c in tok.children):
        return True
    return tok.dep_ in ("xcomp", "acomp", "attr") and any(c.dep_ == "neg" for c in tok.head.children)


def verdict(question: str, sentence: str) -> str | None:
    """ "Yes", "No", or None when the sentence does not settle the question on its own words."""
    if not is_yes_no(question):
        return None
    q, s = parse(question.strip()), parse(sentence)
    wanted = _lemmas(t for t in q if t.pos_ != "AUX")
    have = _lemmas(s)
    names = _lemmas(t for t in q if t.pos_ in ("PROPN", "NUM"))
    if not wanted or len(wanted & have) / len(wanted) < COVERAGE or not names <= have:
        return None  # "in Moscow" asked, "in Beijing" said: no verdict
    pred = _predicate(q)
    if pred.pos_ == "AUX":
        return None  # "Is X Y?" with nothing to compare: no verdict
    lemma = pred.lemma_.lower()  # by lemma: "make", "do" are stop words to the content keys
    matches = [t for t in s if t.lemma_.lower() == lemma and t.pos_ in ("VERB", "AUX", "ADJ", "NOUN")]
    if not matches:
        return None
    q_neg = _negated(pred)
    s_neg = [_negated(t) for t in matches]
    if all(n == q_neg for n in s_neg):
        return "Yes"
    if all(n != q_neg for n in s_neg):
        return "No"
    return None
