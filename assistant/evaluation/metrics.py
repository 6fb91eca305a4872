"""Scores for answer records, computed without an LLM judge (offline, reproducible).

Where ``/work/shared/tools/check_answers.py`` (the outside checker) computes the same figure, the
definition here is the same: answer accuracy, citation recall (its ``source_recall``), pooled
citation precision, correct refusals and false refusals. Retrieval hit rate and MRR use
LlamaIndex's ``HitRate`` / ``MRR`` metric classes, with files (not chunks) as the ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.evaluation.questions import Question

TextOf = Callable[[str], "str | None"]


@dataclass(frozen=True)
class MetricInfo:
    """How a metric is named, shown and judged."""

    key: str
    label: str
    kind: str  # "rate" (0..1) or "seconds"
    higher_is_better: bool
    help: str


METRICS: list[MetricInfo] = [
    MetricInfo("answer_accuracy", "answer accuracy", "rate", True, "answerable: every keyword present, not refused"),
    MetricInfo(
        "first20_accuracy", "key fact in first 20 words", "rate", True, "answerable: keywords in the first 20 words"
    ),
    MetricInfo("answer_words_median", "median answer words", "words", False, "answered questions, markers excluded"),
    MetricInfo("citation_precision", "citation precision", "rate", True, "cited files that are expected (pooled)"),
    MetricInfo("citation_recall", "citation recall", "rate", True, "answerable questions citing an expected file"),
    MetricInfo("quote_validity", "quote validity", "rate", True, "citations whose quote is file[start:end]"),
    MetricInfo("hit_rate", "retrieval hit rate@k", "rate", True, "an expected file among the k retrieved passages"),
    MetricInfo("mrr", "retrieval MRR@k", "rate", True, "1 / rank of the first expected file (ranked by file)"),
    MetricInfo("refusal_correct", "correct refusals", "rate", True, "unanswerable questions that were refused"),
    MetricInfo("false_refusal", "false refusals", "rate", False, "answerable questions that were refused"),
    MetricInfo("pass_rate", "questions passed", "rate", True, "questions with no failure reason"),
    MetricInfo("latency_p50", "latency p50", "seconds", False, "median seconds per question"),
    MetricInfo("latency_p95", "latency p95", "seconds", False, "95th percentile seconds per question"),
]
METRIC_BY_KEY = {m.key: m for m in METRICS}


def keyword_present(answer: str, keyword: str) -> bool:
    """One ``answer_keywords`` entry: case-insensitive substring, ``a|b`` = either."""
    text = answer.lower()
    return any(alt.strip().lower() in text for alt in keyword.split("|"))


def missing_keywords(answer: str, keywords: Sequence[str]) -> list[str]:
    return [kw for kw in keywords if not keyword_present(answer, kw)]


def keywords_ok(answer: str, keywords: Sequence[str]) -> bool:
    return not missing_keywords(answer, keywords)


def answer_words(answer: str) -> list[str]:
    """The answer's words, citation markers left out (what a reader reads)."""
    return re.sub(r"\[\d+\]", " ", answer).split()


def ranked_files(retrieved: Sequence[dict[str, Any]], k: int | None = None) -> list[str]:
    """Distinct files of the top-k retrieved passages, in order of their best rank."""
    files: list[str] = []
    for item in list(retrieved)[:k] if k else retrieved:
        source = item.get("source")
        if isinstance(source, str) and source not in files:
            files.append(source)
    return files


def retrieval_scores(
    expected: Sequence[str], retrieved: Sequence[dict[str, Any]], k: int | None
) -> tuple[float, float]:
    """(hit, reciprocal rank) by file with LlamaIndex's metric classes; 0 when nothing was retrieved."""
    from llama_index.core.evaluation.retrieval.metrics import MRR, HitRate

    files = ranked_files(retrieved, k)
    if not files or not expected:
        return 0.0, 0.0
    hit = HitRate().compute(expected_ids=list(expected), retrieved_ids=files).score
    rr = MRR().compute(expected_ids=list(expected), retrieved_ids=files).score
    return float(hit), float(rr)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default method); ``None`` for no values."""
    data = sorted(values)
    if not data:
        return None
    pos = (len(data) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def _short(keyword: str) -> str:
    alts = [a.strip() for a in keyword.split("|")]
    return " or ".join(repr(a) for a in alts)


@dataclass
class QuestionScore:
    """One question's outcome: the figures it adds to the metrics and why it failed, in words."""

    question: Question
    record: dict[str, Any] | None
    error: str | None = None
    refused: bool = False
    accurate: bool = False
    accurate_first20: bool = False
    answer_words: int | None = None
    cites_expected: bool = False
    cited: list[str] = field(default_factory=list)
    cited_ok: int = 0
    quotes_total: int = 0
    quotes_valid: int = 0
    hit: float | None = None
    rr: float | None = None
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.reasons

    @property
    def latency(self) -> float | None:
        value = (self.record or {}).get("latency_s")
        return float(value) if isinstance(value, int | float) else None


def score_question(
    question: Question, record: dict[str, Any] | None, text_of: TextOf, k: int | None = None, error: str | None = None
) -> QuestionScore:
    """Score one answer record against its question (``record`` None when asking it failed)."""
    s = QuestionScore(question=question, record=record, error=error)
    if record is None:
        s.reasons.append(f"not answered: {error or 'no answer record'}")
        if question.answerable:
            s.hit, s.rr = 0.0, 0.0
        return s
    answer = str(record.get("answer") or "")
    if not record.get("refused"):
        s.answer_words = len(answer_words(answer))
    citations = [c for c in record.get("citations") or [] if isinstance(c, dict)]
    s.refused = bool(record.get("refused"))
    s.cited = [str(c.get("source")) for c in citations]
    expected = set(question.expected_sources)
    for c in citations:
        s.quotes_total += 1
        text = text_of(str(c.get("source")))
        start, end = c.get("start"), c.get("end")
        if text is None:
            s.reasons.append(f"citation [{c.get('n')}] names unknown file {c.get('source')!r}")
        elif (
            isinstance(start, int) and isinstance(end, int) and 0 <= start <= end and text[start:end] == c.get("quote")
        ):
            s.quotes_valid += 1
        else:
            s.reasons.append(f"quote [{c.get('n')}] is not {c.get('source')}[{start}:{end}]")
    if question.answerable:
        s.hit, s.rr = retrieval_scores(question.expected_sources, record.get("retrieved") or [], k)
        missing = missing_keywords(answer, question.answer_keywords)
        s.accurate = not missing and not s.refused
        s.accurate_first20 = s.accurate and keywords_ok(" ".join(answer_words(answer)[:20]), question.answer_keywords)
        s.cites_expected = any(src in expected for src in s.cited)
        s.cited_ok = sum(src in expected for src in s.cited)
        if s.refused:
            s.reasons.insert(0, "false refusal")
            if record.get("grounding"):
                s.notes.append(f"refused because: {record['grounding']}")
        else:
            s.reasons[:0] = [f"missing keyword {_short(kw)}" for kw in missing]
            wrong = sorted({src for src in s.cited if src not in expected})
            if not s.cited:
                s.reasons.append("no citation")
            elif not s.cites_expected:
                s.reasons.append(f"cited wrong file ({', '.join(wrong)})")
            elif wrong:
                s.notes.append(f"also cited {', '.join(wrong)} (not expected)")
        if s.hit == 0.0:
            s.notes.append("no expected file retrieved")
    elif not s.refused:
        s.reasons.insert(0, "should have refused")
    return s


def _rate(num: float, den: int) -> float | None:
    return num / den if den else None


def aggregate(scores: Sequence[QuestionScore]) -> dict[str, Any]:
    """The metric values of one configuration (``None`` where a metric has no denominator)."""
    answerable = [s for s in scores if s.question.answerable]
    unanswerable = [s for s in scores if not s.question.answerable]
    cited = sum(len(s.cited) for s in answerable)
    cited_ok = sum(s.cited_ok for s in answerable)
    quotes = sum(s.quotes_total for s in scores)
    latencies = [s.latency for s in scores if s.latency is not None]
    retrieval = [s for s in answerable if s.hit is not None]
    return {
        "questions": len(scores),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "errors": sum(s.error is not None for s in scores),
        "citations": quotes,
        "answer_accuracy": _rate(sum(s.accurate for s in answerable), len(answerable)),
        # pooled over every citation of the answerable questions, as check_answers.py does
        "first20_accuracy": _rate(sum(s.accurate_first20 for s in answerable), len(answerable)),
        "answer_words_median": percentile([s.answer_words for s in scores if s.answer_words is not None], 50),
        "citation_precision": (cited_ok / cited if cited else (0.0 if answerable else None)),
        "citation_recall": _rate(sum(s.cites_expected for s in answerable), len(answerable)),
        "quote_validity": _rate(sum(s.quotes_valid for s in scores), quotes),
        "hit_rate": _rate(sum(s.hit or 0.0 for s in retrieval), len(retrieval)),
        "mrr": _rate(sum(s.rr or 0.0 for s in retrieval), len(retrieval)),
        "refusal_correct": _rate(sum(s.refused for s in unanswerable), len(unanswerable)),
        "false_refusal": _rate(sum(s.refused for s in answerable), len(answerable)),
        "pass_rate": _rate(sum(s.passed for s in scores), len(scores)),
        "latency_p50": percentile(latencies, 50),
        "latency_p95": percentile(latencies, 95),
        "latency_mean": (sum(latencies) / len(latencies)) if latencies else None,
        "latency_max": max(latencies) if latencies else None,
    }


def format_value(key: str, value: Any) -> str:
    """A metric value for tables: rates as 0.00, seconds as 0.000 s, missing as n/a."""
    if value is None:
        return "n/a"
    info = METRIC_BY_KEY.get(key)
    if info is not None and info.kind == "seconds":
        return f"{value:.3f} s"
    if info is not None and info.kind == "words":
        return f"{value:.1f}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
