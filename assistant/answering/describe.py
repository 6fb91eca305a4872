""""Who is X?" asks for what X is: the description the news gives X, read from the parse.

News introduces people with an apposition ("Liu Pengyu, a spokesman for the Chinese Embassy in
Washington, said …") or a copula ("Yang Jiechi is China's top diplomat"). For a question that asks who
a named person is (a copula, a "who", the name as the other side), that description (the whole phrase,
with its "for …"/"of …") is the direct answer; an entity inside it ("the Chinese Embassy") is not. No
titles or roles are listed: the grammar marks the description.
"""

from __future__ import annotations

from assistant.answering.nlp import parse

#: a description longer than this is a clause, not a phrase to lead with
MAX_WORDS = 14


def asked_name(question: str) -> str | None:
    """The name a "Who is/was X?" question asks about, else None."""
    doc = parse(question.strip())
    words = [t for t in doc if not t.is_punct]
    if len(words) < 3 or words[0].lower_ != "who" or words[1].lemma_ != "be":
        return None
    rest = words[2:]
    if not all(t.pos_ == "PROPN" or t.dep_ == "compound" for t in rest):
        return None  # "Who is the new speaker?" asks for a name, not a description
    return " ".join(t.text for t in rest)


def description(name: str, sentence: str) -> str | None:
    """The apposition or copula complement the sentence gives ``name`` (verbatim), or None."""
    if name not in sentence:
        return None
    doc = parse(sentence)
    start = sentence.index(name)
    toks = [t for t in doc if start <= t.idx < start + len(name)]
    if not toks:
        return None
    head = next((t for t in toks if t.head.i not in {x.i for x in toks} or t.head.i == t.i), toks[-1])
    found = next((c for c in head.children if c.dep_ == "appos" and c.i > head.i), None)
    if found is None and head.dep_ == "nsubj" and head.head.lemma_ == "be":
        found = next((c for c in head.head.children if c.dep_ == "attr"), None)
    if found is None:
        return None
    lo, hi = found.left_edge.i, found.right_edge.i + 1
    while hi > lo and doc[hi - 1].is_punct:
        hi -= 1
    span = doc[lo:hi]
    if not span or sum(not t.is_punct for t in span) > MAX_WORDS or any(t.i in {x.i for x in toks} for t in span):
        return None
    return sentence[span.start_char : span.end_char]
