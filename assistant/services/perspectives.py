"""The perspectives service: what the sources say, grouped by claim (``ask --perspectives``).

A thin wrapper over ``assistant.perspectives`` on the ask service's engine, for now.
"""

from __future__ import annotations

import time
from datetime import date

from assistant.records import AnswerRecord
from assistant.services.ask import AskService
from assistant.services.questions import clean_history, clean_question, condense, source_files


class PerspectivesService:
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
        from assistant.perspectives import perspectives_record

        question = clean_question(question)
        retriever, reader, _ = self.answers.engine()
        files = source_files(retriever, sources)
        t0 = time.perf_counter()
        standalone, _ = condense(reader, question, clean_history(history))
        return perspectives_record(
            question,
            standalone,
            retriever,
            reader,
            self.answers.components.reader_embed_model,
            sources=files,
            qid=qid,
            started=t0,
            as_of=as_of,
        )
