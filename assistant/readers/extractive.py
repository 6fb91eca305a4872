"""The default reader: picks the sentences of the retrieved passages that answer the question.

It never writes a word of its own: the answer is the chosen sentences, each cited to its file and
exact offsets. A sentence scores by embedding similarity to the question, by how much of the
question's informative vocabulary it (and, less, its neighbours) contains, and by whether it holds
the kind of answer asked for (a number, an age, a date). The same features decide refusal.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from llama_index.core.base.response.schema import Response
from llama_index.core.llms import MockLLM
from llama_index.core.response_synthesizers import BaseSynthesizer
from llama_index.core.schema import NodeWithScore, QueryBundle

from assistant.grounding import Evidence
from assistant.settings import Settings
from assistant.text import Span, content_terms, name_terms, question_type, split_sentences, type_present

MIN_WORDS = 4
# weights of the sentence score (tuned on the dev question set, see docs/)
W_EMB, W_LEX, W_CTX, W_RANK = 0.50, 0.35, 0.10, 0.05
TYPE_PENALTY = 0.6
DUPLICATE_JACCARD = 0.6
DUPLICATE_CONTAINMENT = 0.8
# question words found nowhere in the corpus: they weigh less in matching (paraphrases are common),
# but their share of the question lowers the confidence (unanswerable questions are often about them)
OOV_WEIGHT = 0.6
OOV_PENALTY = 0.15
# a further sentence joins the answer when it scores at least this share of the best one
SECOND_RATIO = 0.85
# sentences a chosen one may be extended by (to finish a quotation or give the 'why')
FOLLOW_MAX = 2
# candidate sentences embedded per question (the rest cannot win on lexical evidence alone)
EMBED_TOP = 12
# a sentence (with its neighbours) that says nothing of what is asked about the question's names
UNCOVERED_PENALTY = 0.7
# words a follow-up rewrite added from earlier turns weigh this much
CONTEXT_TERM_WEIGHT = 0.25


@dataclass
class Candidate:
    text: str
    source: str
    start: int
    end: int
    title: str | None
    rank: int
    terms: set[str]
    context_terms: set[str]
    score: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)
    #: the chunk the sentence came from (text and file offset), and the sentences after it there
    chunk_text: str = ""
    chunk_base: int = 0
    following: list[tuple[Span, bool]] = field(default_factory=list)
    date: str | None = None

    def extended(self, upto: Span) -> tuple[str, int]:
        """The exact file passage from this sentence through ``upto`` (a following sentence)."""
        return self.chunk_text[self.start - self.chunk_base : upto.end - self.chunk_base], upto.end


@dataclass
class Selection:
    """The reader's decision: evidence to cite (best first), or a refusal, and why."""

    evidence: list[Evidence]
    refused: bool
    confidence: float
    reason: str
    #: every scored sentence, best first (the direct answer is chosen among them)
    ranked: list[Candidate] = field(default_factory=list)


class EmbeddingCache:
    """Sentence embeddings kept across questions (sentences recur: the corpus is small and fixed)."""

    def __init__(self, embed_model: Any, size: int = 50_000) -> None:
        self.embed_model = embed_model
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, texts: list[str]) -> np.ndarray:
        """Embeddings of ``texts`` in order; safe to call from the web server's worker threads."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            found.update(zip(missing, self.embed_model.embed(missing), strict=True))
            with self._lock:
                for t in missing:
                    self._cache[t] = found[t]
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])


def _following(text: str, base: int, spans: list[Span], limit: int) -> list[tuple[Span, bool]]:
    """Up to ``limit`` sentences after ``spans[0]``, each flagged True when a line break comes before it."""
    return [
        (nxt, "\n" in text[prev.end - base : nxt.start - base]) for prev, nxt in itertools.pairwise(spans[: limit + 1])
    ]


def complete(c: Candidate, question: str) -> tuple[str, int]:
    """Extend a chosen sentence so the answer is whole: finish an open quotation (within its
    paragraph), and for 'why' questions take the next sentence when it carries the explanation (a
    quotation or a 'because')."""
    end_span = None
    opened = c.text.count("“") - c.text.count("”")
    for span, new_paragraph in c.following:
        if opened <= 0 or new_paragraph:
            break
        end_span = span
        opened += span.text.count("“") - span.text.count("”")
    if end_span is None and c.following and re.match(r"\s*why\b", question, re.I):
        nxt = c.following[0][0]
        if nxt.text.startswith(("“", '"')) or re.match(r"(because|since|as a result|that is why)\b", nxt.text, re.I):
            end_span = nxt
    if end_span is None:
        return c.text, c.end
    return c.extended(end_span)


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(len(a | b), 1)


def same_statement(a: set[str], b: set[str]) -> bool:
    """Near-duplicates: mostly the same words, or one (a caption, a short quote) contained in the other."""
    return jaccard(a, b) >= DUPLICATE_JACCARD or len(a & b) / max(min(len(a), len(b)), 1) >= DUPLICATE_CONTAINMENT


class ExtractiveReader(BaseSynthesizer):
    """A LlamaIndex response synthesizer that answers by citing sentences, never generating."""

    name = "extractive"

    def __init__(self, settings: Settings, embed_model: Any, stats: Any) -> None:
        super().__init__(llm=MockLLM())
        self.settings = settings
        self.embed_model = embed_model
        self.stats = stats
        self.cache = EmbeddingCache(embed_model)

    # -- LlamaIndex synthesizer interface -------------------------------------------------------
    def _get_prompts(self) -> dict[str, Any]:
        return {}

    def _update_prompts(self, prompts: dict[str, Any]) -> None:
        return None

    def get_response(self, query_str: str, text_chunks: Any, **kwargs: Any) -> str:
        """Plain-text use (no offsets): the chosen sentences joined."""
        from llama_index.core.schema import TextNode

        nodes = [NodeWithScore(node=TextNode(text=t, start_char_idx=0), score=1.0) for t in text_chunks]
        sel = self.select(query_str, nodes)
        return " ".join(e.text for e in sel.evidence)

    async def aget_response(self, query_str: str, text_chunks: Any, **kwargs: Any) -> str:
        return self.get_response(query_str, text_chunks, **kwargs)

    def synthesize(self, query: Any, nodes: list[NodeWithScore], *args: Any, **kwargs: Any) -> Response:
        query_str = query.query_str if isinstance(query, QueryBundle) else str(query)
        sel = self.select(query_str, nodes, focus=kwargs.get("focus"))
        metadata: dict[str, Any] = {"selection": sel}
        parts, span = self.direct(query_str, nodes, sel) if self.settings.direct_answer else ([], None)
        if parts:
            metadata["answer_sentences"] = parts
            if span and parts[0][0].startswith(span):
                metadata["direct_answer"] = span
        return Response(
            response=" ".join(t for t, _ in parts) if parts else " ".join(e.text for e in sel.evidence),
            source_nodes=list(nodes),
            metadata=metadata,
        )

    def direct(
        self, question: str, nodes: list[NodeWithScore], sel: Selection
    ) -> tuple[list[tuple[str, list[Evidence]]], str | None]:
        """The answer as ``[(text, [evidence])]``: the span that answers first, then the clauses of its
        sentence around it; the citation quotes the whole sentence. Empty when refused. Also the span."""
        from assistant.answering.direct import CONFIDENT, choose, lead

        if sel.refused or not sel.ranked:
            return [], None
        choice = choose(question, sel.ranked, nodes, self.cache.get)
        if choice is None or choice.span is None:
            # no model, or a why/how question: the selected sentences explain
            return [(e.text, [e]) for e in sel.evidence], None
        parts = [
            (lead(question, choice.span, sel.ranked[choice.sentence].text), [self._evidence(sel, choice.sentence)])
        ]
        if choice.confidence < CONFIDENT and choice.sentence != 0:
            parts.append((sel.ranked[0].text, [self._evidence(sel, 0)]))
        return parts, choice.span

    @staticmethod
    def _evidence(sel: Selection, i: int) -> Evidence:
        """The evidence for ranked sentence ``i``: the selection's own (with its duplicates elsewhere) if chosen."""
        c = sel.ranked[i]
        found = next((e for e in sel.evidence if e.source == c.source and e.start == c.start), None)
        return found or Evidence(c.text, c.source, c.start, c.end, c.score, c.title)

    # -- evidence selection ---------------------------------------------------------------------
    def candidates(self, nodes: list[NodeWithScore]) -> list[Candidate]:
        seen: set[tuple[str, int]] = set()
        out: list[Candidate] = []
        for rank, nws in enumerate(nodes):
            node = nws.node
            base = node.start_char_idx
            if base is None:
                continue
            source = node.metadata.get("source", node.ref_doc_id or "")
            chunk_text = node.get_content()
            spans = split_sentences(chunk_text, offset=base)
            for i, span in enumerate(spans):
                if (source, span.start) in seen or len(span.text.split()) < MIN_WORDS:
                    continue
                seen.add((source, span.start))
                ctx = " ".join(s.text for s in spans[max(0, i - 1) : i + 2] if s is not span)
                out.append(
                    Candidate(
                        text=span.text,
                        source=source,
                        start=span.start,
                        end=span.end,
                        title=node.metadata.get("title"),
                        rank=rank,
                        terms=set(content_terms(span.text)),
                        context_terms=set(content_terms(ctx)),
                        chunk_text=chunk_text,
                        chunk_base=base,
                        following=_following(chunk_text, base, spans[i:], FOLLOW_MAX),
                        date=node.metadata.get("date") or None,
                    )
                )
        return out

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
                or float(sim) >= self.settings.cover_similarity
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

    def ranked(self, question: str, nodes: list[NodeWithScore], focus: str | None = None) -> list[Candidate]:
        """Every sentence of the retrieved passages, scored, best first."""
        cands = self.candidates(nodes)
        self.score(question, cands, focus)
        cands.sort(key=lambda c: c.score, reverse=True)
        return cands

    def select(self, question: str, nodes: list[NodeWithScore], focus: str | None = None) -> Selection:
        cands = self.ranked(question, nodes, focus)
        if not cands:
            return Selection([], True, 0.0, "nothing retrieved")
        best = cands[0]
        if best.score < self.settings.refusal_threshold:
            return Selection([], True, best.score, f"best evidence scores {best.score:.2f}")
        if not best.parts["covers"]:
            # the passage names who or what the question is about, but says nothing of what is asked
            return Selection([], True, best.score, "the best passage mentions the subject but not what is asked")

        chosen: list[Evidence] = []
        chosen_terms: list[set[str]] = []
        for c in cands:
            if c.score < max(self.settings.refusal_threshold, SECOND_RATIO * best.score):
                break
            dup = next((i for i, t in enumerate(chosen_terms) if same_statement(t, c.terms)), None)
            text, end = complete(c, question)
            ev = Evidence(text, c.source, c.start, end, c.score, c.title)
            if dup is not None:
                # the same statement in another file: one fact, cited with every file that states it
                if all(e.source != c.source for e in [chosen[dup], *chosen[dup].also]):
                    chosen[dup].also.append(ev)
                continue
            if len(chosen) >= self.settings.max_sentences:
                continue
            chosen.append(ev)
            chosen_terms.append(c.terms)
        return Selection(chosen, False, best.score, "ok", ranked=cands)
