"""The checks a generated sentence must pass before it reaches the user (``GenerativeReader.ground``).

Support alone (``assistant.grounding.align``) is not enough for a small model's sentence: it must
rest on the extractive reader's best evidence, answer the question at least about as well, hold the
kind of answer asked for, and not be a question or a refusal.
"""

from __future__ import annotations

import re
from typing import Any

from llama_index.core.schema import NodeWithScore

from assistant.grounding import Alignment, Evidence, align
from assistant.readers.candidates import DUPLICATE_JACCARD, Candidate, jaccard
from assistant.text import content_terms, question_type, split_sentences, type_present

#: a kept sentence, scored as an answer itself, must reach this share of the best evidence's score ...
RELEVANCE_RATIO = 0.7
#: ... when it is a sentence at all (this many words); a shorter answer phrase must be quoted verbatim
MIN_SENTENCE_WORDS = 6


class GroundingChecks:
    """Mixed into ``GenerativeReader`` (uses its ``extractive`` reader)."""

    extractive: Any

    def ground(
        self,
        generated: str,
        facts: list[Evidence],
        nodes: list[NodeWithScore],
        anchors: set[tuple[str, int]],
        question: str = "",
        focus: str | None = None,
    ) -> list[Alignment]:
        """Align the generated sentences to the facts shown to the model, then keep only real answers.

        Beyond support (``align``), a kept sentence must rest on the extractive reader's best
        sentence (an ``anchor``, not a side remark), must itself answer the question by the
        extractive reader's own measure, must hold the kind of answer asked for (a number, a date,
        a name for 'who'), and must not be a question or a refusal.
        """
        sentences = [s.text for s in split_sentences(generated)]
        passages = [n.node.get_content() for n in nodes]
        alignments = align(sentences, facts, self.extractive.cache.get, passages, question=focus or question)
        best = max((f.score for f in facts), default=0.0)
        for a in alignments:
            if not a.supported:
                continue
            problem = self._answer_problem(a, question, anchors, best, focus)
            if problem:
                a.supported, a.evidence, a.reason = False, [], problem
        self._add_duplicates(alignments, nodes)
        return alignments

    def _answer_problem(
        self, a: Alignment, question: str, anchors: set[tuple[str, int]], best: float, focus: str | None
    ) -> str:
        text = a.text.strip()
        if text.endswith("?") or re.search(r"\b(don't|do not|does not|doesn't) say\b", text, re.I):
            return "not an answer"
        if not any((e.source, e.start) in anchors for e in a.evidence):
            return "rests on no top evidence sentence"
        if not question:
            return ""
        qtype = question_type(focus or question)
        if qtype and not type_present(qtype, text):
            return f"states no {qtype}"
        if re.match(r"\s*who\b", question, re.I) and not (names_in_text(text) - names_in_text(question)):
            return "names nobody new"
        if len(text.split()) < MIN_SENTENCE_WORDS:
            # a short answer phrase ("The New York Times.") repeats no question words to judge it by:
            # it must be quoted from its evidence as it stands
            phrase = re.sub(r"^(the|a|an)\s+|[.!]+$", "", text, flags=re.I).strip().lower()
            if not any(phrase in e.text.lower() for e in a.evidence):
                return "short answer not quoted from its evidence"
            return ""
        probe = Candidate(text, "", 0, 0, None, 0, set(content_terms(text)), set())
        self.extractive.score(question, [probe], focus=focus)
        if probe.score < RELEVANCE_RATIO * best:
            return f"answers the question less well ({probe.score:.2f}) than the evidence ({best:.2f})"
        return ""

    def _add_duplicates(self, alignments: list[Alignment], nodes: list[NodeWithScore]) -> None:
        """The same statement in other files is cited with them, as the extractive reader does."""
        from assistant.text import content_terms

        others = self.extractive.candidates(nodes)
        for a in alignments:
            for ev in a.evidence:
                if ev.also:
                    continue  # the extractive reader already found its duplicates
                terms = set(content_terms(ev.text))
                for c in others:
                    if c.source == ev.source or any(x.source == c.source for x in ev.also):
                        continue
                    if jaccard(terms, c.terms) >= DUPLICATE_JACCARD:
                        ev.also.append(Evidence(c.text, c.source, c.start, c.end, ev.score, c.title))


def names_in_text(text: str) -> set[str]:
    """Capitalised words (names) of a text, lower-cased, without the first word of each sentence."""
    found: set[str] = set()
    for span in split_sentences(text):
        for i, m in enumerate(re.finditer(r"[A-Za-z][\w’'\-]*", span.text)):
            if i > 0 and m.group(0)[0].isupper():
                found.add(re.sub(r"[’']s$", "", m.group(0)).lower())
    return found
