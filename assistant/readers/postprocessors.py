"""The extractive reader's evidence steps as LlamaIndex node postprocessors.

``SentenceCandidates`` turns the retrieved chunks into scored sentence nodes (best first, exact file
offsets); ``RefusalGate`` then lets them through, or puts its typed ``Verdict`` (why the evidence
is too weak, and the best score) in their place, as the one ``RefusalNode`` it returns. The reader
(``ExtractiveReader``) composes the answer from what is left: data flows down the node list only, the
query (``QuestionBundle``) is never written to. A sentence scores by embedding similarity to the
question, by how much of the question's informative vocabulary it (and, less, its neighbours)
contains, and by whether it holds the kind of answer asked for (a number, an age, a date). The same
features decide refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from pydantic import Field

from assistant.question import QuestionBundle
from assistant.readers.candidates import Candidate, sentence_candidates
from assistant.text import content_terms, name_terms, question_type, type_present

# weights of the sentence score (tuned on the dev question set, see docs/)
W_EMB, W_LEX, W_CTX, W_RANK = 0.50, 0.35, 0.10, 0.05
TYPE_PENALTY = 0.6
# question words found nowhere in the corpus: they weigh less in matching (paraphrases are common),
# but their share of the question lowers the confidence (unanswerable questions are often about them)
OOV_WEIGHT = 0.6
OOV_PENALTY = 0.15
# candidate sentences embedded per question (the rest cannot win on lexical evidence alone)
EMBED_TOP = 12
# a sentence (with its neighbours) that says nothing of what is asked about the question's names
UNCOVERED_PENALTY = 0.7
# words a follow-up rewrite added from earlier turns weigh this much
CONTEXT_TERM_WEIGHT = 0.25


class SentenceNode(TextNode):
    """A scored sentence of a retrieved chunk: its file offsets, and its ``Candidate`` for the reader."""

    candidate: Any = Field(default=None, exclude=True)

    @classmethod
    def class_name(cls) -> str:
        return "SentenceNode"

    @classmethod
    def of(cls, c: Candidate) -> SentenceNode:
        meta = {"source": c.source, "title": c.title, "date": c.date, "chunk_rank": c.rank, **c.parts}
        return cls(
            id_=f"{c.source}:{c.start}",
            text=c.text,
            start_char_idx=c.start,
            end_char_idx=c.end,
            metadata=meta,
            candidate=c,
        )


def candidates_of(nodes: list[NodeWithScore]) -> list[Candidate]:
    """The candidates behind ``SentenceCandidates``' nodes, in their order."""
    return [n.node.candidate for n in nodes]  # type: ignore[attr-defined]


class SentenceCandidates(BaseNodePostprocessor):
    """Chunks in, every sentence of them out as a ``SentenceNode`` scored for the question, best first."""

    stats: Any = Field(exclude=True)  # the corpus' TermStats
    cache: Any = Field(exclude=True)  # EmbeddingCache
    #: embedding similarity at which a sentence covers what is asked in other words (settings.cover_similarity)
    cover_similarity: float = 0.6

    @classmethod
    def class_name(cls) -> str:
        return "SentenceCandidates"

    def _postprocess_nodes(
        self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None
    ) -> list[NodeWithScore]:
        if query_bundle is None:
            raise ValueError("SentenceCandidates scores sentences against the question: pass the query")
        focus = query_bundle.focus if isinstance(query_bundle, QuestionBundle) else None
        ranked = self.ranked(query_bundle.query_str, nodes, focus)
        return [NodeWithScore(node=SentenceNode.of(c), score=c.score) for c in ranked]

    def ranked(self, question: str, nodes: list[NodeWithScore], focus: str | None = None) -> list[Candidate]:
        """Every sentence of the retrieved passages, scored, best first."""
        cands = sentence_candidates(nodes)
        self.score(question, cands, focus)
        cands.sort(key=lambda c: c.score, reverse=True)
        return cands

    def score(self, question: str, cands: list[Candidate], focus: str | None = None) -> None:
        """Score candidates in place.

        ``focus`` is the user's own wording when ``question`` was rewritten from a follow-up: words the
        rewrite added (names from earlier turns) count half, so the new thing asked about leads.
        """
        q_terms = list(dict.fromkeys(content_terms(question)))
        focus_terms = set(content_terms(focus)) if focus else set(q_terms)
        idf = {t: self.stats.idf(t) for t in q_terms}
        oov = {t for t in q_terms if self.stats.df.get(t, 0) == 0}
        weights = {
            t: w * (OOV_WEIGHT if t in oov else 1.0) * (1.0 if t in focus_terms else CONTEXT_TERM_WEIGHT)
            for t, w in idf.items()
        }
        total = sum(weights.values()) or 1.0
        oov_share = sum(idf[t] for t in oov) / (sum(idf.values()) or 1.0)
        names = name_terms(question)
        asked = [t for t in (focus_terms & set(q_terms)) if t not in names] or [t for t in q_terms if t not in names]
        qtype = question_type(focus or question)
        lexical = []
        for c in cands:
            lex = sum(w for t, w in weights.items() if t in c.terms) / total
            ctx = sum(w for t, w in weights.items() if t in c.terms or t in c.context_terms) / total
            lexical.append((lex, ctx, 1.0 / (1 + c.rank)))
        # embedding sentences is the costly step: only the lexically most promising ones are embedded
        order = sorted(
            range(len(cands)), key=lambda i: -(W_LEX * lexical[i][0] + W_CTX * lexical[i][1] + W_RANK * lexical[i][2])
        )
        keep = order[:EMBED_TOP]
        vecs = self.cache.get([question] + [cands[i].text for i in keep])
        sims = np.zeros(len(cands), dtype=np.float32)
        sims[keep] = vecs[1:] @ vecs[0]
        for c, sim, (lex, ctx, rank) in zip(cands, sims, lexical, strict=True):
            s = W_EMB * float(sim) + W_LEX * lex + W_CTX * ctx + W_RANK * rank - OOV_PENALTY * oov_share
            typed = type_present(qtype, c.text)
            if not typed:
                s *= TYPE_PENALTY
            # what is asked is covered when its words are there, or when the sentence means the same
            # by embedding ("pay" ~ "fee"): a paraphrase is not an unanswerable question
            covers = (
                not asked
                or any(t in c.terms or t in c.context_terms for t in asked)
                or float(sim) >= self.cover_similarity
            )
            if not covers:
                s *= UNCOVERED_PENALTY
            c.score = s
            c.parts = {
                "emb": float(sim),
                "lex": lex,
                "ctx": ctx,
                "typed": float(typed),
                "oov": oov_share,
                "covers": float(covers),
            }


def refusal_reason(best: Candidate | None, threshold: float) -> str | None:
    """Why the best sentence is no answer (None: it may be one)."""
    if best is None:
        return "nothing retrieved"
    if best.score < threshold:
        return f"best evidence scores {best.score:.2f}"
    if not best.parts["covers"]:
        # the passage names who or what the question is about, but says nothing of what is asked
        return "the best passage mentions the subject but not what is asked"
    return None


@dataclass(frozen=True)
class Verdict:
    """The refusal gate's decision to refuse: why, and the best sentence's score (the record's grounding)."""

    reason: str
    confidence: float


class RefusalNode(TextNode):
    """What ``RefusalGate`` returns instead of the sentences it refused: its ``Verdict``, no text.

    The verdict travels on the node list, the one way from a postprocessor to the synthesizer, so the
    query stays the question's inputs and one engine can answer many questions at once."""

    verdict: Verdict = Field(exclude=True)

    @classmethod
    def class_name(cls) -> str:
        return "RefusalNode"


def verdict_of(nodes: list[NodeWithScore]) -> Verdict | None:
    """The gate's refusal when ``nodes`` is one (None: they are the evidence)."""
    if nodes and isinstance(nodes[0].node, RefusalNode):
        return nodes[0].node.verdict
    return None


def gated(nodes: list[NodeWithScore]) -> bool:
    """Whether ``nodes`` came out of the postprocessors (sentences or a refusal), not the retriever."""
    return bool(nodes) and isinstance(nodes[0].node, (SentenceNode, RefusalNode))


class RefusalGate(BaseNodePostprocessor):
    """Sentence nodes (best first) through unchanged, or one ``RefusalNode`` when the best one is no answer:
    the reader states the refusal, and the record says why."""

    threshold: float

    @classmethod
    def class_name(cls) -> str:
        return "RefusalGate"

    def _postprocess_nodes(
        self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None
    ) -> list[NodeWithScore]:
        best = candidates_of(nodes[:1])[0] if nodes else None
        reason = refusal_reason(best, self.threshold)
        if reason is None:
            return nodes
        verdict = Verdict(reason, best.score if best else 0.0)
        return [NodeWithScore(node=RefusalNode(id_="refusal", text="", verdict=verdict), score=verdict.confidence)]
