"""Load a question set (FORMATS.md section 1), one clear message per unusable line.

A bad line never stops the run: it is reported with its line number and skipped, so one typo in
a 200-question file costs one question, not the evaluation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.recency import is_date

ARTICLE_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class Question:
    """One validated question; ``line`` is its 1-based line in the file (for messages)."""

    id: str
    question: str
    expected_sources: list[str]
    answer_keywords: list[str]
    answerable: bool
    reference_answer: str = ""
    history: list[dict[str, str]] = field(default_factory=list)
    line: int = 0
    #: the day the question was asked (``YYYY-MM-DD``): the answer is what was true then (FORMATS.md)
    asked_on: str | None = None
    #: perspectives sets only: the files that state and that dispute the question's claim, and the split
    #: ("build", "heldout", "train") a row is reported under (``eval --perspectives``)
    expected_supporting: list[str] = field(default_factory=list)
    expected_contradicting: list[str] = field(default_factory=list)
    split: str = ""


@dataclass(frozen=True)
class LineProblem:
    """A line that was skipped, and why."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class QuestionFileError(ValueError):
    """The file cannot be read at all (missing, not UTF-8)."""


def corpus_checker(corpus_dir: Path) -> Callable[[str], bool]:
    """A test for 'is this a file name of the corpus?', as ingest names files (relative, posix)."""
    root = corpus_dir.resolve()

    def known(name: str) -> bool:
        try:
            path = (root / name).resolve()
        except (OSError, ValueError):
            return False
        return root in path.parents and path.is_file() and path.suffix.lower() in ARTICLE_SUFFIXES

    return known


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def parse_question(data: Any, line: int, known_source: Callable[[str], bool] | None = None) -> Question:
    """Validate one decoded line; raises ``ValueError`` with a message that says what to fix."""
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {_type_name(data)}")
    required: dict[str, tuple[type, str]] = {
        "id": (str, "a string"),
        "question": (str, "a string"),
        "answerable": (bool, "true or false"),
    }
    for name, (kind, wanted) in required.items():
        if name not in data:
            raise ValueError(f"missing field {name!r}")
        if not isinstance(data[name], kind):
            raise ValueError(f"field {name!r} must be {wanted}, not {_type_name(data[name])}")
    if not data["id"].strip():
        raise ValueError("field 'id' is empty")
    if not any(ch.isalnum() for ch in data["question"]):
        raise ValueError("field 'question' has no words in it")
    for name in ("expected_sources", "answer_keywords"):
        if name not in data:
            raise ValueError(f"missing field {name!r}")
        if not _str_list(data[name]):
            raise ValueError(f"field {name!r} must be a list of strings")
    reference = data.get("reference_answer", "")
    if reference is None:
        reference = ""
    if not isinstance(reference, str):
        raise ValueError(f"field 'reference_answer' must be a string, not {_type_name(reference)}")
    history = data.get("history") or []
    if not isinstance(history, list):
        raise ValueError("field 'history' must be a list of {role, content} turns")
    for i, turn in enumerate(history, 1):
        if (
            not isinstance(turn, dict)
            or turn.get("role") not in ("user", "assistant")
            or not isinstance(turn.get("content"), str)
        ):
            raise ValueError(f"history turn {i} must be {{'role': 'user'|'assistant', 'content': str}}")
    asked_on = data.get("asked_on")
    if asked_on is not None and not (isinstance(asked_on, str) and is_date(asked_on)):
        raise ValueError(f"field 'asked_on' must be a date YYYY-MM-DD (e.g. 2023-01-31), not {asked_on!r}")
    sources = data["expected_sources"]
    if data["answerable"] and not sources:
        raise ValueError("an answerable question needs at least one file in 'expected_sources'")
    if not data["answerable"] and sources:
        raise ValueError("an unanswerable question ('answerable': false) must have empty 'expected_sources'")
    if known_source is not None:
        unknown = [s for s in sources if not known_source(s)]
        if unknown:
            raise ValueError(f"unknown source file(s) in 'expected_sources': {', '.join(map(repr, unknown))}")
    if any(not alt.strip() for kw in data["answer_keywords"] for alt in kw.split("|")):
        raise ValueError("'answer_keywords' has an empty entry (or an empty alternative around '|')")
    return Question(
        id=data["id"],
        question=data["question"],
        expected_sources=list(sources),
        answer_keywords=list(data["answer_keywords"]),
        answerable=data["answerable"],
        reference_answer=reference,
        history=[{"role": t["role"], "content": t["content"]} for t in history],
        line=line,
        asked_on=asked_on,
        expected_supporting=[str(x) for x in data.get("expected_supporting") or []],
        expected_contradicting=[str(x) for x in data.get("expected_contradicting") or []],
        split=str(data.get("split") or ""),
    )


def load_questions(
    path: Path, known_source: Callable[[str], bool] | None = None
) -> tuple[list[Question], list[LineProblem]]:
    """Every usable question of a JSON Lines file, and one problem per skipped line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise QuestionFileError(f"question file not found: {path}") from exc
    except IsADirectoryError as exc:
        raise QuestionFileError(f"{path} is a folder, not a question file") from exc
    except UnicodeDecodeError as exc:
        raise QuestionFileError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise QuestionFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    questions: list[Question] = []
    problems: list[LineProblem] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(LineProblem(number, f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        try:
            question = parse_question(data, number, known_source)
        except ValueError as exc:
            qid = data.get("id") if isinstance(data, dict) else None
            prefix = f"question {qid!r}: " if isinstance(qid, str) and qid else ""
            problems.append(LineProblem(number, prefix + str(exc)))
            continue
        if question.id in seen:
            problems.append(
                LineProblem(number, f"duplicate id {question.id!r} (first used on line {seen[question.id]})")
            )
            continue
        seen[question.id] = number
        questions.append(question)
    return questions, problems
