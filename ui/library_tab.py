"""What the store holds, on the first screen and in the Articles tab: summary, list, search, remove, drop zone.

Everything comes from the library service (``sources()``, ``status()``, ``upload()``, ``remove()``), never
from a folder on disk. Dropped files are ingested one by one, the progress bar following the
passages embedded of each (``chunk_progress``), and each file gets its own result line (added with
N chunks, already held, refused and why) instead of one sentence at the end.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.services.library import LibraryService
from ui import render
from ui.articles import ARTICLE_COLUMNS, article_rows

#: Outlets named in the summary line before "and N more".
MAX_OUTLETS = 6


def summary_markdown(entries: list[Any], status: dict[str, Any] | None = None) -> str:
    """One line saying what the articles cover: how many, from when to when, from which outlets."""
    if not entries:
        return "**The store holds no articles yet.** Drop `.txt` or `.md` news articles in the drop zone."
    dates = sorted(e.date for e in entries if e.date)
    outlets: dict[str, int] = {}
    for e in entries:
        if e.outlet:
            outlets[e.outlet] = outlets.get(e.outlet, 0) + 1
    named = sorted(outlets, key=lambda o: (-outlets[o], o))
    parts = [f"**{len(entries)} article{'s' if len(entries) != 1 else ''}**"]
    if dates:
        parts.append(f"published {dates[0]}" + (f" to {dates[-1]}" if dates[-1] != dates[0] else ""))
    if named:
        shown = ", ".join(render.md_text(o) for o in named[:MAX_OUTLETS])
        more = f" and {len(named) - MAX_OUTLETS} more" if len(named) > MAX_OUTLETS else ""
        parts.append(f"from {shown}{more}")
    undated = len(entries) - len(dates)
    if undated:
        parts.append(f"{undated} without a date")
    if status:
        parts.append(f"{status.get('chunks', 0)} passages indexed · reader {status.get('reader')}")
    return " · ".join(parts)


def matching(entries: list[Any], query: str) -> list[Any]:
    """The articles whose name, title, outlet or date contain every word of ``query`` (any case)."""
    words = (query or "").lower().split()
    if not words:
        return entries
    return [e for e in entries if all(w in f"{e.name} {e.title} {e.outlet} {e.date}".lower() for w in words)]


def _result_line(name: str, kind: str, text: str) -> str:
    icon = {"added": "✅", "same": "•", "problem": "⚠️"}[kind]
    return f'<li class="na-up-{kind}">{icon} <b>{html.escape(name)}</b>: {html.escape(text)}</li>'


def ingest_files(library: LibraryService, files: list[str], progress: Callable[..., Any]) -> str:
    """Keep and ingest dropped files one at a time; HTML with one result line per file.

    The bar follows the passages (chunks) of the file being embedded, as the store embeds them, so
    a long article moves the bar instead of sitting at zero until it is done.
    """
    lines: list[str] = []
    total = len(files)
    for i, f in enumerate(files):
        name = Path(f).name
        progress((0, 1), desc=f"Reading {name} (file {i + 1} of {total})", unit="passages")

        def step(done: int, todo: int, i: int = i, name: str = name) -> None:
            progress(
                (done, max(todo, 1)),
                desc=f"Embedding {name} (file {i + 1} of {total}): {done} of {todo} passages embedded",
                unit="passages",
            )

        try:
            result, report = library.upload([Path(f)], chunk_progress=step)
        except AssistantError as exc:
            lines.append(_result_line(name, "problem", str(exc)))
            continue
        for held in result.same:
            lines.append(_result_line(name, "same", f"already in the store as {held}"))
        for problem in result.problems:
            lines.append(_result_line(name, "problem", problem.removeprefix(f"{name}: ")))
        if report is not None:
            for added in report.added + report.changed:
                chunks = next((e.chunks for e in library.sources() if e.name == added), None)
                what = f"added as {added}"
                if chunks is not None:
                    what += f", {chunks} passage{'s' * (chunks != 1)} embedded"
                lines.append(_result_line(name, "added", f"{what} ({report.seconds:.1f} s)"))
            for problem in report.problems:
                lines.append(_result_line(name, "problem", f"skipped: {problem}"))
    progress((total, total), desc="Done")
    return f'<ul class="na-upload-results">{"".join(lines)}</ul>'


def remove(library: LibraryService, names: list[str] | None) -> str:
    """Remove the chosen articles; what happened, as Markdown."""
    if not names:
        return "Choose the articles to remove first."
    try:
        gone = library.remove(list(names))
    except AssistantError as exc:
        return f"⚠️ {render.md_text(str(exc))}"
    return "Removed " + ", ".join(f"`{render.md_text(n)}`" for n in gone) + "."


def table(entries: list[Any], query: str = "") -> list[list[Any]]:
    return article_rows(matching(entries, query))


def tab_label(count: int) -> str:
    """The Articles tab's label: it carries the count, so every tab shows what the store holds."""
    return f"Articles ({count})"


def drop_zone(max_file_mb: float) -> tuple[gr.File, gr.HTML]:
    """The drop zone on the first screen (above the tabs, so it is there whichever tab is open) and its results."""
    upload = gr.File(
        file_count="multiple",
        file_types=[".txt", ".md"],
        type="filepath",
        label=f"Add articles: .txt or .md, UTF-8, at most {max_file_mb:g} MB each",
        elem_id="na-upload",
        height=96,
    )
    return upload, gr.HTML(elem_id="na-ingest-msg")


def articles_panel(held: list[Any]) -> tuple[gr.Textbox, gr.Dataframe, gr.Dropdown, gr.Button, gr.Markdown]:
    """The Articles tab's contents: search, the list from the store, remove."""
    search = gr.Textbox(
        label="Search the articles", placeholder="title, outlet, date or file name", elem_id="na-search"
    )
    articles = gr.Dataframe(
        value=table(held),
        headers=ARTICLE_COLUMNS,
        interactive=False,
        wrap=True,
        max_height=420,
        elem_id="na-articles",
    )
    with gr.Row(equal_height=True):
        to_remove = gr.Dropdown(
            choices=[e.name for e in held],
            value=[],
            multiselect=True,
            label="Articles to remove",
            elem_id="na-remove-pick",
            scale=4,
        )
        remove_btn = gr.Button("Remove from the store", variant="stop", scale=1, elem_id="na-remove")
    return search, articles, to_remove, remove_btn, gr.Markdown(elem_id="na-remove-msg")
