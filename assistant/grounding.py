"""Turn selected evidence into an answer with ``[n]`` markers and verified citations.

Shared by every reader: markers are numbered 1..k in order of first use, every marker has a
citation, every citation is used, and every quote is checked against the stored passage text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.records import Citation

REFUSAL = "The articles don't say."


@dataclass
class Evidence:
    """One sentence of one file that supports the answer, with near-identical statements elsewhere."""

    text: str
    source: str
    start: int
    end: int
    score: float
    title: str | None = None
    also: list[Evidence] = field(default_factory=list)


@dataclass
class Grounded:
    answer: str
    citations: list[Citation]


def number_citations(evidence: list[Evidence]) -> Grounded:
    """Compose the extractive answer: each evidence sentence followed by its citation markers."""
    return compose([(ev.text, [ev]) for ev in evidence])


def refusal_text(question: str) -> str:
    return f"{REFUSAL} None of the ingested articles answers: “{question.strip()}”"


# -- generated answers (issue 6): align each sentence to the passages that support it ---------------

#: a generated sentence is kept when its best-supporting sentences cover this share of its words
#: (of the words it adds to the question, when the question is given) ...
MIN_COVERAGE = 0.75
#: ... and its support score (0.6 coverage + 0.4 embedding similarity) reaches this
MIN_SUPPORT = 0.5
#: a further evidence sentence joins when it covers words the first does not and reaches this
MIN_EXTRA_SUPPORT = 0.5
_NUMBER_RE = re.compile(r"\d[\d,.]*\d|\d")
_NAME_RE = re.compile(r"\b[A-Z][A-Za-z’'\-]*[A-Za-z]")


@dataclass
class Alignment:
    """One generated sentence, the evidence that supports it (best first), and the verdict."""

    text: str
    evidence: list[Evidence]
    supported: bool
    support: float
    reason: str


def unsupported_facts(sentence: str, passages: list[str], cited: list[str] | None = None) -> list[str]:
    """Numbers and capitalised names in ``sentence`` that appear in none of ``passages``.

    Such a token is the typical invention of a small model (a wrong count, a made-up person),
    so one of them is enough to call the sentence unsupported. Given ``cited`` (the evidence the
    sentence will be cited with), numbers must appear there: a count is only as good as its citation.
    """
    from assistant.text import STOPWORDS

    haystack = " ".join(passages)
    digits = {re.sub(r"[,.]", "", m) for m in _NUMBER_RE.findall(" ".join(cited) if cited is not None else haystack)}
    lower = haystack.lower()
    missing: list[str] = []
    for num in _NUMBER_RE.findall(sentence):
        if re.sub(r"[,.]", "", num) not in digits:
            missing.append(num)
    for name in _NAME_RE.findall(sentence):
        word = re.sub(r"[’']s$", "", name)
        if word.lower() in STOPWORDS or word.lower() in ("yes", "no") or len(word) < 2:
            continue
        parts = [word, *word.split("-")]
        if not any(re.search(rf"(?<![A-Za-z]){re.escape(p.lower())}(?![A-Za-z])", lower) for p in parts if p):
            missing.append(word)
    return list(dict.fromkeys(missing))


def align(
    sentences: list[str],
    candidates: list[Evidence],
    embed: Callable[[list[str]], Any],
    passages: list[str],
    max_evidence: int = 2,
    question: str = "",
) -> list[Alignment]:
    """Align each generated sentence to the candidate sentences that support it.

    Support mixes lexical coverage (the share of the sentence's content words found in the
    evidence) with embedding similarity; a second evidence sentence is added only when it covers
    words the first does not. A sentence is unsupported when coverage or support is too low, or
    when it holds a name found in no retrieved passage or a number its evidence does not state.
    Given the ``question``, words the sentence merely repeats from it do not count as support:
    coverage is measured on the words it adds (what it claims), and one that adds nothing is no answer.
    """
    from assistant.text import content_terms

    out: list[Alignment] = []
    if not sentences:
        return out
    asked = set(content_terms(question))
    cand_terms = [set(content_terms(c.text)) for c in candidates]
    vecs = embed(list(sentences) + [c.text for c in candidates])
    for i, sentence in enumerate(sentences):
        terms = set(content_terms(sentence)) - asked if asked else set(content_terms(sentence))
        if not terms or not candidates:
            why = "adds nothing to the question" if asked and not terms else "no content words"
            out.append(Alignment(sentence, [], False, 0.0, why if not terms else "no evidence"))
            continue
        sims = [float(vecs[len(sentences) + j] @ vecs[i]) for j in range(len(candidates))]
        scored = sorted(
            range(len(candidates)),
            key=lambda j: 0.6 * len(terms & cand_terms[j]) / len(terms) + 0.4 * sims[j],
            reverse=True,
        )
        best = scored[0]
        chosen = [best]
        covered = terms & cand_terms[best]
        for j in scored[1:]:
            if len(chosen) >= max_evidence:
                break
            gain = (terms & cand_terms[j]) - covered
            if gain and 0.6 * len(terms & cand_terms[j]) / len(terms) + 0.4 * sims[j] >= MIN_EXTRA_SUPPORT:
                chosen.append(j)
                covered |= gain
        coverage = len(covered) / len(terms)
        support = 0.6 * coverage + 0.4 * sims[best]
        invented = unsupported_facts(sentence, passages, cited=[candidates[j].text for j in chosen])
        if invented:
            verdict, reason = False, f"not in the passages: {', '.join(invented)}"
        elif coverage < MIN_COVERAGE or support < MIN_SUPPORT:
            verdict, reason = False, f"weak support ({support:.2f}, coverage {coverage:.2f})"
        else:
            verdict, reason = True, "ok"
        evidence = [candidates[j] for j in chosen] if verdict else []
        out.append(Alignment(sentence, evidence, verdict, round(support, 4), reason))
    return out


class CitationList:
    """Citations numbered 1..k in order of first use; a passage cited again keeps its number."""

    def __init__(self) -> None:
        self.items: list[Citation] = []
        self._seen: dict[tuple[str, int, int], int] = {}

    def number(self, source: str, start: int, end: int, quote: str, score: float, **extra: Any) -> int:
        key = (source, start, end)
        if key not in self._seen:
            self._seen[key] = len(self.items) + 1
            self.items.append(
                Citation(
                    n=self._seen[key],
                    source=source,
                    start=start,
                    end=end,
                    quote=quote,
                    score=round(float(score), 4),
                    **extra,
                )
            )
        return self._seen[key]


def compose(sentences: list[tuple[str, list[Evidence]]]) -> Grounded:
    """Compose an answer: each sentence as written, followed by the markers of its evidence.

    Markers are 1..k in order of first use, each citation once, every quote the evidence's exact text.
    """
    cites = CitationList()
    parts: list[str] = []
    for text, evidence in sentences:
        markers = [
            f"[{cites.number(i.source, i.start, i.end, i.text, i.score, title=i.title)}]"
            for ev in evidence
            for i in [ev, *ev.also]
        ]
        parts.append(f"{text.strip()} {''.join(dict.fromkeys(markers))}".strip())
    return Grounded(answer=" ".join(parts), citations=cites.items)
