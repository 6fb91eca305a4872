"""Optional graded mode: LlamaIndex's ``CorrectnessEvaluator`` and ``FaithfulnessEvaluator``.

Off by default and only offered when a generative reader is configured: the judge is that
reader's LLM (``Service.llm``, a LlamaIndex ``LLM``). With the extractive reader there is no LLM on
the machine to judge with, so the mode says it is unavailable instead of inventing scores.

A small local model often answers a grading prompt with something other than "score, newline,
reasoning" (LlamaIndex's default parser then raises): the score is read as the first number from 1
to 5 in the reply, and replies with none are counted as ``unparsed``, not guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assistant.evaluation.metrics import QuestionScore


def judge_llm(svc: Any) -> tuple[Any | None, str | None]:
    """``(llm, None)`` when a judge is available, else ``(None, why not)``."""
    reader = svc.settings.reader
    if reader == "extractive":
        return None, (
            "graded mode (LLM judge) unavailable: it needs a generative reader (--reader llamacpp, openai or "
            "ollama); the extractive reader is not an LLM. The offline metrics do not need it."
        )
    llm = getattr(svc, "llm", None)
    if callable(llm) and not hasattr(llm, "complete"):
        llm = llm()
    if llm is None or not hasattr(llm, "complete"):
        return None, f"graded mode (LLM judge) unavailable: the {reader} reader exposes no LLM in this build"
    return llm, None


def parse_score(reply: str) -> tuple[float | None, str | None]:
    """The first score from 1 to 5 in a judge's reply (``None`` when it gives none), and the reply."""
    text = re.sub(r"\[\d+\]", " ", reply or "")  # citation markers quoted from the answer are no score
    m = re.search(r"(?<![\d.])([1-5](?:\.\d+)?)(?![\d.])", text)
    return (float(m.group(1)) if m else None), (reply or "").strip() or None


def grade(llm: Any, scores: Sequence[QuestionScore]) -> dict[str, Any]:
    """Mean correctness (1–5) against the reference answers, and the share judged faithful to the quotes."""
    from llama_index.core.evaluation import CorrectnessEvaluator, FaithfulnessEvaluator

    correctness = CorrectnessEvaluator(llm=llm, parser_function=parse_score)
    faithfulness = FaithfulnessEvaluator(llm=llm)
    correct: list[float] = []
    faithful: list[bool] = []
    unparsed = 0
    for s in scores:
        if s.record is None or not s.question.answerable or s.refused:
            continue
        answer = str(s.record.get("answer", ""))
        if s.question.reference_answer:
            result = correctness.evaluate(
                query=s.question.question, response=answer, reference=s.question.reference_answer
            )
            if result.score is not None:
                correct.append(float(result.score))
            else:
                unparsed += 1
        quotes = [str(c.get("quote", "")) for c in s.record.get("citations") or []]
        if quotes:
            result = faithfulness.evaluate(query=s.question.question, response=answer, contexts=quotes)
            faithful.append(bool(result.passing))
    return {
        "judge_correctness": sum(correct) / len(correct) if correct else None,
        "judge_faithfulness": sum(faithful) / len(faithful) if faithful else None,
        "judged": len(correct),
        "unparsed": unparsed,
    }
