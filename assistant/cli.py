"""The ``news-assistant`` command: ingest, ask, chat (and more), all through ``assistant.service``.

Heavy libraries are imported inside the commands, so ``--help`` is instant and a command never
loads what it does not use. Exit codes: 0 success, 1 nothing could be ingested or answered,
2 usage errors (empty question, unknown option, bad settings).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from assistant.settings import Settings, load_settings

app = typer.Typer(
    name="news-assistant",
    help=(
        "Ask questions about a folder of news articles and get answers that cite the exact passages.\n\n"
        "Works offline with no API key. Settings come from flags, ASSISTANT_* environment variables and "
        "an optional TOML file (news-assistant.toml, or --config / ASSISTANT_CONFIG), in that order."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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
ModelPathOpt = Annotated[Path | None, typer.Option("--model-path", help="GGUF model for --reader llamacpp.")]
LlmUrlOpt = Annotated[str | None, typer.Option("--llm-url", help="Base URL of an OpenAI-compatible or Ollama server.")]
LlmModelOpt = Annotated[str | None, typer.Option("--llm-model", help="Model name on that server.")]
ReaderOpt = Annotated[
    str | None, typer.Option("--reader", help="Reader: extractive (default), llamacpp, openai or ollama.")
]


def _settings(**flags: Any) -> Settings:
    from pydantic import ValidationError

    try:
        return load_settings(**flags)
    except FileNotFoundError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        err.print(f"[red]error:[/] bad setting {where}: {escape(first.get('msg', 'invalid'))}")
        raise typer.Exit(2) from exc


def _service(settings: Settings) -> Any:
    from assistant.service import Service

    return Service(settings)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/] {escape(message)}")
    return typer.Exit(code)


def _run_ingest(svc: Any, folder: Path | None, rebuild: bool = False, quiet: bool = False) -> Any:
    """Ingest with a progress bar on stderr; returns the report."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from store.chroma import StoreError
    from store.ingest import IngestError

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
            return svc.ingest(folder, progress=progress, rebuild=rebuild, on_wait=waiting)
        except (IngestError, StoreError) as exc:
            raise _fail(str(exc)) from exc


def _print_report(report: Any) -> None:
    for problem in report.problems:
        err.print(f"[yellow]skipped[/] {escape(str(problem))}")
    err.print(
        f"[green]ingested[/] {report.folder}: {len(report.added)} added, {len(report.changed)} changed, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, {len(report.problems)} skipped; "
        f"{report.new_chunks} new chunks, {report.total_chunks} chunks in store; {report.seconds:.1f} s"
    )


@app.command()
def ingest(
    folder: Annotated[
        Path | None, typer.Argument(help="Folder of .txt/.md articles [default: the corpus setting].")
    ] = None,
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the store and ingest from scratch.")] = False,
    max_file_mb: Annotated[float | None, typer.Option(help="Skip files larger than this [default 20].")] = None,
    config: ConfigOpt = None,
) -> None:
    """Read articles, chunk them (tiktoken), embed them and store them in Chroma, incrementally.

    Unchanged files are skipped by content hash, changed files are replaced, and files gone from
    the folder are removed from the store. Exit 1 when no file could be ingested.
    """
    settings = _settings(
        config=config, store_dir=store, chroma_url=chroma_url, max_file_mb=max_file_mb, corpus_dir=folder
    )
    svc = _service(settings)
    report = _run_ingest(svc, settings.corpus_dir, rebuild=rebuild)
    _print_report(report)
    if not report.ok:
        raise _fail(f"nothing could be ingested from {settings.corpus_dir}")


def _answer(
    svc: Any,
    question: str,
    history: list[dict[str, str]] | None = None,
    perspectives: bool = False,
    sources: list[str] | None = None,
) -> Any:
    from assistant.readers import ReaderError
    from assistant.service import QuestionError
    from store.chroma import StoreError

    try:
        if perspectives:
            return svc.perspectives(question, history, sources=sources)
        return svc.ask(question, history, sources=sources)
    except QuestionError as exc:
        raise _fail(str(exc), 2) from exc
    except (StoreError, ReaderError) as exc:
        raise _fail(str(exc)) from exc


def _ensure(svc: Any) -> None:
    from store.chroma import StoreError

    try:
        report = svc.ensure_ingested(notify=lambda m: err.print(m))
    except StoreError as exc:
        raise _fail(str(exc)) from exc
    if report is not None:
        _print_report(report)
        if not report.ok:
            raise _fail("the store is empty and nothing could be ingested; run `news-assistant ingest FOLDER`")


def _print_record(record: Any, console: Console = out) -> None:
    style = "yellow" if record.refused else "bold"
    console.print(f"[{style}]{escape(record.answer)}[/]")
    if record.citations:
        console.print()
    for c in record.citations:
        console.print(f"[cyan][{c.n}][/] [bold]{escape(c.source)}[/] [dim]chars {c.start}–{c.end}[/]")
        console.print(f"    “{escape(c.quote)}”", highlight=False)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer record (FORMATS.md) as JSON only.")] = False,
    perspectives: Annotated[
        bool,
        typer.Option(
            "--perspectives",
            help="Group the evidence by claim: which articles support each claim and which contradict it.",
        ),
    ] = False,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            help="Only use this article (file name, the start of one, or an outlet the article names); repeatable.",
            metavar="NAME",
            show_default=False,
        ),
    ] = None,
    store: StoreOpt = None,
    corpus: CorpusOpt = None,
    chroma_url: ChromaOpt = None,
    top_k: TopKOpt = None,
    reader: ReaderOpt = None,
    model_path: ModelPathOpt = None,
    llm_url: LlmUrlOpt = None,
    llm_model: LlmModelOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Answer one question with inline citations [n] and the exact passages they point to.

    If nothing was ingested yet, the corpus folder is ingested first. With --json, stdout holds
    exactly one JSON answer record; messages go to stderr. With --perspectives the record also
    holds "claims": each claim with the citation numbers that support and contradict it.
    """
    if not question.strip():
        raise _fail("the question is empty", 2)
    settings = _settings(
        config=config,
        store_dir=store,
        corpus_dir=corpus,
        chroma_url=chroma_url,
        top_k=top_k,
        reader=reader,
        model_path=model_path,
        llm_url=llm_url,
        llm_model=llm_model,
    )
    svc = _service(settings)
    _ensure(svc)
    record = _answer(svc, question, perspectives=perspectives, sources=source or None)
    if as_json:
        sys.stdout.write(record.to_json() + "\n")
    elif perspectives:
        from assistant.perspectives import text_lines

        for style, line in text_lines(record):
            out.print(f"[{style}]{escape(line)}[/]" if style else escape(line), highlight=False)
    else:
        _print_record(record)


@app.command()
def chat(
    store: StoreOpt = None,
    corpus: CorpusOpt = None,
    chroma_url: ChromaOpt = None,
    top_k: TopKOpt = None,
    reader: ReaderOpt = None,
    model_path: ModelPathOpt = None,
    llm_url: LlmUrlOpt = None,
    llm_model: LlmModelOpt = None,
    config: ConfigOpt = None,
) -> None:
    """A multi-turn conversation in the terminal. Follow-ups ("what did he say?") use the history.

    Type a question and press Enter; /new starts a new conversation; /quit (or Ctrl-D) leaves.
    """
    settings = _settings(
        config=config,
        store_dir=store,
        corpus_dir=corpus,
        chroma_url=chroma_url,
        top_k=top_k,
        reader=reader,
        model_path=model_path,
        llm_url=llm_url,
        llm_model=llm_model,
    )
    svc = _service(settings)
    _ensure(svc)

    history: list[dict[str, str]] = []
    err.print("[dim]Ask about the articles. /new clears the conversation, /quit leaves.[/]")
    while True:
        try:
            question = input("you> ")
        except (EOFError, KeyboardInterrupt):
            err.print()
            break
        q = question.strip()
        if not q:
            continue
        if q in ("/quit", "/exit"):
            break
        if q == "/new":
            history = []
            err.print("[dim]new conversation[/]")
            continue
        try:
            record = _answer(svc, q, history)
        except typer.Exit:
            continue
        if record.standalone_question:
            out.print(f"[dim](understood as: {escape(record.standalone_question)})[/]")
        _print_record(record)
        out.print()
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": record.answer}]


def main() -> None:
    """Console entry point."""
    from assistant.offline import setup_offline

    setup_offline()
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


from assistant.evaluation.command import eval_command  # noqa: E402

app.command("eval")(eval_command)

from ui.command import serve_command  # noqa: E402

app.command("serve")(serve_command)


if __name__ == "__main__":
    main()
