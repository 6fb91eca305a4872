"""What kind of answer a question asks for, read from its spaCy parse.

Real quiz questions are rarely "Which team won?": they lead with context ("The Writers Guild of
America, which represents 11,500 writers, … They last went on strike in what year?"), put the noun
after "of" ("Which of Biden's programs …"), or ask through a copula ("What is the name of the show?").
The wh-word that asks is therefore the one of the last question sentence that is not a relativiser,
and the asked-for noun is read off the grammar (determiner head, the noun run after the wh-word,
"which of X", the other side of "is"/"called"), not off word lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.answering.nlp import content_keys, parse


@dataclass
class QuestionShape:
    """What kind of answer the question asks for, read from its parse."""

    qclass: str
    head: str | None
    keys: set[str]
    counted: str | None = None
    text: str = ""
    #: what a wh-word without a noun asks for, in plain words ("where" → "place"): compared with the spans
    #: and spaCy's type glosses as a head noun is, so a class the training questions lack is still typed
    asks: str | None = None


#: the thing a noun-less wh-word asks for (English grammar, not a domain list); only "where": the
#: training questions type "who" and "when" well (held out, adding them lost 0.02 accuracy end to end)
WH_ASKS = {"where": "place"}
WH_TAGS = ("WP", "WDT", "WRB", "WP$")
#: nouns that only name the asked thing's label ("the name of the show" asks for the show)
NAMING = ("name", "title")
#: verbs through which a question asks for the other side ("what is X", "what is X called")
LINKING = ("be", "call", "name")


def shape(question: str) -> QuestionShape:
    """The question's class ("who", "when", "how_many", "which_noun", …), head noun and content lemmas."""
    q = _shape(question)
    q.text = question
    if q.head is None and q.qclass in WH_ASKS:
        q.asks = WH_ASKS[q.qclass]
    return q


def _asking_wh(doc: Any) -> Any | None:
    """The wh-token that asks: in the last sentence holding one, the first that is no relativiser
    ("that", "which" opening a relative clause) — the earlier sentences of a quiz question are context."""
    found = None
    for sent in doc.sents:
        whs = [t for t in sent if t.tag_ in WH_TAGS and t.lower_ != "that" and not _relative(t)]
        if whs:
            found = min(whs, key=_depth)  # "In what may be the largest …, how many cows died?" asks "how many"
    return found or next((t for t in doc if t.tag_ in WH_TAGS and t.lower_ != "that"), None)


def _depth(t: Any) -> int:
    """How many clauses the token sits below its sentence's main verb (a free relative "what" is deeper)."""
    n, cur = 0, t.head
    while cur.head.i != cur.i:
        n += cur.pos_ in ("VERB", "AUX") and cur.dep_ not in ("aux", "auxpass")
        cur = cur.head
    return n


def _relative(t: Any) -> bool:
    """A wh-word opening a relative clause ("…, which represents writers"): its verb modifies a noun
    before it. A question's own wh-word stays even where spaCy hangs its clause off another."""
    verb = t if t.dep_ == "relcl" else t.head
    while verb.dep_ not in ("relcl", "ROOT") and verb.head.i != verb.i:
        verb = verb.head
    return verb.dep_ == "relcl" and verb.head.i < t.i


def _noun_run(doc: Any, start: int) -> Any | None:
    """The last noun of the phrase opening at ``start`` ("high-profile Republican", "flavored Girl
    Scout cookie", "streaming platform"): modifiers are adjectives, nouns, participles, hyphens, 's."""
    head = None
    for t in doc[start:]:
        if t.pos_ in ("NOUN", "PROPN"):
            head = t
            possessor = t.i + 1 < len(doc) and doc[t.i + 1].tag_ == "POS"  # "what children's show"
            if t.dep_ not in ("compound", "amod", "nmod") and not possessor:
                break  # the phrase's own head: a name after it is another phrase ("what company Musk bought")
        elif not (t.pos_ == "ADJ" or t.tag_ in ("VBN", "VBG", "HYPH", "POS")):
            break
    return head


def _linked(wh: Any) -> Any | None:
    """What a copula or naming verb equates the wh-word with ("What is the name of the show?" → show,
    "Which is the favourite dog breed?" → breed, "What is the show called?" → show)."""
    verb = wh.head.head if wh.head.dep_ in ("aux", "auxpass") else wh.head
    if verb.lemma_ not in LINKING or wh.dep_ not in ("nsubj", "attr", "oprd", "dobj", "nsubjpass"):
        return None
    if any(t.dep_ == "prep" and not list(t.children) for t in wh.sent):
        return None  # "what is the partnership based on?": the wh-word is a stranded preposition's object
    sides = ("nsubj", "attr", "nsubjpass")
    other = next((c for c in verb.children if c.i != wh.i and c.dep_ in sides and c.pos_ in ("NOUN", "PROPN")), None)
    if other is None:
        return None
    if other.lemma_.lower() in NAMING:
        of = next((c for c in other.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        pobj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        return pobj if pobj is not None and pobj.pos_ in ("NOUN", "PROPN") else None
    return other if other.pos_ == "NOUN" else None


def _head(doc: Any, wh: Any) -> Any | None:
    nxt = doc[wh.i + 1] if wh.i + 1 < len(doc) else None
    if wh.dep_ == "det" and wh.head.pos_ in ("NOUN", "PROPN") and wh.head.i > wh.i:
        return wh.head  # the parser's own head: "which state's governor" asks for the state
    if nxt is not None and nxt.lower_ == "of" and wh.lower_ == "which":  # "which of Biden's programs"
        pobj = next((c for c in nxt.children if c.dep_ == "pobj"), None)
        return pobj if pobj is not None and pobj.pos_ in ("NOUN", "PROPN") else None
    if nxt is not None and nxt.pos_ in ("NOUN", "PROPN", "ADJ", "VERB"):
        run = _noun_run(doc, wh.i + 1)
        if run is not None:
            return run
    return _linked(wh)


def _shape(question: str) -> QuestionShape:
    doc = parse(question)
    keys = set(content_keys(doc))
    wh = _asking_wh(doc)
    if wh is None:
        return QuestionShape("other", None, keys)
    word = wh.lower_
    nxt = doc[wh.i + 1] if wh.i + 1 < len(doc) else None
    if word in ("who", "whom", "whose"):
        return QuestionShape("who", None, keys)
    if word in ("when", "where", "why"):
        return QuestionShape(word, None, keys)
    if word == "how":
        if nxt is not None and nxt.lower_ in ("much", "many"):
            noun = doc[wh.i + 2] if wh.i + 2 < len(doc) and doc[wh.i + 2].pos_ == "NOUN" else None
            counted = content_keys([noun])[0] if noun is not None and content_keys([noun]) else None
            return QuestionShape(f"how_{nxt.lower_}", noun.text if noun is not None else None, keys, counted)
        if nxt is not None and nxt.pos_ in ("ADJ", "ADV"):
            return QuestionShape("how_" + nxt.lower_ if nxt.lower_ in ("long", "old") else "how_adj", None, keys)
        return QuestionShape("how", None, keys)
    if nxt is not None and nxt.pos_ == "NUM" and nxt.i + 1 < len(doc) and doc[nxt.i + 1].pos_ in ("NOUN", "PROPN"):
        return QuestionShape("which_several", doc[nxt.i + 1].text, keys)  # "which two countries"
    head = _head(doc, wh)
    if head is not None:
        # "what kinds of help": several things are asked, a sentence answers; "which of" asks for one
        of = nxt is not None and nxt.lower_ == "of"
        several = not of and (head.morph.get("Number") == ["Plur"] or any(c.dep_ == "nummod" for c in head.children))
        return QuestionShape("which_several" if several else "which_noun", head.text, keys)
    return QuestionShape("what", None, keys)
