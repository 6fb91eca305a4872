"""The web chat: a Gradio page over ``assistant.service.Service``.

The page is a thin client: every answer, source and status figure comes from the service, and this
module only lays them out. Each browser session keeps its own conversation (``gr.State``); the queue
runs a few answers at once so one slow question does not block other users. ``/ask`` is a named API
endpoint returning the FORMATS.md answer record, for scripts using ``gradio_client``.

Import this module only after ``assistant.offline.setup_offline()`` (``launch_app`` and
``build_app`` call it too) so Gradio starts with analytics off.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.offline import setup_offline

setup_offline()

import gradio as gr  # noqa: E402

from assistant.errors import AssistantError  # noqa: E402
from assistant.library import store_failure  # noqa: E402
from assistant.readers import ReaderError  # noqa: E402
from assistant.service import QuestionError, Service  # noqa: E402
from ui import render  # noqa: E402
from ui.articles import ARTICLE_COLUMNS, article_rows, default_examples, source_choices  # noqa: E402
from ui.style import CSS, HEAD  # noqa: E402

#: Answers computed at once across all sessions (the rest wait in the queue).
CONCURRENCY = 4
#: Requests waiting in the queue before new ones are turned away.
QUEUE_SIZE = 64


def _new_conversation() -> dict[str, Any]:
    """One session's conversation: the plain-text turns the service sees, and each answer's record."""
    return {"history": [], "records": {}}


def build_app(service: Service, examples: list[str] | None = None) -> gr.Blocks:
    """The chat page over ``service``; queue and API endpoint included (launch it with ``launch_app``)."""
    service.preload()  # before any worker thread answers (see Service.preload)
    setup_offline()

    def entries() -> list[Any]:
        try:
            return service.sources()
        except Exception:  # a list must never break the page; the status line says what is wrong
            return []

    if examples is None:
        examples = default_examples(entries())

    def status_text() -> str:
        try:
            return render.status_markdown(service.status())
        except Exception as exc:  # a status line must never break the page
            return f"status unavailable: {exc}"

    def answers(
        question: str, history: list[dict[str, str]], perspectives: bool, sources: list[str] | None
    ) -> Iterator[tuple[str, Any]]:
        """The answer as it grows: streamed for a plain question; whole for perspectives or a source filter."""
        if not perspectives and not sources:
            yield from service.stream(question, history)
            return
        if perspectives:
            record = service.perspectives(question, history, sources=sources or None)
        else:
            record = service.ask(question, history, sources=sources)
        yield record.answer, record

    def respond(
        message: str,
        chat: list[dict[str, Any]] | None,
        conv: dict[str, Any] | None,
        perspectives: bool = False,
        sources: list[str] | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        conv = conv or _new_conversation()
        chat = list(chat or [])
        question = (message or "").strip()
        if not question:
            yield message, chat, conv, gr.skip()
            return
        history = list(conv["history"])
        chat += [
            {"role": "user", "content": render.md_text(question)},
            {"role": "assistant", "content": '<span class="na-thinking">Searching the articles …</span>'},
        ]
        yield "", chat, conv, gr.skip()
        try:
            for partial, record in answers(question, history, bool(perspectives), list(sources or [])):
                if record is None:
                    chat[-1] = {"role": "assistant", "content": render.partial_message(partial)}
                    yield "", chat, conv, gr.skip()
                    continue
                data = record.to_dict()
                chat[-1] = {"role": "assistant", "content": render.answer_message(data)}
                conv = {
                    "history": [
                        *history,
                        {"role": "user", "content": question},
                        {"role": "assistant", "content": record.answer},
                    ],
                    "records": {**conv["records"], len(chat) - 1: data},
                }
                yield "", chat, conv, render.sources_html(data, service.article)
        except QuestionError as exc:
            gr.Warning(str(exc))
            yield message, chat[:-2], conv, gr.skip()
        except Exception as exc:
            reason = store_failure(exc)  # the store is gone or damaged: the message says how to get it back
            if reason is None:
                traceback.print_exc(file=sys.stderr)
            chat[-1] = {"role": "assistant", "content": render.error_message(f"Could not answer: {reason or exc}")}
            yield "", chat, conv, gr.skip()

    def show_sources(conv: dict[str, Any] | None, evt: gr.SelectData) -> Any:
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        record = (conv or {}).get("records", {}).get(index)
        return render.sources_html(record, service.article) if record is not None else gr.skip()

    def pick_example(evt: gr.SelectData) -> str:
        value = evt.value
        return value.get("text", "") if isinstance(value, dict) else str(value or "")

    def refresh_sources(selected: list[str] | None = None) -> tuple[Any, ...]:
        """The source filter and the article list as the store holds them now (after an upload or a removal)."""
        held = entries()
        choices = source_choices(held)
        names = {value for _, value in choices}
        return (
            gr.update(choices=choices, value=[v for v in selected or [] if v in names]),
            article_rows(held),
            gr.update(choices=[e.name for e in held], value=[]),
        )

    def new_conversation() -> tuple[Any, ...]:
        return [], _new_conversation(), render.sources_html(None, service.article), ""

    def reingest(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        """Store the uploaded articles under the store's own folder and ingest just those."""
        if not files:
            return None, "Choose one or more `.txt` or `.md` files first.", status_text()

        def on_progress(done: int, total: int) -> None:
            progress((done, max(total, 1)), desc="Embedding the new articles")

        lines: list[str] = []
        try:
            result, report = service.upload([Path(f) for f in files], progress=on_progress)
        except AssistantError as exc:
            return None, f"⚠️ Adding failed: {render.md_text(str(exc))}", status_text()
        if result.same:
            lines.append("Already in the store: " + ", ".join(f"`{n}`" for n in result.same) + ".")
        lines += [f"⚠️ {render.md_text(p)}" for p in result.problems]
        if report is not None:
            if report.added or report.changed:
                lines.insert(0, "Added " + ", ".join(f"`{n}`" for n in report.added + report.changed) + ".")
            lines.append(
                f"Ingested {len(report.added) + len(report.changed)} article(s) ({report.new_chunks} new chunks, "
                f"{report.seconds:.1f} s); the store holds {report.total_files} articles."
            )
            lines += [f"⚠️ skipped {render.md_text(str(p))}" for p in report.problems]
        return None, "\n\n".join(lines), status_text()

    def remove_articles(names: list[str] | None) -> tuple[Any, ...]:
        """Remove the chosen articles from the store (the upload folder keeps nothing the store dropped)."""
        if not names:
            return "Choose the articles to remove first.", status_text()
        try:
            gone = service.remove(list(names))
        except AssistantError as exc:
            return f"⚠️ {render.md_text(str(exc))}", status_text()
        return "Removed " + ", ".join(f"`{render.md_text(n)}`" for n in gone) + ".", status_text()

    def ask(question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
        """Answer a question from the articles; returns the answer record of FORMATS.md (answer, refused, citations).

        Args:
            question: the question to answer.
            history: optional earlier turns, a list of {"role": "user"|"assistant", "content": str}.
        """
        try:
            return service.ask(question, history if isinstance(history, list) else None).to_dict()
        except (QuestionError, ReaderError) as exc:  # shown to the caller even with show_error=False
            raise gr.Error(str(exc)) from exc
        except Exception as exc:
            reason = store_failure(exc)
            if reason is None:
                raise
            raise gr.Error(reason) from exc

    with gr.Blocks(title="News assistant", delete_cache=(3600, 3600)) as demo:
        conv = gr.State(None)
        with gr.Row(equal_height=False):
            gr.HTML(
                "<div class='na-header'><h1>News assistant</h1>"
                "<p>Answers come only from the ingested news articles. Every sentence cites its source "
                "<span class='na-cite'>[n]</span>; check each passage in the Sources panel.</p></div>",
                js_on_load=None,
            )
        status = gr.Markdown(status_text(), elem_classes=["na-status"], elem_id="na-status")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chatbot = gr.Chatbot(
                    label="Conversation",
                    elem_id="na-chat",
                    height=540,
                    layout="bubble",
                    latex_delimiters=[],
                    feedback_options=None,
                    buttons=[],
                    group_consecutive_messages=False,
                    placeholder="Ask a question about the articles, or pick an example.",
                    examples=[{"text": q} for q in examples] or None,
                )
                with gr.Row(equal_height=True):
                    msg = gr.Textbox(
                        show_label=False,
                        placeholder="Ask about the articles … (Enter sends, Shift+Enter adds a line)",
                        lines=1,
                        max_lines=6,
                        scale=8,
                        autofocus=True,
                        elem_id="na-input",
                        container=False,
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, min_width=90)
                with gr.Row(equal_height=True):
                    perspectives = gr.Checkbox(
                        label="Perspectives: for and against, by claim",
                        value=False,
                        elem_id="na-perspectives",
                        scale=3,
                    )
                    source_filter = gr.Dropdown(
                        choices=source_choices(entries()),
                        value=[],
                        multiselect=True,
                        label="Only these sources (empty: all articles)",
                        elem_id="na-source-filter",
                        scale=4,
                    )
                new = gr.Button("New conversation", size="sm", variant="secondary", elem_id="na-new")
            with gr.Column(scale=2, min_width=320):
                gr.Markdown("### Sources")
                sources = gr.HTML(
                    render.sources_html(None, service.article),
                    elem_id="na-sources",
                    js_on_load=None,
                    max_height=620,
                )
        with gr.Accordion("Articles in the store", open=False):
            articles = gr.Dataframe(
                value=article_rows(entries()),
                headers=ARTICLE_COLUMNS,
                interactive=False,
                wrap=True,
                max_height=360,
                elem_id="na-articles",
            )
            with gr.Row(equal_height=True):
                to_remove = gr.Dropdown(
                    choices=[e.name for e in entries()],
                    value=[],
                    multiselect=True,
                    label="Articles to remove",
                    elem_id="na-remove-pick",
                    scale=4,
                )
                remove_btn = gr.Button("Remove from the store", variant="stop", scale=1, elem_id="na-remove")
            remove_msg = gr.Markdown(elem_id="na-remove-msg")
        with gr.Accordion("Add articles", open=False):
            gr.Markdown(
                f"Upload `.txt` or `.md` articles (UTF-8, at most {service.settings.max_file_mb:g} MB each). "
                "They are kept in the store's own folder and only new or changed articles are embedded; "
                "the chat keeps running, and every server on this store sees them."
            )
            upload = gr.File(
                file_count="multiple",
                file_types=[".txt", ".md"],
                type="filepath",
                label="Articles",
                elem_id="na-upload",
            )
            reingest_btn = gr.Button("Add files and ingest", variant="secondary", elem_id="na-reingest")
            ingest_msg = gr.Markdown(elem_id="na-ingest-msg")

        listing = [source_filter, articles, to_remove]
        chat_io = {
            "inputs": [msg, chatbot, conv, perspectives, source_filter],
            "outputs": [msg, chatbot, conv, sources],
        }
        msg.submit(respond, **chat_io, api_visibility="private")
        send.click(respond, **chat_io, api_visibility="private")
        chatbot.example_select(pick_example, None, [msg], api_visibility="private", queue=False).then(
            respond, **chat_io, api_visibility="private"
        )
        chatbot.select(show_sources, [conv], [sources], api_visibility="private", queue=False)
        new.click(new_conversation, None, [chatbot, conv, sources, msg], api_visibility="private", queue=False)
        chatbot.clear(new_conversation, None, [chatbot, conv, sources, msg], api_visibility="private", queue=False)
        reingest_btn.click(
            reingest,
            [upload],
            [upload, ingest_msg, status],
            api_visibility="private",
            concurrency_limit=1,
            concurrency_id="ingest",
        ).then(refresh_sources, [source_filter], listing, api_visibility="private", queue=False)
        remove_btn.click(
            remove_articles,
            [to_remove],
            [remove_msg, status],
            api_visibility="private",
            concurrency_limit=1,
            concurrency_id="ingest",
        ).then(refresh_sources, [source_filter], listing, api_visibility="private", queue=False)
        demo.load(status_text, None, [status], api_visibility="private", queue=False)
        demo.load(refresh_sources, [source_filter], listing, api_visibility="private", queue=False)
        gr.api(ask, api_name="ask")

    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return demo


def launch_app(
    demo: gr.Blocks,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: tuple[str, str] | None = None,
    max_file_mb: float = 20.0,
    quiet: bool = True,
) -> str:
    """Start the server without blocking and return its URL; ``demo.close()`` stops it.

    No share link, no monitoring endpoint, no saved run history and no server-side rendering:
    the page talks only to this server.
    """
    setup_offline()
    demo.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        share=False,
        prevent_thread_lock=True,
        quiet=quiet,
        show_error=False,
        footer_links=["api"],
        run_history=False,
        enable_monitoring=False,
        ssr_mode=False,
        mcp_server=False,
        max_file_size=int(max_file_mb * 1e6),
        theme=gr.themes.Default(primary_hue="blue", neutral_hue="slate"),
        css=CSS,
        head=HEAD,
    )
    return str(demo.local_url)
