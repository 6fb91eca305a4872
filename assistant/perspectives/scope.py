"""What a negation is said of: a time or another case than the claim's, so that it denies nothing the claim says.

"The Pentagon did not shoot down the balloon as it approached Alaska" says nothing of what happened
later, and "Trump wasn't charged in that case" speaks of some other case than the one asked about: read
as denials, both put an article under "says no" that does not dispute the claim (a wrong "no" misleads
more than a missed one). Generic English only: clause marks, determiners and spaCy's parse; no story's
words.
"""

from __future__ import annotations

from typing import Any

#: what opens a clause that says when ("when it approached Alaska", "as it crossed", "until last week")
WHEN = frozenset(["when", "as", "while", "before", "until", "after", "once"])
#: determiners that point at a case already spoken of, or at a further one ("in that case", "another case")
OTHER_DETS = frozenset(["that", "this", "those", "these", "another", "other"])
#: prepositions whose phrase narrows where or in what the act happened ("in that case", "on this occasion")
NARROWING_PREPS = frozenset(["in", "on", "at", "during", "for"])


def timed(token: Any) -> bool:
    """The act is said of a time ("when it was first spotted"): an adverbial clause opened by ``WHEN``."""
    return token is not None and any(
        c.dep_ == "advcl" and any(m.dep_ in ("mark", "advmod") and m.lower_ in WHEN for m in c.children)
        for c in token.children
    )


def other_case(token: Any, claim_token: Any) -> bool:
    """The act is narrowed to a case pointed at ("was not charged in that case", "on this occasion"),
    unless the claim's own sentence (``claim_token``'s) names that noun."""
    if token is None:
        return False
    claim_words = {t.lemma_.lower() for t in claim_token.doc} if claim_token is not None else set()
    return any(
        obj.dep_ == "pobj"
        and obj.lemma_.lower() not in claim_words
        and any(d.dep_ in ("det", "amod") and d.lower_ in OTHER_DETS for d in obj.children)
        for prep in token.children
        if prep.dep_ == "prep" and prep.lower_ in NARROWING_PREPS
        for obj in prep.children
    )


def narrowed(token: Any, claim_token: Any) -> bool:
    """A negation of ``token`` holds only of a time or a case the claim does not name: not then (or not
    there) is not never."""
    return (timed(token) and not timed(claim_token)) or other_case(token, claim_token)
