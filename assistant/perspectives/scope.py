"""What a negation or a statement is said of: a time, another case, another doer or thing than the
claim's, so that it denies or states nothing the claim says (``unmet``: a statement of the act without the
claim's own doer or time; ``same_word``: one word or its derivation).

"The Pentagon did not shoot down the balloon as it approached Alaska" says nothing of what happened
later, "Trump wasn't charged in that case" speaks of some other case than the one asked about, and "A
vigilante did not shoot down the balloon" of someone else than "Did an F-22 shoot …" asks about: read as
denials, they put an article under "says no" that does not dispute the claim (a wrong "no" misleads
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
#: the sorts of names that stand for a party (names are ``meaning._clashes``'s to compare)
NAMED = frozenset(["GPE", "NORP", "ORG", "PERSON", "LOC"])


def _when(clause: Any, token: Any) -> str:
    """The ``WHEN`` word that opens an adverbial clause of ``token``'s act ("when it approached"), or "". A
    "while" clause before its verb concedes rather than times ("While all agreed to it, the code has no …")."""
    if clause.dep_ != "advcl":
        return ""
    return next(
        (
            m.lower_
            for m in clause.children
            if m.dep_ in ("mark", "advmod") and m.lower_ in WHEN and not (m.lower_ == "while" and clause.i < token.i)
        ),
        "",
    )


def timed(token: Any) -> bool:
    """The act is said of a time ("when it was first spotted"): an adverbial clause opened by ``WHEN``."""
    return token is not None and any(_when(c, token) for c in token.children)


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


def head_noun(tokens: list[Any]) -> Any:
    """The head word of a role's tokens (its root within them), or None."""
    return next((t for t in tokens if t.head not in tokens or t.head.i == t.i), None)


def claim_doer(claim_token: Any) -> Any:
    """The head of the claim's doer: the subject of its verb (of the light verb whose object is the act)."""
    if claim_token is None:
        return None
    verb = claim_token if claim_token.pos_ in ("VERB", "AUX") else claim_token.head
    return next((c for c in verb.children if c.dep_ in ("nsubj", "csubj")), None)


def other_thing(claim_patient: Any, tokens: list[Any]) -> bool:
    """The act is done to a new thing ("shot down an unidentified object") while the claim's is one already
    known ("Did the Pentagon shoot down the balloon …"): the sentence's patient is a noun of another lemma
    introduced by "a"/"an", the claim's a definite one. A bare noun ("requested support") may be the claim's
    thing put otherwise, so only the article counts."""
    if claim_patient is None or not tokens or claim_patient.pos_ != "NOUN":
        return False
    if not any(c.dep_ in ("det", "poss") and c.lower_ not in ("a", "an") for c in claim_patient.children):
        return False
    head = head_noun(tokens)
    if head is None or head.pos_ != "NOUN" or head.lemma_.lower() == claim_patient.lemma_.lower():
        return False
    return any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in head.children)


def claim_patient(claim_token: Any) -> Any:
    """The head of what the claim's act is done to: its verb's object, or its passive subject."""
    if claim_token is None:
        return None
    verb = claim_token if claim_token.pos_ in ("VERB", "AUX") else claim_token.head
    return next((c for c in verb.children if c.dep_ in ("dobj", "obj", "nsubjpass")), None)


#: markers of one time: "when it approached" is not "after it entered", "before it crossed"
SAME_TIME = (frozenset(["when", "as", "while", "once"]), frozenset(["before", "until"]), frozenset(["after"]))


def _time_class(marker: str) -> int:
    return next(i for i, group in enumerate(SAME_TIME) if marker in group)


def time_clauses(token: Any) -> list[tuple[int, set[str]]]:
    """The clauses or phrases that say when ``token``'s act happened ("when it approached Alaska", "after
    entering the country"): the class of their marker (``SAME_TIME``) and their content words."""
    out: list[tuple[int, set[str]]] = []
    for c in token.children:
        marker = _when(c, token)
        if c.dep_ == "prep" and c.lower_ in WHEN and any(d.dep_ == "pcomp" for d in c.children):
            marker = c.lower_
        if marker:
            said = {t.lower_ for t in c.subtree if not (t.is_stop or t.is_punct or t.pos_ == "PRON")}
            out.append((_time_class(marker), said))
    return out


def other_doer(claim_agent: Any, tokens: list[Any]) -> bool:
    """The sentence's doer (``tokens``) is some indefinite other than the claim's common-noun doer ("A
    vigilante did not shoot …", a headline's bare "vigilante didn't …" for "Did an F-22 shoot …"): the act
    is someone else's. A pronoun, a name, a plural or a definite noun may be the claim's doer put otherwise
    ("commanders", "the Pentagon"), so those never count as another here."""
    if claim_agent is None or claim_agent.pos_ != "NOUN" or claim_agent.ent_type_ in NAMED or not tokens:
        return False
    head = head_noun(tokens)
    if head is None or head.pos_ != "NOUN" or head.tag_ != "NN" or head.ent_type_:
        return False
    if head.lemma_.lower() in {t.lemma_.lower() for t in claim_agent.doc}:
        return False  # the doer itself, or a headline's passive read as active ("balloon shot down")
    dets = [c for c in head.children if c.dep_ in ("det", "poss")]
    return not dets or all(d.lower_ in ("a", "an") for d in dets)


#: a derived word shares this many first letters with the claim's verb ("settle" ~ "settlement")
STEM_PREFIX = 5


def same_word(a: str, b: str) -> bool:
    """One word or its derivation ("expelled" ~ "expel", "settlement" ~ "settle", "Russian" ~ "Russia")."""
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    n = min(len(a), len(b))
    return n >= STEM_PREFIX - 1 and a[: max(n - 1, STEM_PREFIX - 1)] == b[: max(n - 1, STEM_PREFIX - 1)]


def unmet(t: Any, claim_token: Any) -> bool:
    """A sentence states the act (``t``, its word for it) but not the claim's qualifiers: "US jets shot down
    the balloon" does not say that a vigilante did (an indefinite doer is a new kind of doer, not one known
    under other names), "it was shot down off South Carolina after entering the country in Alaska" does
    not say that it was when it approached Alaska (a clause of the same time, sharing a word). A denial
    needs no such words (if no one did it, no vigilante did); an affirmation that lacks them is neither
    side (""), not "yes"."""
    if claim_token is None:
        return False
    doer = claim_doer(claim_token)
    if doer is not None and any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in doer.children):
        said = {x.lower_.replace(".", "") for x in t.doc if not x.is_punct}
        if not any(same_word(doer.lower_, x) for x in said):
            return True
    verb = claim_token if claim_token.pos_ in ("VERB", "AUX") else claim_token.head
    mine = time_clauses(t)
    return any(
        not any(kind == want and any(same_word(w, x) for w in words for x in said) for kind, said in mine)
        for want, words in time_clauses(verb)
        if words
    )
