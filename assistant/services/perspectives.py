"""The perspectives service: what the sources say, grouped by claim (``ask --perspectives``).

One question on the ask service's own engine in its "perspectives" mode (``assistant.engine.Reading``,
``assistant.perspectives.pipeline.PerspectivesReader``): the same checks, condensing, retriever and
record as a plain answer; only the synthesizer and the retrieval depth differ.
"""

from __future__ import annotations

from datetime import date

from assistant.records import AnswerRecord
from assistant.services.ask import AskService


class PerspectivesService:
    """The perspectives feature over the ask service (its engine is built once per store version)."""

    def __init__(self, answers: AskService) -> None:
        self.answers = answers

    def perspectives(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        sources: list[str] | None = None,
        qid: str | None = None,
        as_of: str | date | None = None,
    ) -> AnswerRecord:
        """The evidence grouped by claim, with the files that support and contradict each. The record's
        ``claims`` hold citation numbers; refusals as in ``AskService.ask``."""
        return self.answers.ask(question, history, qid=qid, sources=sources, as_of=as_of, mode="perspectives")
