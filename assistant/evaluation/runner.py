"""Run a question set through ``Service.ask`` for one or more configurations, and score it.

A configuration is a set of settings overrides (``k=3``, ``reader=extractive``,
``max_sentences=1`` …) on top of the command's own flags; each gets its own ``Service`` built from
``load_settings(**overrides)``, so comparisons exercise exactly the code ``ask`` and the web chat run.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.evaluation.metrics import QuestionScore, aggregate, score_question
from assistant.evaluation.questions import Question

#: Short names accepted in ``--compare`` specs.
ALIASES = {"k": "top_k", "topk": "top_k", "sentences": "max_sentences", "threshold": "refusal_threshold"}
#: Settings that change what is in the store: a configuration that overrides them gets its own store.
INGEST_KEYS = ("chunk_size", "chunk_overlap", "corpus_dir", "max_file_mb")
#: Settings shown for each configuration in the summary and the report.
SHOWN_KEYS = ("reader", "top_k", "max_sentences", "refusal_threshold", "chunk_size", "chunk_overlap")


class CompareSpecError(ValueError):
    """A ``--compare`` value that cannot be turned into settings overrides."""


@dataclass
class Configuration:
    """One column of the comparison: a label and the settings overrides behind it."""

    label: str
    overrides: dict[str, str] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        text = "_".join(f"{k}-{v}" for k, v in self.overrides.items()) or self.label
        return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:80] or "config"


def parse_spec(spec: str, known: Sequence[str]) -> Configuration:
    """``"k=3, max_sentences=1"`` → overrides ``{"top_k": "3", "max_sentences": "1"}``."""
    overrides: dict[str, str] = {}
    parts = [p for p in re.split(r"[,\s]+", spec.strip()) if p]
    if not parts or spec.strip().lower() in ("default", "base"):
        return Configuration(label="default")
    for part in parts:
        key, sep, value = part.partition("=")
        if not sep or not key or not value:
            raise CompareSpecError(
                f"--compare {spec!r}: expected NAME=VALUE pairs such as 'k=3' or 'reader=extractive'"
            )
        name = key.strip().lower().replace("-", "_")
        name = ALIASES.get(name, name)
        if name not in known:
            raise CompareSpecError(
                f"--compare {spec!r}: unknown setting {key!r} (known: k, {', '.join(sorted(known))})"
            )
        overrides[name] = value.strip()
    return Configuration(label=spec.strip(), overrides=overrides)


def configurations(specs: Sequence[str], known: Sequence[str]) -> list[Configuration]:
    """The configurations to run: the base alone, or the --compare specs (base first if only one)."""
    configs = [parse_spec(s, known) for s in specs]
    if len(configs) == 1 and configs[0].overrides:
        configs.insert(0, Configuration(label="default"))
    labels = [c.label for c in configs]
    if len(set(labels)) != len(labels):
        raise CompareSpecError("--compare: the same configuration is given twice")
    return configs or [Configuration(label="default")]


def overrides_for(config: Configuration, base: Any) -> dict[str, Any]:
    """The overrides, plus a separate store when they change what gets ingested."""
    extra: dict[str, Any] = dict(config.overrides)
    if any(k in config.overrides for k in INGEST_KEYS) and "store_dir" not in config.overrides:
        extra["store_dir"] = str(base.store_dir.parent / f"{base.store_dir.name}-{config.slug}")
        extra.setdefault("collection", f"{base.collection}-{config.slug}")
    return extra


def results_path(out: Path, config: Configuration, index: int, count: int) -> Path:
    """The first configuration writes ``--out``; others write ``<stem>.<slug><suffix>`` beside it."""
    if count == 1 or index == 0:
        return out
    return out.with_name(f"{out.stem}.{config.slug}{out.suffix or '.jsonl'}")


@dataclass
class ConfigResult:
    """Everything the table and the report show about one configuration."""

    config: Configuration
    settings: dict[str, Any]
    results_file: Path
    scores: list[QuestionScore]
    metrics: dict[str, Any]
    seconds: float
    judge: dict[str, Any] | None = None
    judge_note: str | None = None


def article_reader(svc: Any) -> Callable[[str], str | None]:
    """File text by corpus name (``None`` for unknown names), read once per file."""
    cache: dict[str, str | None] = {}

    def text_of(source: str) -> str | None:
        if source not in cache:
            try:
                cache[source] = svc.article_text(source)
            except (FileNotFoundError, OSError, UnicodeDecodeError, ValueError):
                cache[source] = None
        return cache[source]

    return text_of


def run_configuration(
    svc: Any,
    config: Configuration,
    questions: Sequence[Question],
    out: Path,
    progress: Callable[[QuestionScore], None] | None = None,
    perspectives: bool = False,
) -> ConfigResult:
    """Ask every question (with its history), write one record a line, score each answer.

    A question's ``asked_on`` date is its ``as_of``: what was published later is not used.
    One untimed warm-up question runs first, so model loading never lands in a question's latency.
    A question the service rejects (``QuestionError``) is scored as not answered; store errors stop the run.
    ``perspectives``: answered in perspectives mode (the record's ``claims``), scored the same way besides.
    """
    from assistant.service import QuestionError

    settings = svc.settings
    if questions:
        svc.ask("What are these articles about?")  # warm-up: loads the models; not recorded
    text_of = article_reader(svc)
    scores: list[QuestionScore] = []
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with out.open("w", encoding="utf-8") as fh:
        for q in questions:
            try:
                answer = svc.perspectives if perspectives else svc.ask  # the claims for and against, or the answer
                record = answer(q.question, q.history, qid=q.id, as_of=q.asked_on)
            except QuestionError as exc:
                score = score_question(q, None, text_of, settings.top_k, error=str(exc))
            else:
                fh.write(record.to_json() + "\n")
                fh.flush()
                score = score_question(q, record.to_dict(), text_of, settings.top_k)
            scores.append(score)
            if progress is not None:
                progress(score)
    shown = {k: getattr(settings, k) for k in SHOWN_KEYS}
    shown["store"] = settings.chroma_url or str(settings.store_dir)
    return ConfigResult(
        config=config,
        settings=shown,
        results_file=out,
        scores=scores,
        metrics=aggregate(scores),
        seconds=time.perf_counter() - t0,
    )
