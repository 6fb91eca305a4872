"""Rewrite a follow-up question into a standalone one, so that retrieval runs on a plain question.

A back-reference ("he", "their", "that meeting", "there") becomes what it points to in earlier turns,
an ellipsis ("And Lavrov?", "And when?") is completed from the previous question, and a question that
stands on its own is returned unchanged, as is one whose reference finds no antecedent. spaCy's parse
(morphology, entities, noun chunks, dependencies) decides, not word lists: grammar rules, not vocabulary.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from spacy.tokens import Doc, Span, Token

from assistant.answering.nlp import parse

WH = {"WP", "WP$", "WRB", "WDT"}  # Penn Treebank tags of question words
SUBJECTS, OBJECTS = {"nsubj", "nsubjpass"}, {"dobj", "pobj", "attr", "nsubjpass", "dative", "oprd"}
NUMERIC = {"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"}
PLACES, TIMES = {"GPE", "LOC", "FAC"}, {"DATE", "TIME"}
ADVERBS = {"there": "PLACE", "then": "TIME", "where": "PLACE", "when": "TIME"}  # pointing back / asking
MAX_TURNS = 8  # history entries looked at: older ones rarely hold what a follow-up refers to
ANSWER_CHARS = 600  # answers are long; their opening says what they are about


@lru_cache(maxsize=512)
def _parse(text: str) -> Doc:
    return parse(text)  # the one spaCy pipeline of the process, shared with the answer-span code


class Mention(NamedTuple):
    """What a pronoun can point to: an entity, a noun chunk (NOUN, NAME) or names taken together (GROUP)."""

    text: str
    label: str
    root: Token
    plural: bool = False


def _phrase(words: list[Token]) -> str:
    """The words as they read inside another sentence: "A lengthy statement" -> "the lengthy statement"."""
    head = words[0]
    lead = ("the" if head.morph.get("Definite") == ["Ind"] else head.lower_) if head.pos_ == "DET" else head.text
    return (lead + head.whitespace_ + "".join(t.text_with_ws for t in words[1:])).rstrip()


@lru_cache(maxsize=512)
def _mentions(text: str) -> tuple[Mention, ...]:
    """Entities, noun chunks and name groups of ``text``, in order; cached, as turns are read again and again."""
    doc = _parse(text)
    ents = [e for e in doc.ents if e.label_ not in NUMERIC or e.label_ in TIMES]
    chunks = {c.root.i: [t for t in c if t.pos_ != "CCONJ" and t.tag_ not in WH] for c in doc.noun_chunks}
    found = []
    for e in ents:  # "Dmitry Peskov" when the recognizer saw only "Peskov"
        words = chunks.get(e.root.i) or []
        named = words and all(t.pos_ == "PROPN" for t in words) and words[0].i <= e.start
        found.append(Mention(_phrase(words if named else list(e)), e.label_, e.root))
    found += [Mention(_coordination(e.root).text, "GROUP", e.root, True) for e in ents if e.root.conjuncts]
    for i, words in chunks.items():
        root = doc[i]
        if not words or root.pos_ == "PRON" or root.tag_ in WH or root.ent_type_ in NUMERIC:
            continue
        if any(e.end == i + 1 and e.start <= words[0].i + (words[0].pos_ == "DET") for e in ents):
            continue  # the chunk is an entity, already listed
        end = max([i + 1] + [c.right_edge.i + 1 for c in root.rights if c.dep_ == "prep"])
        span = list(doc[words[0].i : end if end - words[0].i <= 10 else i + 1])
        label = "NAME" if all(t.pos_ == "PROPN" for t in words) else "NOUN"  # NAME: an unrecognized name
        found.append(Mention(_phrase(span), label, root, root.tag_ in ("NNS", "NNPS") or bool(root.conjuncts)))
    people = list(dict.fromkeys(m.text for m in found if m.label in ("PERSON", "NAME")))
    if len(people) > 1 and any(m.label == "PERSON" for m in found):  # "they" after two names: both
        found.append(Mention(", ".join(people[:-1]) + " and " + people[-1], "GROUP", found[0].root, True))
    return tuple(found)


def _coordination(tok: Token) -> Span:
    """The whole "A and B" a conjunct belongs to."""
    while tok.dep_ == "conj":
        tok = tok.head
    return tok.doc[tok.left_edge.i : max([tok.i] + [c.right_edge.i for c in tok.conjuncts]) + 1]


def _kind(tok: Token) -> str | None:
    """What a back-reference needs: PERSON (he, her), PLURAL (they), THING (it, that), NOUN ("that
    meeting"), PLACE (there) or TIME (then); None for a word that does not point back."""
    morph = tok.morph
    if tok.pos_ == "PRON" and morph.get("PronType") == ["Prs"] and morph.get("Person") == ["3"]:
        if morph.get("Reflex") or morph.get("Number") == ["Plur"]:
            return None if morph.get("Reflex") else "PLURAL"
        later = any(c.dep_ in ("xcomp", "ccomp", "csubj") and c.i > tok.i for c in tok.head.children)
        return "PERSON" if "Neut" not in morph.get("Gender") else None if later else "THING"  # it = the clause
    if morph.get("PronType") != ["Dem"] or tok.tag_ in WH or tok.dep_ == "expl":
        return None
    if tok.pos_ == "DET":
        return "NOUN" if tok.dep_ == "det" and tok.head.pos_ == "NOUN" else None
    if tok.pos_ == "PRON":  # "about that" points back; "Is that true?" is about the answer just given
        return "THING" if tok.dep_ in ("dobj", "pobj") else None
    return ADVERBS.get(tok.lower_) if tok.pos_ == "ADV" else None


def _fit(kind: str, m: Mention, ref: Token, loose: bool = False) -> tuple[int, int] | None:
    """How well ``m`` suits ``ref`` (lower is better), None when it cannot be meant. ``loose`` accepts any
    plausible noun, for the check that a question's own words hold the antecedent."""
    label, noun = m.label, m.label in ("NOUN", "NAME")
    if kind == "PERSON":
        rank = 0 if label == "PERSON" else 1 if noun and not m.plural and (loose or label == "NAME") else None
    elif kind == "PLURAL":
        ranks = {"GROUP": 0, "ORG": 1, "NORP": 1, "GPE": 3 if m.root.dep_ in SUBJECTS else None}
        rank = 2 if noun and m.plural else 4 if noun and loose else ranks.get(label)
    elif kind == "NOUN" and not loose:
        rank = 0 if m.root.lemma_.lower() == ref.head.lemma_.lower() else None
    elif kind in ("THING", "NOUN"):
        rank = None if label in ("PERSON", "GROUP") or label in TIMES else 2 if label in PLACES else int(m.plural)
    else:
        rank = 0 if label in (PLACES if kind == "PLACE" else TIMES) else None
    vague = any(c.dep_ == "poss" and c.pos_ == "PRON" for c in m.root.children)  # "its reserves"
    if rank is None or (vague and ref.dep_ == "poss"):  # not "its reserves' value"
        return None
    rank += 2 * vague
    return rank, 0 if m.root.dep_ in (OBJECTS if kind in ("THING", "NOUN") else SUBJECTS) else 1


def _bound(ref: Token, kind: str) -> bool:
    """True when the question itself names what ``ref`` points to ("Did Apple say when it will ship?").
    A non-possessive pronoun cannot mean a noun of its own clause ("What did Russia say about it?")."""

    def clause(tok: Token) -> Token:
        tok = tok.head
        while tok.head is not tok and (tok.pos_ not in ("VERB", "AUX") or tok.dep_ in ("aux", "auxpass")):
            tok = tok.head
        return tok

    poss = ref.dep_ == "poss"
    return any(
        m.root.i < ref.i and _fit(kind, m, ref, loose=True) is not None and (poss or clause(m.root) != clause(ref))
        for m in _mentions(ref.doc.text)
    )


def _asks(question: str) -> set[str]:
    """What a question asks for that its answer will name: a thing ("What did they issue?"), a place, a time."""
    wh = [t.head if t.dep_ == "det" else t for t in _parse(question) if t.tag_ in WH]
    return {"THING" if t.dep_ in ("dobj", "pobj") else ADVERBS.get(t.lower_, "") for t in wh}


def _antecedent(kind: str, ref: Token, turns: list[tuple[str, bool]], taken: set[str]) -> Mention | None:
    """The best fitting mention of the latest exchange that has one (a user turn, and for "they"/"their"
    the people of that turn and its reply together). The answer comes first when the question asked for
    just that ("Where is he headed?" ... "there"); other answers only as a last resort."""

    def best(text: str, kind: str = kind) -> Mention | None:  # in an answer, the roles of words matter less
        usable = [m for m in _mentions(text) if m.text not in ref.doc.text and m.text not in taken]
        fits = [(f if text in users else f[:1], i, m) for i, m in enumerate(usable) if (f := _fit(kind, m, ref))]
        return min(fits, key=lambda x: (x[0], x[1]))[2] if fits else None

    users = [text for text, user in turns if user]
    answers = [text for text, user in reversed(turns) if not user]
    # (question, its reply) pairs, latest first
    exchanges = [
        (text, turns[i + 1][0] if i + 1 < len(turns) and not turns[i + 1][1] else None)
        for i, (text, user) in reversed(list(enumerate(turns)))
        if user
    ]
    for n, (question, reply) in enumerate(exchanges):
        asked = n == 0 and reply is not None and ("THING" if kind == "NOUN" else kind) in _asks(question)
        if asked and (found := best(reply) or (kind == "NOUN" and best(reply, "THING"))):
            return found
        if found := best(question) or (kind == "NOUN" and n == 0 and best(question, "THING")):
            return found
        if kind == "PLURAL" and reply:  # "Who did Sullivan meet?" "Yang Jiechi." "their meeting"
            names = [m.text for t in (question, reply) for m in _mentions(t) if m.label == "PERSON"]
            names = [x for x in dict.fromkeys(names) if x not in ref.doc.text]
            if len(names) > 1:
                return Mention(" and ".join(names), "GROUP", ref, True)
    return next((found for text in answers if (found := best(text))), None)


def _render(span: Span, edits: dict[int, str]) -> str:
    """``span`` with the tokens in ``edits`` replaced (an empty string drops the token)."""
    return "".join(edits[t.i] + t.whitespace_ * bool(edits[t.i]) if t.i in edits else t.text_with_ws for t in span)


def _complete(frag: Span, new: str, prev: Doc) -> str | None:
    """Fill an elliptical follow-up from the previous question: a new question word replaces the old, a
    phrase the mention of its kind (same noun, entity label or number shape), else the subject; a bare
    prepositional phrase ("And in Brazil?") is appended."""
    if all(t.tag_ in WH for t in frag):  # "Where did they meet?" + "And when?": "When did they meet?"
        verb = next((t for t in prev if t.pos_ in ("VERB", "AUX")), prev[-1])
        if any(t.tag_ in WH for t in prev[: verb.i]):
            if any(t.dep_ in SUBJECTS | OBJECTS for t in prev[: verb.i]) and all(t.tag_ == "WRB" for t in frag):
                return None  # "What did X discuss?" + "And when?" has no clean rewrite
            return f"{new.capitalize()} {prev[verb.i :].text}"
        return f"{new.capitalize()} {prev.text[:1].lower()}{prev.text[1:]}" if verb.i == 0 else None  # yes/no
    root, ents = frag.root, list(frag.ents)
    pp = root.pos_ == "ADP"
    target: Span | None = None
    if root.pos_ == "NOUN":
        target = next((c for c in prev.noun_chunks if c.root.lemma_ == root.lemma_), None)
    if target is None and ents:
        same = [e for e in prev.ents if e.label_ == ents[0].label_]
        shaped = [prev[t.i : t.i + 1] for t in prev if t.shape_ == ents[0].root.shape_ and t.like_num]
        target = _coordination(same[0].root) if same else shaped[0] if shaped else None
        new = ents[0].text if pp else new
    if target is None and not pp:
        subject = next((t for t in prev if t.dep_ in SUBJECTS and t.tag_ not in WH and t.pos_ != "PRON"), None)
        target = prev[subject.left_edge.i : subject.right_edge.i + 1] if subject else None
    if target is None:
        return f"{prev.text.rstrip('?.! ')} {new}?" if pp else None
    return f"{prev[: target.start].text_with_ws}{new}{prev[target.end - 1].whitespace_}{prev[target.end :].text}"


def _rewrite(question: str, turns: list[tuple[str, bool]]) -> str:
    """``question`` made standalone against ``turns`` (text, is_user); the very string when nothing depends."""
    doc = _parse(question)
    edits: dict[int, str] = {}
    for tok in doc:
        kind = _kind(tok)
        taken = set(edits.values())  # two pronouns of one question name two different things
        if kind is None or _bound(tok, kind) or not (m := _antecedent(kind, tok, turns, taken)):
            continue
        text = m.text
        if kind == "PLACE":
            text = f"in {text}"
        elif kind == "TIME" and m.root.dep_ == "pobj":
            text = f"{m.root.head.text} {text}"
        elif tok.dep_ == "poss":
            text += "'" if m.plural and text.endswith("s") else "'s"
        last = tok.head.i if kind == "NOUN" else tok.i  # "that meeting" is replaced as a whole
        edits.update({i: "" for i in range(tok.i, last)} | {last: text})
    words = [t for t in doc if not t.is_punct]
    start = 1 if words and words[0].pos_ == "CCONJ" else 0
    if words and not any(t.pos_ in ("VERB", "AUX") for t in words):
        if len(words) > start + 2 and words[start].tag_ in WH and words[start + 1].dep_ == "ROOT":
            start += 2  # "What about China?", "And how about the second game?"
        prev = next((text for text, user in reversed(turns) if user), None)
        if prev and (start or all(t.tag_ in WH for t in words)) and start < len(words):
            frag = doc[words[start].i : words[-1].i + 1]
            if done := _complete(frag, _render(frag, edits).strip(), _parse(prev)):
                return done
    text = _render(doc[words[start].i if start else 0 :], edits).strip()
    return text[:1].upper() + text[1:] if edits else question


def condense(question: str, history: list[dict[str, str]] | None) -> str:
    """A standalone version of ``question``: unchanged when there is no history or nothing points back.

    Earlier user turns are condensed first, so a chain of follow-ups keeps its antecedent.
    """
    if not history or not question.strip():
        return question
    turns: list[tuple[str, bool]] = []
    for h in history[-MAX_TURNS:]:
        text, user = (h.get("content") or "").strip(), h.get("role") == "user"
        if text:
            turns.append((_rewrite(text, turns) if user else text[:ANSWER_CHARS], user))
    return _rewrite(question, turns) if turns else question
