"""``news-assistant eval``: score the assistant on a question set, print a table, write a report.

Only typer, rich and pathlib are imported here, so ``news-assistant --help`` stays instant; the
engine is imported inside the command. Exit codes: 0 the run completed (whatever the scores),
1 a threshold was missed, no question was usable or the store failed, 2 usage errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from assistant.cli_common import LlmModelOpt, LlmUrlOpt, ModelPathOpt, ReaderOpt

#: threshold option → (metric key, "min" or "max")
THRESHOLDS = {
    "min_accuracy": ("answer_accuracy", "min"),
    "min_citation_precision": ("citation_precision", "min"),
    "min_citation_recall": ("citation_recall", "min"),
    "min_quote_validity": ("quote_validity", "min"),
    "min_hit_rate": ("hit_rate", "min"),
    "min_mrr": ("mrr", "min"),
    "min_refusal_correct": ("refusal_correct", "min"),
    "max_false_refusal": ("false_refusal", "max"),
    "max_latency_p95": ("latency_p95", "max"),
}


def _threshold_failures(results: list[Any], limits: dict[str, float | None]) -> list[str]:
    """One line per configuration and threshold it misses (an unmeasurable metric misses too)."""
    from assistant.evaluation.metrics import METRIC_BY_KEY, format_value

    failures = []
    for option, limit in limits.items():
        if limit is None:
            continue
        key, kind = THRESHOLDS[option]
        for r in results:
            value = r.metrics.get(key)
            missed = value is None or (value < limit if kind == "min" else value > limit)
            if missed:
                sign = "<" if kind == "min" else ">"
                failures.append(
                    f"{r.config.label}: {METRIC_BY_KEY[key].label} {format_value(key, value)} {sign} {limit:g}"
                    f" (--{option.replace('_', '-')})"
                )
    return failures


def _summary(results: list[Any]) -> Any:
    from rich.table import Table

    from assistant.evaluation.metrics import METRICS, format_value

    table = Table(title="evaluation", title_justify="left")
    table.add_column("metric")
    for r in results:
        table.add_column(r.config.label, justify="right")
    for key in ("questions", "answerable", "unanswerable", "errors"):
        table.add_row(key, *[str(r.metrics[key]) for r in results])
    for m in METRICS:
        table.add_row(m.label, *[format_value(m.key, r.metrics.get(m.key)) for r in results])
    for key in ("judge_correctness", "judge_faithfulness"):
        if any(r.judge for r in results):
            table.add_row(key.replace("_", " "), *[format_value(key, (r.judge or {}).get(key)) for r in results])
    if any(r.judge for r in results):
        table.add_row(
            "judge replies graded / unparsed",
            *[f"{(r.judge or {}).get('judged', 0)} / {(r.judge or {}).get('unparsed', 0)}" for r in results],
        )
    return table


def eval_command(
    questions_file: Annotated[
        Path, typer.Argument(help="Question set, JSON Lines (FORMATS.md section 1).", exists=True, dir_okay=False)
    ],
    out_file: Annotated[
        Path, typer.Option("--out", help="Answer records, one a line (with compare: one file per configuration).")
    ] = Path("eval-results.jsonl"),
    report_file: Annotated[Path, typer.Option("--report", help="Self-contained HTML report.")] = Path(
        "eval-report.html"
    ),
    reader: ReaderOpt = None,
    model_path: ModelPathOpt = None,
    llm_url: LlmUrlOpt = None,
    llm_model: LlmModelOpt = None,
    top_k: Annotated[int | None, typer.Option("-k", "--top-k", help="Passages retrieved per question.")] = None,
    compare: Annotated[
        list[str] | None,
        typer.Option(
            "--compare",
            help="A configuration as settings overrides, e.g. 'k=3' or 'reader=extractive,max_sentences=1'. "
            "Repeat to compare; given once, the default configuration is added.",
        ),
    ] = None,
    judge: Annotated[
        bool, typer.Option("--judge", help="Also grade with an LLM judge (needs a generative reader).")
    ] = False,
    min_accuracy: Annotated[float | None, typer.Option(help="Exit 1 if answer accuracy is below this.")] = None,
    min_citation_precision: Annotated[float | None, typer.Option(help="Exit 1 below this.")] = None,
    min_citation_recall: Annotated[float | None, typer.Option(help="Exit 1 below this.")] = None,
    min_quote_validity: Annotated[float | None, typer.Option(help="Exit 1 below this.")] = None,
    min_hit_rate: Annotated[float | None, typer.Option(help="Exit 1 below this.")] = None,
    min_mrr: Annotated[float | None, typer.Option(help="Exit 1 below this.")] = None,
    min_refusal_correct: Annotated[float | None, typer.Option(help="Exit 1 below this.")] = None,
    max_false_refusal: Annotated[float | None, typer.Option(help="Exit 1 above this.")] = None,
    max_latency_p95: Annotated[float | None, typer.Option(help="Exit 1 if p95 latency (s) is above this.")] = None,
    perspectives: Annotated[
        bool,
        typer.Option(
            "--perspectives",
            help="Answer in perspectives mode and also score the claims for and against "
            "(expected_supporting / expected_contradicting of eval/perspectives*.jsonl), per split.",
        ),
    ] = False,
    store: Annotated[Path | None, typer.Option("--store", help="Store folder (default .news-assistant).")] = None,
    corpus: Annotated[
        Path | None, typer.Option("--corpus", help="Folder ingested first if the store is empty (default seeds).")
    ] = None,
    chroma_url: Annotated[str | None, typer.Option("--chroma-url", help="Chroma server http://HOST:PORT.")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="TOML settings file.", show_default=False)] = None,
) -> None:
    """Score the assistant on a question set: retrieval, accuracy, citations, quotes, refusals, latency.

    Every question goes through the same engine as `ask`, with its history for follow-ups.
    Answer records go to --out, the HTML report to --report, a summary table to stdout.
    Exit 0 when the run completes, whatever the scores; --min-*/--max-* thresholds make it exit 1.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from assistant.cli_common import ensure_ingested, err, fail, make_service, out, settings_from
    from assistant.errors import AssistantError
    from assistant.evaluation.judge import grade, judge_llm
    from assistant.evaluation.questions import QuestionFileError, load_questions
    from assistant.evaluation.report import write_report
    from assistant.evaluation.runner import (
        CompareSpecError,
        configurations,
        overrides_for,
        results_path,
        run_configuration,
    )
    from assistant.settings import Settings

    flags: dict[str, Any] = {
        "store_dir": store,
        "corpus_dir": corpus,
        "chroma_url": chroma_url,
        "top_k": top_k,
        "reader": reader,
        "model_path": model_path,
        "llm_url": llm_url,
        "llm_model": llm_model,
    }
    base = settings_from(config=config, **flags)
    try:
        configs = configurations(compare or [], list(Settings.model_fields))
    except CompareSpecError as exc:
        raise fail(str(exc), 2) from exc
    settings_list = [settings_from(config=config, **{**flags, **overrides_for(c, base)}) for c in configs]

    svc0 = make_service(base)
    ensure_ingested(svc0)
    try:
        held = {e.name for e in svc0.sources()}
    except AssistantError as exc:
        raise fail(str(exc), exc.exit_code) from exc
    del svc0
    try:
        # expected_sources and quotes are checked against the articles the store holds, from any folder
        questions, problems = load_questions(questions_file, held.__contains__)
    except QuestionFileError as exc:
        raise fail(str(exc)) from exc
    for problem in problems:
        err.print(f"[yellow]skipped[/] {escape(str(questions_file))} {escape(str(problem))}")
    if not questions:
        raise fail(f"no usable question in {questions_file}")
    err.print(f"{len(questions)} questions from {escape(str(questions_file))}, {len(configs)} configuration(s)")

    results = []
    judge_notes: list[str | None] = []
    total = len(questions) * len(configs)
    with Progress(
        TextColumn("[bold]{task.description}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("eval", total=total)
        for i, (cfg, settings) in enumerate(zip(configs, settings_list, strict=True)):
            bar.update(task, description=f"eval {cfg.label}")
            svc = make_service(settings)
            ensure_ingested(svc)
            path = results_path(out_file, cfg, i, len(configs))
            try:
                result = run_configuration(
                    svc, cfg, questions, path, progress=lambda _s: bar.advance(task), perspectives=perspectives
                )
            except AssistantError as exc:
                raise fail(str(exc), exc.exit_code) from exc
            except (ValueError, RuntimeError, OSError) as exc:
                raise fail(f"configuration {cfg.label!r} cannot answer: {exc}") from exc
            if judge:
                llm, why = judge_llm(svc)
                result.judge_note = why
                if llm is not None:
                    result.judge = grade(llm, result.scores)
                elif why not in judge_notes:
                    judge_notes.append(why or "")
                    err.print(f"[yellow]{escape(why or '')}[/]")
            results.append(result)
            err.print(
                f"[green]done[/] {escape(cfg.label)}: {len(questions)} questions in {result.seconds:.1f} s → "
                f"{escape(str(path))}"
            )
            del svc

    out.print(_summary(results))
    if perspectives:
        from assistant.evaluation.grouping import grouping_table

        for result in results:
            out.print(grouping_table(questions, result.results_file))
    report = write_report(report_file, results, questions_file, problems=problems)
    err.print(f"report: {escape(str(report))}")
    limits = {
        "min_accuracy": min_accuracy,
        "min_citation_precision": min_citation_precision,
        "min_citation_recall": min_citation_recall,
        "min_quote_validity": min_quote_validity,
        "min_hit_rate": min_hit_rate,
        "min_mrr": min_mrr,
        "min_refusal_correct": min_refusal_correct,
        "max_false_refusal": max_false_refusal,
        "max_latency_p95": max_latency_p95,
    }
    failures = _threshold_failures(results, limits)
    for line in failures:
        err.print(f"[red]below threshold:[/] {escape(line)}")
    if failures:
        raise typer.Exit(1)
