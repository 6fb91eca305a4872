"""Answering on the command line: the answer record printed, or streamed live as the model writes.

With a generative reader, ``--stream`` (the default when stderr is a terminal) shows the model's
words on stderr as they come, each sentence struck out with the reason when grounding withdraws
it; the grounded answer with its citations follows on stdout, as without streaming.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

from assistant.cli_common import err, fail, out


def answer_question(
    svc: Any,
    question: str,
    history: list[dict[str, str]] | None = None,
    perspectives: bool = False,
    sources: list[str] | None = None,
    as_of: str | None = None,
    live: bool = False,
) -> Any:
    """The answer record (failures become one clear line and an exit code)."""
    from assistant.errors import AssistantError
    from assistant.library import store_failure

    try:
        if perspectives:
            return svc.perspectives(question, history, sources=sources, as_of=as_of)
        if live:
            return svc.ask(question, history, sources=sources, as_of=as_of, on_event=LivePrinter(err))
        return svc.ask(question, history, sources=sources, as_of=as_of)
    except AssistantError as exc:
        raise fail(str(exc), exc.exit_code) from exc
    except Exception as exc:
        reason = store_failure(exc)  # the store damaged under us: say so, and how to get it back
        if reason is None:
            raise
        raise fail(reason) from exc


class LivePrinter:
    """Prints a generative reader's events as they happen: the sentence being written, then each
    sentence's verdict (kept, or struck out with why)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.shown = ""  # what of the current sentence is on screen

    def __call__(self, kind: str, text: str = "", reason: str = "") -> None:
        if kind == "token":
            if text.startswith(self.shown):
                self.console.print(escape(text[len(self.shown) :]), end="", style="dim", highlight=False)
            else:
                self.console.print("\n" + escape(text), end="", style="dim", highlight=False)
            self.shown = text
        elif kind in ("kept", "withdrawn"):
            rest = text[len(self.shown) :] if text.startswith(self.shown) else "\n" + text
            self.console.print(escape(rest), end="", style="dim", highlight=False)
            if kind == "withdrawn":
                self.console.print(f" [red]✗ withdrawn: {escape(reason)}[/]", end="", highlight=False)
            self.console.print(" ", end="")
            self.shown = ""


def print_record(record: Any, console: Console = out) -> None:
    if getattr(record, "reader_error", None):
        err.print(f"[yellow]note:[/] {escape(record.reader_error)}; the answer is the extractive reader's")
    elif getattr(record, "withdrawn", None):
        err.print()
    style = "yellow" if record.refused else "bold"
    lead = getattr(record, "direct_answer", None)
    if lead and record.answer.startswith(lead):  # the direct answer stands out from its evidence
        console.print(f"[bold cyan]{escape(lead)}[/][{style}]{escape(record.answer[len(lead) :])}[/]")
    else:
        console.print(f"[{style}]{escape(record.answer)}[/]")
    if record.citations:
        console.print()
    for c in record.citations:
        about = " · ".join(x for x in (getattr(c, "outlet", None), getattr(c, "date", None)) if x)
        about = f" [dim]({escape(about)})[/]" if about else ""
        console.print(f"[cyan][{c.n}][/] [bold]{escape(c.source)}[/]{about} [dim]chars {c.start}–{c.end}[/]")
        console.print(f"    “{escape(c.quote)}”", highlight=False)
