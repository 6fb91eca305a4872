"""What every command module shares: consoles, option types, settings, the service, one-line errors.

``cli.py``, ``evaluation/command.py`` and ``ui/command.py`` all import from here (never from each
other), so the commands form no import circle.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from assistant.settings import Settings, load_settings

if TYPE_CHECKING:
    from assistant.service import Service

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

ConfigOpt = Annotated[Path | None, typer.Option("--config", help="TOML settings file.", show_default=False)]
StoreOpt = Annotated[
    Path | None, typer.Option("--store", help="Store folder [env ASSISTANT_STORE_DIR; default .news-assistant].")
]
CorpusOpt = Annotated[
    Path | None, typer.Option("--corpus", help="Corpus folder [env ASSISTANT_CORPUS_DIR; default seeds].")
]
ChromaOpt = Annotated[
    str | None, typer.Option("--chroma-url", help="Chroma server http://HOST:PORT instead of the embedded store.")
]
TopKOpt = Annotated[int | None, typer.Option("-k", "--top-k", help="Passages retrieved per question [default 6].")]
StreamOpt = Annotated[
    bool | None,
    typer.Option(
        "--stream/--no-stream",
        help="Show a generative reader's words as it writes them (stderr); default: when stderr is a terminal.",
        show_default=False,
    ),
]
ModelPathOpt = Annotated[Path | None, typer.Option("--model-path", help="GGUF model for --reader llamacpp.")]
LlmUrlOpt = Annotated[str | None, typer.Option("--llm-url", help="Base URL of an OpenAI-compatible or Ollama server.")]
LlmModelOpt = Annotated[str | None, typer.Option("--llm-model", help="Model name on that server.")]
ReaderOpt = Annotated[
    str | None, typer.Option("--reader", help="Reader: extractive (default), llamacpp, openai or ollama.")
]


def _valid_as_of(value: str | None) -> str | None:
    """Reject a bad ``--as-of`` before anything loads, with the reason (exit 2)."""
    from assistant.recency import AsOfError, parse_as_of

    if value is None:
        return None
    try:
        return parse_as_of(value).isoformat()
    except AsOfError as exc:
        raise typer.BadParameter(str(exc)) from exc


AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help=(
            "The day the question is asked, YYYY-MM-DD [default: today]: articles published after it are "
            "not used, and 'this week', 'recently', 'latest', 'now' mean the days just before it."
        ),
        metavar="DATE",
        callback=_valid_as_of,
        show_default=False,
    ),
]


def settings_from(**flags: Any) -> Settings:
    from pydantic import ValidationError

    from assistant.settings import SettingsError

    try:
        return load_settings(**flags)
    except SettingsError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    except FileNotFoundError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        err.print(f"[red]error:[/] bad setting {where}: {escape(first.get('msg', 'invalid'))}")
        raise typer.Exit(2) from exc


def make_service(settings: Settings) -> Service:
    from assistant.service import Service

    return Service(settings)


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/] {escape(message)}")
    return typer.Exit(code)


def run_ingest(
    svc: Service,
    paths: list[Path] | None,
    rebuild: bool = False,
    quiet: bool = False,
    prune: bool = False,
    workers: int = 1,
) -> Any:
    """Ingest with a progress bar on stderr; returns the report."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from assistant.errors import AssistantError

    with Progress(
        TextColumn("[bold]ingest[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet,
    ) as bar:
        task = bar.add_task("ingest", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=max(total, 1))

        def waiting() -> None:
            err.print("another ingest is running on this store; waiting for it to finish …")

        try:
            return svc.library.ingest(
                paths, progress=progress, rebuild=rebuild, on_wait=waiting, prune=prune, workers=workers
            )
        except AssistantError as exc:
            raise fail(str(exc), exc.exit_code) from exc


def print_report(report: Any) -> None:
    for problem in report.problems:
        err.print(f"[yellow]skipped[/] {escape(str(problem))}")
    err.print(
        f"[green]ingested[/] {report.folder}: {len(report.added)} added, {len(report.changed)} changed, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, {len(report.problems)} skipped; "
        f"{report.new_chunks} new chunks{_reused(report)}, {report.total_chunks} chunks in store; "
        f"{report.seconds:.1f} s"
    )


def _reused(report: Any) -> str:
    """ " (12 kept their vectors)": chunks of changed articles whose text did not change were not embedded again."""
    n = getattr(report, "reused_chunks", 0)
    return f" ({n} kept their vectors)" if n else ""


def ensure_ingested(svc: Service) -> None:
    """Ingest the default folder into an empty store (first use), or fail in one line saying what to run."""
    from assistant.errors import AssistantError

    try:
        report = svc.library.ensure_ingested(notify=lambda m: err.print(m))
        warning = svc.library.chunking_warning()
    except AssistantError as exc:
        raise fail(str(exc), exc.exit_code) from exc
    if warning:
        err.print(f"[yellow]warning:[/] {escape(warning)}")
    if report is not None:
        print_report(report)
        if not report.ok:
            raise fail("the store is empty and nothing could be ingested; run `news-assistant ingest FOLDER`")
