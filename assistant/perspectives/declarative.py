"""The claim a yes/no question asks about, put as a statement: its auxiliary moved after its subject
("Did Chelsea bid for Osimhen?" -> "Chelsea did bid for Osimhen"), found from spaCy's parse."""

from __future__ import annotations

from typing import Any

_SUBJECT_DEPS = frozenset(["nsubj", "nsubjpass", "expl", "csubj"])


def declarative(question: str) -> str:
    """The claim a yes/no question asks about, as a statement ("" when its subject is not found)."""
    from assistant.answering.nlp import parse_many

    text = question.strip().rstrip("?").strip()
    doc = parse_many([text])[0]
    if len(doc) < 3 or doc[0].pos_ not in ("AUX", "VERB"):
        return ""
    # the subject: the one the parser finds, else the words before the first verb ("Did Trump | call …"),
    # else the noun phrase that opens the question
    subject = next((t.right_edge.i + 1 for t in doc if t.dep_ in _SUBJECT_DEPS and t.left_edge.i == 1), 0)
    # a participle that describes a noun ("the winning ticket") is not the verb
    verb = next((t.i for t in doc[2:] if t.pos_ == "VERB" and t.dep_ not in ("amod", "compound")), 0)
    chunk = next((c.end for c in doc.noun_chunks if c.start == 1), 0)
    if verb and subject > verb:  # a subject that runs past the verb is a misparse
        subject = 0
    # a misparse that reads the verb as a noun ("Did Donald Trump rape …"): the first lowercase word after a name
    named = next(
        (
            t.i
            for t in doc[2:-1]
            if t.text.islower()
            and doc[t.i - 1].text[:1].isupper()
            and (doc[t.i + 1].text[:1].isupper() or doc[t.i + 1].pos_ == "DET")
        ),
        0,
    )
    end = next((e for e in (subject, verb, named, chunk) if 1 < e < len(doc)), 0)
    if doc[0].lower_ in ("do", "does", "did") and not (end and doc[end].tag_ == "VB"):
        end = _do_split(doc) or end  # "Does the US support attacks …" read as one noun phrase
    if not end:
        return ""
    return f"{doc[1:end].text} {doc[0].text.lower()} {doc[end:].text}".strip()


def _do_split(doc: Any) -> int:
    """Where a do-question's subject ends when the parse ran it into the verb ("the US support attacks"):
    the first split at which the statement reads with a bare verb after "does" whose subject is the words
    before it; 0 if none."""
    from assistant.answering.nlp import parse_many

    splits = list(range(2, len(doc) - 1))
    texts = [f"{doc[1:i].text} {doc[0].lower_} {doc[i:].text}" for i in splits]
    for i, cand in zip(splits, parse_many(texts), strict=True):
        verb = cand[i] if i < len(cand) else None  # the subject's words, then "does", then this one
        if verb is not None and verb.tag_ == "VB" and any(c.dep_ == "nsubj" for c in verb.children):
            return i
    return 0
