"""``news-assistant serve``: start the web chat.

Only light modules are imported here; Gradio and the models load inside the command, so the rest
of the CLI never pays for them.
"""

from __future__ import annotations

import contextlib
import ipaddress
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """True when ``host`` is reachable only from this machine."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``user:password`` → ``(user, password)``; both parts must be non-empty."""
    if value is None:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise typer.BadParameter("expected USER:PASSWORD, both non-empty", param_hint="--auth")
    return user, password


def _warm_up(svc: Any) -> None:
    """Build the retriever and reader now, so the first visitor does not wait for them."""
    with contextlib.suppress(Exception):
        svc.answers.warm_up()


def serve_command(
    host: Annotated[
        str | None, typer.Option("--host", help="Address to bind (env ASSISTANT_HOST; default 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (env ASSISTANT_PORT; default 7860).")] = None,
    auth: Annotated[
        str | None,
        typer.Option(
            "--auth",
            envvar="ASSISTANT_WEB_AUTH",
            help="Require a login USER:PASSWORD (env ASSISTANT_WEB_AUTH keeps it out of the process list).",
            show_default=False,
        ),
    ] = None,
    store: Annotated[
        Path | None, typer.Option("--store", help="Store folder (env ASSISTANT_STORE_DIR; default .news-assistant).")
    ] = None,
    corpus: Annotated[
        Path | None, typer.Option("--corpus", help="Corpus folder (env ASSISTANT_CORPUS_DIR; default seeds).")
    ] = None,
    chroma_url: Annotated[
        str | None, typer.Option("--chroma-url", help="Chroma server http://HOST:PORT instead of the embedded store.")
    ] = None,
    top_k: Annotated[
        int | None, typer.Option("-k", "--top-k", help="Passages retrieved per question (default 6).")
    ] = None,
    reader: Annotated[str | None, typer.Option("--reader", help="Reader: extractive (default).")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="TOML settings file.", show_default=False)] = None,
) -> None:
    """Open the web chat: a conversation over the articles, with the cited passages beside each answer.

    Binds 127.0.0.1 by default; another address without --auth prints a warning.
    The corpus is ingested first if the store is empty. Stop with Ctrl-C.
    """
    from assistant.cli_common import ensure_ingested, make_service, settings_from

    err = Console(stderr=True)
    out = Console(soft_wrap=True)
    credentials = parse_auth(auth)
    settings = settings_from(
        config=config,
        store_dir=store,
        corpus_dir=corpus,
        chroma_url=chroma_url,
        top_k=top_k,
        reader=reader,
        host=host,
        port=port,
    )
    if not is_loopback(settings.host) and credentials is None:
        err.print(
            f"[yellow]warning:[/] binding {escape(settings.host)} makes the chat reachable from other machines "
            "without a login; add --auth USER:PASSWORD (or ASSISTANT_WEB_AUTH)."
        )
    svc = make_service(settings)
    ensure_ingested(svc)

    err.print("[dim]starting the web chat …[/]")
    from ui.app import build_app, launch_app

    demo = build_app(svc)
    try:
        url = launch_app(
            demo, host=settings.host, port=settings.port, auth=credentials, max_file_mb=settings.max_file_mb
        )
    except OSError as exc:
        err.print(f"[red]error:[/] cannot listen on {escape(settings.host)}:{settings.port} ({escape(str(exc))})")
        raise typer.Exit(1) from exc
    out.print(f"News assistant is running at [bold]{escape(url)}[/]  (Ctrl-C to stop)")
    threading.Thread(target=_warm_up, args=(svc,), name="warm-up", daemon=True).start()
    try:
        while demo.is_running:
            time.sleep(0.5)
    except KeyboardInterrupt:
        err.print("stopping …")
    finally:
        demo.close(verbose=False)
