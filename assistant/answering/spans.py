"""Answer-span candidates and their features.

The candidates are the named entities and noun phrases of the best-scored evidence sentences
(spaCy), minus what the question itself already names. Each gets features that a fitted model
(``ranker.py``) combines: how good its sentence is, whether its entity type is what this kind of
question asks for, how many other passages and titles name it too (redundancy), how close it sits
to the question's words, and how recent its article is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.answering.nlp import content_keys, parse_many, tokens
from assistant.answering.question_shape import QuestionShape

#: evidence sentences (best first) whose spans compete, plus the headlines of their articles and the
#: sentence after the best one (a question restated by one sentence is often answered by the next).
#: Fitted on the 2023b set and scored on the dev set: 12 raised the shown answer held out from 0.57 to
#: 0.64 (dev fit, scored on 2023b) and 0.46 to 0.52 (seeds), unchanged on dev (0.71): the model's
#: sentence-rank features tell the weaker sentences apart ...
POOL = 12
TITLES = 1
#: ... and the sentences that count for redundancy (only tokenised, not parsed: cheap)
REDUNDANCY_POOL = 8
NOUN_PHRASE = "NP"
PROPER_NAME = "NAME"
FEATURES = (
    "sent",
    "srank",
    "prior",
    "head_label",
    "head_span",
    "q_span",
    "redund",
    "articles",
    "title",
    "prox",
    "q_overlap",
    "entity",
    "length",
    "number",
    "unit",
    "qvote",
    "hvote",
    "subject",
    "object",
    "is_title",
    "is_next",
    "bias",
)


@dataclass
class Sentence:
    """One evidence sentence as the reader scored it."""

    text: str
    score: float
    source: str
    title: str | None = None
    date: str | None = None
    rank: int = 0  # its place among the reader's ranked sentences
    kind: str = "ranked"  # "ranked" (a best sentence), "title" (an article's headline), "next" (after the best)


@dataclass
class SpanCandidate:
    text: str
    label: str
    sentence: int
    start: int  # character offset in the sentence
    features: dict[str, float] = field(default_factory=dict)


def _spans(doc: Any) -> list[tuple[Any, str]]:
    """Entities, then the noun phrases that are no entity (leading determiners dropped)."""
    out = [(e, e.label_) for e in doc.ents]
    covered = {i for e in doc.ents for i in range(e.start, e.end)}
    for chunk in doc.noun_chunks:
        toks = [t for t in chunk if not (t.dep_ in ("det", "poss") and t.i == chunk.start)]
        if not toks or any(t.i in covered for t in toks) or all(t.is_stop or t.pos_ == "PRON" for t in toks):
            continue
        # a name the recogniser missed ("Ana Ferreira" untagged) is typed apart from common noun phrases
        label = PROPER_NAME if all(t.pos_ == "PROPN" for t in toks) else NOUN_PHRASE
        out.append((doc[toks[0].i : toks[-1].i + 1], label))
    # names inside a longer phrase the recogniser missed ("Buffalo Bills" in "Buffalo Bills player Damar
    # Hamlin", "Bed Bath & Beyond"): runs of proper nouns, joined by "&", that no candidate spans already
    have = {(sp.start, sp.end) for sp, _ in out}
    i = 0
    while i < len(doc):
        j = i
        while j < len(doc) and (
            doc[j].pos_ == "PROPN" or (doc[j].text == "&" and j > i and j + 1 < len(doc) and doc[j + 1].pos_ == "PROPN")
        ):
            j += 1
        if j > i and (i, j) not in have and not all(k in covered for k in range(i, j)):
            out.append((doc[i:j], PROPER_NAME))
        i = max(j, i + 1)
    return out


_ORDINAL = re.compile(r"\d+(st|nd|rd|th)")


def _cardinal(t: Any) -> bool:
    """A number that counts or measures: "how many/much/long" is not answered by an ordinal ("the
    first half", "third-quarter"), which spaCy's ``like_num`` also accepts."""
    from spacy.lang.en.lex_attrs import _ordinal_words  # spaCy's own list of English ordinal words

    word = t.lower_.split("-")[0]
    return t.like_num and t.ent_type_ != "ORDINAL" and word not in _ordinal_words and not _ORDINAL.fullmatch(word)


def candidates(
    q: QuestionShape,
    pool: Sequence[Sentence],
    titles: Sequence[str],
    embed: Callable[[list[str]], np.ndarray],
    explain: Callable[[str], str],
    wider: Sequence[Sentence] | None = None,
) -> list[SpanCandidate]:
    """Every answer-span candidate of the ``pool`` sentences, with its features.

    ``wider`` (default: the pool) are the sentences that count for redundancy."""
    pool = list(pool)
    wider = list(wider) if wider is not None else pool
    if not pool:
        return []
    docs = parse_many([s.text for s in pool])
    best = max(max(s.score for s in pool), 1e-6)
    sent_words = [set(content_keys(tokens(s.text))) for s in wider]
    title_words = [set(content_keys(tokens(t))) for t in titles if t]
    out: list[SpanCandidate] = []
    for i, (sent, doc) in enumerate(zip(pool, docs, strict=True)):
        token_keys = [content_keys([t]) for t in doc]
        anchors = [t.i for t, k in zip(doc, token_keys, strict=True) if k and k[0] in q.keys]
        for span, label in _spans(doc):
            keys = content_keys(span)
            if not keys or set(keys) <= q.keys:
                continue  # the question already names it: not an answer
            lower = set(keys)
            near = {
                k
                for t in (span.root.head, doc[span.end] if span.end < len(doc) else None)
                if t
                for k in content_keys([t])
            }
            others = [j for j in range(len(wider)) if wider[j] is not sent and lower <= sent_words[j]]
            dist = min((min(abs(a - span.start), abs(a - (span.end - 1))) for a in anchors), default=len(doc))
            out.append(
                SpanCandidate(
                    text=span.text.strip(" ,.;:\"“”'"),
                    label=label,
                    sentence=i,
                    start=span.start_char,
                    features={
                        "sent": sent.score / best,
                        "srank": 1.0 / (1 + sent.rank),
                        "redund": sum(wider[j].score / best for j in others),
                        "articles": math.log1p(len({wider[j].source for j in others} - {sent.source})),
                        "title": float(any(lower <= tw for tw in title_words)),
                        "prox": 1.0 / (1 + dist),
                        "q_overlap": len(set(keys) & q.keys) / len(keys),
                        "entity": float(label not in (NOUN_PHRASE, PROPER_NAME)),
                        "length": math.log(len(span)),
                        "number": float(q.qclass.startswith("how_") and any(_cardinal(t) for t in span)),
                        "unit": float(bool(q.counted) and q.counted in (lower | near)),
                        "subject": float(span.root.dep_ in ("nsubj", "nsubjpass")),
                        "object": float(span.root.dep_ in ("dobj", "pobj", "attr", "appos", "oprd")),
                        "is_title": float(sent.kind == "title"),
                        "is_next": float(sent.kind == "next"),
                        "bias": 1.0,
                    },
                )
            )
    _similarities(q, out, embed, explain)
    return out


def _similarities(
    q: QuestionShape,
    cands: list[SpanCandidate],
    embed: Callable[[list[str]], np.ndarray],
    explain: Callable[[str], str],
) -> None:
    """How well each span fits the head noun ("which team" → "Buffalo Bills") by embeddings, and
    how well its type's description fits it (spaCy's own label glosses), so no noun→type list is needed."""
    if not cands:
        return
    labels = sorted({c.label for c in cands})
    glosses = [explain(lb) for lb in labels]
    head = q.head or q.asks or ""
    texts = [q.text or head, head or "thing", *glosses, *[c.text for c in cands]]
    vecs = embed(texts)
    qv, hv, gv, sv = vecs[0], vecs[1], vecs[2 : 2 + len(labels)], vecs[2 + len(labels) :]
    by_label = dict(zip(labels, (gv @ hv).tolist(), strict=True)) if head else {}
    span_sims = (sv @ hv).tolist() if head else [0.0] * len(cands)
    q_sims = (sv @ qv).tolist()
    for c, s, qs in zip(cands, span_sims, q_sims, strict=True):
        c.features["head_label"] = by_label.get(c.label, 0.0)
        c.features["head_span"] = s
        c.features["q_span"] = qs


#: spaCy's labels for numbers, amounts and times: what "how many/much/long/old" and "when" answer with,
#: and what a "who"/"where" answer is not
MEASURES = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
#: of those, the ones that count or measure by themselves (a DATE or TIME must hold a cardinal number)
COUNTS = frozenset({"PERCENT", "MONEY", "QUANTITY", "CARDINAL"})


def admissible(q: QuestionShape, cand: SpanCandidate) -> bool:
    """Whether the candidate's type can answer the question's class at all (answer typing): the fitted
    model weighs types softly and still answered "When did she win…?" with a name."""
    if q.qclass == "when":
        return cand.label in ("DATE", "TIME")
    if q.qclass in ("who", "where"):
        return cand.label not in MEASURES
    if q.qclass.startswith("how_"):  # a count or a measure: not an ordinal ("the first half")
        return cand.features.get("number", 0.0) > 0 or cand.label in COUNTS
    return True
