"""The public answer record of FORMATS.md (section 2), JSON in and out.

Field names and meanings are a contract with outside scripts: add fields, never rename.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field


class Citation(BaseModel):
    """One cited passage: ``quote == file_text[start:end]``, always."""

    n: int
    source: str
    start: int
    end: int
    quote: str
    score: float = 0.0
    title: str | None = None
    #: the outlet and date the article states for itself (store.metadata), when it does
    outlet: str | None = None
    date: str | None = None


class Claim(BaseModel):
    """A claim and the citation numbers that support or contradict it (perspectives mode)."""

    claim: str
    supporting: list[int] = Field(default_factory=list)
    contradicting: list[int] = Field(default_factory=list)


class Retrieved(BaseModel):
    """One retrieved passage, in rank order: lets evaluation score retrieval apart from answers."""

    source: str
    start: int
    end: int
    score: float


class AnswerRecord(BaseModel):
    """What ``ask --json`` prints and ``eval`` writes one a line."""

    id: str | None = None
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    reader: str = "extractive"
    latency_s: float = 0.0
    standalone_question: str | None = None
    #: who wrote ``standalone_question``: "rules", or "llm" (the generative reader's model)
    condensed_by: str | None = None
    grounding: str | None = None
    retrieved: list[Retrieved] = Field(default_factory=list)
    claims: list[Claim] | None = None
    bottom_line: str | None = None
    #: the short answer the extractive reader leads with (a name, number, date): verbatim cited text
    direct_answer: str | None = None
    #: why a generative reader's model gave no answer (crash, hang, unreachable): the text is extractive
    reader_error: str | None = None
    #: generated sentences withdrawn by grounding: ``{"text", "reason"}`` (never part of ``answer``)
    withdrawn: list[dict[str, str]] = Field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = self.model_dump()
        if data.get("id") is None:
            data.pop("id")
        if data.get("claims") is None:
            data.pop("claims")
        return data

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnswerRecord:
        return cls.model_validate(data)
