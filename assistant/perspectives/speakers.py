"""Speakers: who a sentence reports as saying it, read from spaCy's parse, and the side (as the text
names it) that speaker speaks for.

The speaker is the doer of the sentence's own reporting verb (its root, or a verb joined to the root:
"…, officials said", "China has maintained …, but that has been rejected by U.S. officials"): the
subject, or the passive's "by" agent. A sentence that denies is the denier's ("rejected by U.S.
officials"), not the first speaker it names. A reporting verb inside a clause that only describes
something ("the balloon, which Pentagon officials said was built to spy, was shot down") does not make
the sentence theirs. The verbs named here are English ways of reporting, not any story's.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.perspectives.meaning import DENY_LEMMAS
from assistant.text import STOPWORDS

#: verbs that report what someone says, believes or denies
REPORT_LEMMAS = DENY_LEMMAS | frozenset(
    ["say", "tell", "add", "accuse", "warn", "insist", "claim", "state", "argue", "believe", "fear",
     "criticise", "criticize", "confirm", "announce", "maintain", "allege", "acknowledge", "admit",
     "write", "note", "explain", "disclose", "reveal", "suggest", "assert", "contend", "stress", "report"]
)  # fmt: skip
#: how a reporting verb may hang from the sentence's root and still speak for the sentence
_MAIN_DEPS = frozenset(["ROOT", "parataxis", "conj", "ccomp"])
_ACCORDING_RE = re.compile(
    r"\baccording to ((?:the |a |an )?[^,.;:“\"]{2,80})((?:,\s*[^,.;:“\"]{2,80})?)", re.IGNORECASE
)
_APPOSITIVE_START = frozenset(
    ["a", "an", "senior", "former", "who", "deputy", "chief", "spokesman", "spokeswoman", "spokesperson"]
)
_NAME_RUN_RE = re.compile(r"\b(?:[A-Z][\w.’'-]*)(?:\s+[A-Z][\w.’'-]*)*")
#: "…, says US official" at the end (a headline's inversion, which the parser often misreads)
_INVERTED_RE = re.compile(r",[”\"’]?\s*(?:said|says)\s+([^,.;:“\"]{2,60})[.!?]?\s*$")
_PRONOUNS = frozenset(["he", "she", "they", "it", "we", "i", "you"])
#: a headline's label before a colon ("Transfer news: Rovers deny …"): no part of the sentence's speaker
_LABEL_RE = re.compile(
    r"^(?![^:]*\b(?:said|says|say|told|tells|added|adds|wrote|writes|stated|states)\b)[^:.!?]{1,40}:\s*(?=[A-Z“\"])"
)
#: a speaker phrase longer than this is a clause the parser took for a subject
MAX_WORDS = 16
#: what a subject phrase may not start with ("and officials said", "but Beijing denied")
_LEADING = frozenset(["and", "but", "so", "also", "meanwhile", "yet"])


def _appositive(clause: str) -> bool:
    """A comma clause describing the name before it ("a spokesman for the Chinese Embassy")."""
    first = clause.strip().split(" ", 1)[0].lower() if clause.strip() else ""
    return first in _APPOSITIVE_START


def _main(token: Any) -> bool:
    """The verb speaks for the sentence: the root, or joined to it (not inside a clause of a noun)."""
    while token.dep_ != "ROOT":
        if token.dep_ not in _MAIN_DEPS:
            return False
        token = token.head
    return True


def _doer(verb: Any) -> Any:
    """The subject of ``verb``, or its passive's "by" object; for a verb that shares its subject with the
    one before it ("denied it and accused …"), that verb's."""
    for c in verb.children:
        if c.dep_ in ("nsubj", "csubj"):
            return c
        if c.dep_ == "agent":
            return next((o for o in c.children if o.dep_ == "pobj"), None)
    if verb.dep_ == "conj" and not any(c.dep_ == "nsubjpass" for c in verb.children):
        return _doer(verb.head)
    return None


def _phrase(head: Any) -> str:
    """The words of a doer: its subtree without the clauses that describe it ("officials, who spoke on
    condition of anonymity"), with its appositive ("Liu Pengyu, a spokesman for the Chinese Embassy")."""
    drop = {t.i for c in head.children if c.dep_ in ("relcl", "acl", "advcl") for t in c.subtree}
    toks = [t for t in head.subtree if t.i not in drop]
    while toks and (toks[0].lower_ in _LEADING or toks[0].is_punct):
        toks.pop(0)
    while toks and toks[-1].is_punct:
        toks.pop()
    if sum(not t.is_punct for t in toks) > MAX_WORDS:  # a long appositive: the name it describes
        toks = [t for t in head.subtree if t.i == head.i or (t.head.i == head.i and t.dep_ in ("compound", "flat"))]
    text = "".join(t.text_with_ws for t in toks).strip()
    return text if toks else ""


def speaker_of(text: str, doc: Any = None, denial: bool = False) -> str:
    """Who a sentence reports as saying it ("Kremlin spokesman Dmitry Peskov", "US officials"), or ``""``.

    "according to X" or "…, says X" where the sentence says so; else the doer of its reporting verb (``_main``), a
    denier's first where the sentence is a ``denial``: no pronoun ("he said"), no relative ("which officials
    said").
    """
    m = _ACCORDING_RE.search(text)
    if m:
        extra = m.group(2)
        return (m.group(1) + (extra if extra and _appositive(extra.lstrip(", ")) else "")).strip()
    m = _INVERTED_RE.search(text)
    if m and m.group(1).split(" ", 1)[0].lower() not in _PRONOUNS:
        return m.group(1).strip()
    label = _LABEL_RE.match(text)
    if doc is None or label:
        from assistant.answering.nlp import parse

        doc = parse(text[label.end() :] if label else text)
    # a denial's doer first, wherever it stands ("…, which Hamas denies"), when the sentence is read as one; a
    # predicted denial ("China would likely deny …") is none; else the main reporting verbs in order
    denials = [
        t
        for t in doc
        if denial
        and t.pos_ == "VERB"
        and t.lemma_.lower() in DENY_LEMMAS
        and not any(c.tag_ == "MD" for c in t.children)
    ]
    verbs = denials + [t for t in doc if t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in REPORT_LEMMAS and _main(t)]
    for verb in verbs:
        doer = _doer(verb)
        if doer is None or doer.pos_ == "PRON" or doer.tag_ in ("WDT", "WP"):
            continue
        phrase = _phrase(doer)
        if phrase:
            return phrase
    return ""


def party_of(speaker: str) -> str:
    """Who a speaker phrase speaks for, as the text names it: its first run of capitalised words
    ("Kremlin spokesman Dmitry Peskov" -> "kremlin", "U.S. officials" -> "us", "a City spokesman" ->
    "city"), else the phrase itself, lower-cased; ``""`` for no speaker. Two statements with the same
    key are one side."""
    words = speaker.split()
    while len(words) > 1 and words[0].lower() in STOPWORDS and not (len(words[0]) > 1 and words[0].isupper()):
        words.pop(0)  # "the Kremlin", "Both Hamas and …"; not "US officials"
    m = _NAME_RUN_RE.search(" ".join(words))
    key = m.group(0) if m else speaker
    return " ".join(key.lower().replace(".", "").split())  # "U.S. officials" and "US officials" are one side
