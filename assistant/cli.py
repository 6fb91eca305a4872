"""The ``news-assistant`` command: ingest, ask, chat (and more), all through the feature services
of ``assistant.service.Service`` (``assistant.services``).

Heavy libraries are imported inside the commands, so ``--help`` is instant and a command never
loads what it does not use. Exit codes: 0 success, 1 nothing could be ingested or answered,
2 usage errors (empty question, unknown option, bad settings).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from assistant.cli_answer import answer_question, print_record
from assistant.cli_common import (
    AsOfOpt,
    ChromaOpt,
    ConfigOpt,
    CorpusOpt,
    LlmModelOpt,
    LlmUrlOpt,
    ModelPathOpt,
    ReaderOpt,
    StoreOpt,
    StreamOpt,
    TopKOpt,
    ensure_ingested,
    err,
    fail,
    make_service,
    out,
    print_report,
    run_ingest,
    settings_from,
)

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


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Article files (.txt/.md) or folders of them (read recursively) [default: the corpus setting].",
            show_default=False,
        ),
    ] = None,
    prune: Annotated[
        bool, typer.Option("--prune", help="Also remove articles that came from these folders and are gone from them.")
    ] = False,
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the store and ingest from scratch.")] = False,
    max_file_mb: Annotated[float | None, typer.Option(help="Skip files larger than this [default 20].")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Processes that chunk and embed (this one writes).")] = 1,
    config: ConfigOpt = None,
) -> None:
    """Add new and update changed articles: chunk them (tiktoken), embed them, store them in Chroma.

    Incremental: unchanged files are skipped by content hash, changed ones replaced. Ingesting never
    removes an article: folders ingested earlier stay, whatever this run is given. Remove with
    `news-assistant remove NAME`, or `--prune` for files gone from the given folders. A path that
    does not exist is an error that changes nothing. Exit 1 when no file could be ingested.
    """
    settings = settings_from(config=config, store_dir=store, chroma_url=chroma_url, max_file_mb=max_file_mb)
    svc = make_service(settings)
    report = run_ingest(svc, list(paths) if paths else None, rebuild=rebuild, prune=prune, workers=workers)
    print_report(report)
    if not report.ok:
        raise fail(f"nothing could be ingested from {report.folder}")


@app.command()
def remove(
    names: Annotated[list[str], typer.Argument(help="Names of articles as `sources` lists them.", show_default=False)],
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Remove articles from the store (their chunks and their stored text). Unknown names remove nothing."""
    svc = make_service(settings_from(config=config, store_dir=store, chroma_url=chroma_url))
    gone = svc.library.remove(names)
    err.print(
        f"[green]removed[/] {len(gone)} article(s): {escape(', '.join(gone))}; {svc.library.catalogue.count()} left"
    )


@app.command()
def sources(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as a JSON array.")] = False,
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None,
    config: ConfigOpt = None,
) -> None:
    """List the articles the store holds: name, title, outlet, date, chunks, where from, when ingested."""
    import json

    svc = make_service(settings_from(config=config, store_dir=store, chroma_url=chroma_url))
    entries = [e.public() for e in svc.library.sources()]
    if as_json:
        sys.stdout.write(json.dumps(entries, ensure_ascii=False, indent=2) + "\n")
        return
    if not entries:
        err.print("the store is empty: add articles with `news-assistant ingest FOLDER`")
        return
    from rich.table import Table

    table = Table(show_lines=False, pad_edge=False)
    for col in ("name", "title", "outlet", "date", "chunks", "from", "ingested"):
        table.add_column(col, overflow="fold")
    for e in entries:
        table.add_row(e["name"], e["title"], e["outlet"], e["date"], str(e["chunks"]), e["origin"], e["ingested"])
    out.print(table)
    err.print(f"{len(entries)} article(s), {sum(e['chunks'] for e in entries)} chunks")


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
    as_of: AsOfOpt = None,
    store: StoreOpt = None,
    corpus: CorpusOpt = None,
    chroma_url: ChromaOpt = None,
    top_k: TopKOpt = None,
    reader: ReaderOpt = None,
    model_path: ModelPathOpt = None,
    llm_url: LlmUrlOpt = None,
    llm_model: LlmModelOpt = None,
    config: ConfigOpt = None,
    stream: StreamOpt = None,
) -> None:
    """Answer one question with inline citations [n] and the exact passages they point to.

    If nothing was ingested yet, the corpus folder is ingested first. With --json, stdout holds
    exactly one JSON answer record; messages go to stderr. With --perspectives the record also
    holds "claims": each claim with the citation numbers that support and contradict it. Each
    citation shows its article's outlet and date when the article states them.
    """
    if not question.strip():
        raise fail("the question is empty", 2)
    settings = settings_from(
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
    svc = make_service(settings)
    ensure_ingested(svc)
    live = stream if stream is not None else (sys.stderr.isatty() and not as_json and settings.reader != "extractive")
    record = answer_question(
        svc, question, perspectives=perspectives, sources=source or None, as_of=as_of, live=live and not perspectives
    )
    if as_json:
        sys.stdout.write(record.to_json() + "\n")
    elif perspectives:
        from assistant.perspectives import text_lines

        for style, line in text_lines(record):
            out.print(f"[{style}]{escape(line)}[/]" if style else escape(line), highlight=False)
    else:
        print_record(record)


@app.command()
def chat(
    as_of: AsOfOpt = None,
    store: StoreOpt = None,
    corpus: CorpusOpt = None,
    chroma_url: ChromaOpt = None,
    top_k: TopKOpt = None,
    reader: ReaderOpt = None,
    model_path: ModelPathOpt = None,
    llm_url: LlmUrlOpt = None,
    llm_model: LlmModelOpt = None,
    config: ConfigOpt = None,
    stream: StreamOpt = None,
) -> None:
    """A multi-turn conversation in the terminal. Follow-ups ("what did he say?") use the history.

    Type a question and press Enter; /new starts a new conversation; /quit (or Ctrl-D) leaves.
    """
    settings = settings_from(
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
    svc = make_service(settings)
    ensure_ingested(svc)

    live = stream if stream is not None else (sys.stderr.isatty() and settings.reader != "extractive")
    history: list[dict[str, str]] = []
    when = f" as of {as_of}" if as_of else ""
    err.print(f"[dim]Ask about the articles{when}. /new clears the conversation, /quit leaves.[/]")
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
            record = answer_question(svc, q, history, as_of=as_of, live=live)
        except typer.Exit:
            continue
        if record.standalone_question:
            out.print(f"[dim](understood as: {escape(record.standalone_question)})[/]")
        print_record(record)
        out.print()
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": record.answer}]


def main() -> None:
    """Console entry point."""
    from assistant.offline import setup_offline

    setup_offline()
    from assistant.errors import AssistantError

    try:
        app()
    except AssistantError as exc:  # an expected failure: its message, on one line, never a traceback
        err.print(f"[red]error:[/] {escape(str(exc))}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


from assistant.evaluation.command import eval_command  # noqa: E402

app.command("eval")(eval_command)

from ui.command import serve_command  # noqa: E402

app.command("serve")(serve_command)


if __name__ == "__main__":
    main()
