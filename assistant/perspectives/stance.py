"""Stance: whether a sentence denies or disputes the question's proposition, and the words that say so."""

from __future__ import annotations

import re

from assistant.text import STOPWORDS, stem, words

#: words that deny or dispute what was said
DENIAL_RE = re.compile(
    r"\b(den(?:y|ies|ied|ial|ials|ying)|reject(?:s|ed|ing)?|disinformation|misinformation|fake news|"
    r"baseless|groundless|untrue|unfounded|refut(?:e|ed|es|ing)|fabricat\w*|smear\w*|"
    r"never heard|not heard|no sign|no evidence|nonsense)\b",
    re.IGNORECASE,
)
#: "would likely deny": a prediction, not a denial
_HYPOTHETICAL_RE = re.compile(r"\b(?:would|could|might|may|will|likely|if)\s+(?:\w+\s+)?$", re.IGNORECASE)
#: words that negate the predicate word right after them
NEGATORS = frozenset(["not", "never", "no", "neither", "nor", "without", "cannot"])
NEGATING_VERBS = re.compile(r"^(?:refus|avoid|declin|fail)")
NEGATION_WINDOW = 3
#: the words after a denial word that say what is denied
DENIAL_SCOPE = 6
#: "did not provide details": a negation of saying more, not of the act
_NOT_THE_ACT = frozenset(["details", "detail", "comment", "comments", "information", "specifics", "further"])
#: a denial that points back to something said before it ("denied *the request*", "rejects *the assertions*")
ANAPHORA_RE = re.compile(
    r"\b(?:the|these|those|such|that|this|its|their) (?:\w+ ){0,2}(?:request|requests|report|reports|claim|claims|"
    r"assertion|assertions|allegation|allegations|accusation|accusations|story|stories)\b|\b(?:it|this|that)\b",
    re.IGNORECASE,
)


def denial_cue(text: str, head: set[str], denials: bool = True, negations: bool = True) -> str:
    """The words that make ``text`` deny or dispute the question's proposition, or ``""``.

    Either an explicit denial word (not a predicted one: "would likely deny"), or a negation ("not",
    "never", "refused to") within a few words before the question's main verb ("has not asked").
    """
    if denials:
        for m in DENIAL_RE.finditer(text):
            if not _HYPOTHETICAL_RE.search(text[max(0, m.start() - 25) : m.start()]):
                return m.group(0)
    if not negations:
        return ""
    toks = words(text)
    for i, tok in enumerate(toks):
        negates = tok in NEGATORS or tok.endswith(("n't", "n’t")) or bool(NEGATING_VERBS.match(tok))
        if not negates:
            continue
        window = toks[i + 1 : i + 1 + NEGATION_WINDOW]
        for j, nxt in enumerate(window):
            if nxt not in STOPWORDS and stem(nxt) in head:
                after = toks[i + 2 + j : i + 3 + j]
                if after and after[0] in _NOT_THE_ACT:
                    break
                return f"{tok} … {nxt}"
    return ""
