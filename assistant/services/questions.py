"""What a question must be before it is asked: checked text, a clean history, known sources, and the
standalone form of a follow-up (condensed by the rules, rewritten by a generative reader's model)."""

from __future__ import annotations

from typing import Any

from assistant.errors import UsageError

MAX_QUESTION_CHARS = 2000


class QuestionError(UsageError, ValueError):
    """The question cannot be asked as given (empty, unusable); the message says why."""


def clean_question(question: str) -> str:
    cleaned = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in (question or "")).strip()
    if not cleaned:
        raise QuestionError("the question is empty")
    if not any(ch.isalnum() for ch in cleaned):
        raise QuestionError("the question has no words in it")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is too long ({len(cleaned)} characters; at most {MAX_QUESTION_CHARS})")
    return cleaned


def source_files(retriever: Any, sources: list[str] | None) -> list[str] | None:
    """The ingested files a source filter names (None: no filter); unknown names are a ``QuestionError``."""
    if not sources:
        return None
    files, unknown = retriever.resolve_sources(sources)
    if unknown:
        raise QuestionError(
            f"no ingested article matches source {', '.join(repr(u) for u in unknown)} "
            "(give a file name, the start of one, or an outlet the article names)"
        )
    return files


def clean_history(history: list[dict[str, str]] | None) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for turn in history or []:
        if (
            isinstance(turn, dict)
            and turn.get("role") in ("user", "assistant")
            and isinstance(turn.get("content"), str)
        ):
            out.append({"role": turn["role"], "content": turn["content"]})
    return out


def condense(reader: Any, question: str, history: list[dict[str, str]]) -> tuple[str, str | None]:
    """The standalone question and who wrote it: the rules decide whether the question depends on the
    conversation; a generative reader's model then writes the rewrite (kept if it is one)."""
    from assistant.condense import condense as condense_by_rules

    standalone = condense_by_rules(question, history)
    if standalone == question:
        return question, None
    llm = getattr(reader, "judge_llm", None)
    if llm is None:
        return standalone, "rules"
    from assistant.readers.condense_llm import condense_with_llm

    try:
        model = llm()
    except Exception:  # no model now: the rules' rewrite, the reader reports its own failure
        return standalone, "rules"
    return condense_with_llm(model, question, history, standalone)
