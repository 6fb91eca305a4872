"""The web chat: a Gradio page over the feature services of ``assistant.service.Service``.

The page is a thin client: every answer, source and figure comes from the services
(``assistant.services``), conversations from ``assistant.conversations`` (SQLite in the store
folder, so they survive a reload and a restart), and this module only lays them out and wires the
events (``ui.handlers``). A question is saved the moment it is sent and answered in order by a
worker event, so the draft in the box is never touched by streaming and a question sent while
another is answered waits instead of being dropped. ``/ask`` is a named API endpoint returning the
FORMATS.md answer record, for scripts using ``gradio_client``.

Import this module only after ``assistant.offline.setup_offline()`` (``launch_app`` and
``build_app`` call it too) so Gradio starts with analytics off.
"""

from __future__ import annotations

from typing import Any

from assistant.offline import setup_offline

setup_offline()

import gradio as gr  # noqa: E402

from assistant.conversations import ConversationStore  # noqa: E402
from assistant.readers import ReaderError  # noqa: E402
from assistant.service import Service  # noqa: E402
from assistant.services.library import store_failure  # noqa: E402
from assistant.services.questions import QuestionError  # noqa: E402
from ui import library_tab, render  # noqa: E402
from ui.articles import default_examples, source_choices  # noqa: E402
from ui.chat import Chat  # noqa: E402
from ui.handlers import Handlers  # noqa: E402
from ui.style import CSS, HEAD, SEND_JS  # noqa: E402

#: Answers computed at once across all sessions (the rest wait in the queue).
CONCURRENCY = 4
#: Requests waiting in the queue before new ones are turned away.
QUEUE_SIZE = 64
#: Seconds between two checks of the store's summary (an upload from another tab or server).
REFRESH_S = 5.0
PRIVATE: dict[str, Any] = {"api_visibility": "private"}


def build_app(service: Service, examples: list[str] | None = None) -> gr.Blocks:
    """The chat page over ``service``; queue and API endpoint included (launch it with ``launch_app``)."""
    answers, library = service.answers, service.library
    answers.preload()  # before any worker thread answers (see AskService.preload)
    setup_offline()
    store = ConversationStore(service.settings.store_dir)
    h = Handlers(library, Chat(answers, service.perspectives_service, library, store))

    def entries() -> list[Any]:
        try:
            return library.sources()
        except Exception:  # a list must never break the page; the summary says what is wrong
            return []

    if examples is None:
        examples = default_examples(entries())

    def refresh(selected: list[str] | None = None, query: str = "") -> tuple[Any, ...]:
        """Everything that shows the store's articles, as the store holds them now."""
        held = entries()
        choices = source_choices(held)
        names = {value for _, value in choices}
        return (
            h.summary(),
            gr.update(choices=choices, value=[v for v in selected or [] if v in names]),
            library_tab.table(held, query),
            gr.update(choices=[e.name for e in held], value=[]),
            gr.update(label=library_tab.tab_label(len(held))),
        )

    def tick(shown: str, selected: list[str] | None, query: str) -> tuple[Any, ...]:
        """Every few seconds: redraw what shows the store, only when its summary changed (an upload elsewhere)."""
        if h.summary() == shown:
            return (gr.skip(),) * 5
        return refresh(selected, query)

    def ask(question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
        """Answer a question from the articles; returns the answer record of FORMATS.md (answer, refused, citations).

        Args:
            question: the question to answer.
            history: optional earlier turns, a list of {"role": "user"|"assistant", "content": str}.
        """
        try:
            return answers.ask(question, history if isinstance(history, list) else None).to_dict()
        except (QuestionError, ReaderError) as exc:  # shown to the caller even with show_error=False
            raise gr.Error(str(exc)) from exc
        except Exception as exc:
            reason = store_failure(exc)
            if reason is None:
                raise
            raise gr.Error(reason) from exc

    with gr.Blocks(title="News assistant", delete_cache=(3600, 3600)) as demo:
        who = gr.BrowserState({}, storage_key="news-assistant-chat", secret=store.secret())
        gr.HTML(
            "<div class='na-header'><h1>News assistant</h1>"
            "<p>Answers come only from the articles in the store. Every answer cites its sources "
            "<span class='na-cite'>[n]</span>: point at one to preview it, click it to see the passage.</p></div>",
            js_on_load=None,
        )
        held = entries()
        with gr.Row(equal_height=False, elem_id="na-store-row"):
            with gr.Column(scale=3, min_width=300):
                status = gr.Markdown(h.summary(), elem_classes=["na-status"], elem_id="na-status")
            with gr.Column(scale=2, min_width=260):
                upload, ingest_msg = library_tab.drop_zone(service.settings.max_file_mb)
        with gr.Sidebar(label="Conversations", open=True, elem_id="na-sidebar"):
            new = gr.Button("New conversation", size="sm", variant="primary", elem_id="na-new")
            conv_list = gr.Radio(choices=[], label="Conversations", elem_id="na-conversations")
            rename_box = gr.Textbox(label="Name", max_lines=1, elem_id="na-rename-box")
            with gr.Row():
                rename_btn = gr.Button("Rename", size="sm", elem_id="na-rename", min_width=60)
                export_btn = gr.Button("Export .md", size="sm", elem_id="na-export", min_width=60)
                delete_btn = gr.Button("Delete…", size="sm", variant="stop", elem_id="na-delete", min_width=60)
            with gr.Group(visible=False, elem_id="na-confirm") as confirm_row:
                confirm_text = gr.Markdown(elem_id="na-confirm-text")
                with gr.Row():
                    confirm_btn = gr.Button("Delete", size="sm", variant="stop", elem_id="na-confirm-delete")
                    cancel_btn = gr.Button("Keep it", size="sm", elem_id="na-confirm-cancel")
            exported = gr.File(label="Markdown export", visible=False, elem_id="na-export-file")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"), gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=340):
                    chatbot = gr.Chatbot(
                        label="Conversation",
                        elem_id="na-chat",
                        height=560,
                        layout="bubble",
                        latex_delimiters=[],
                        feedback_options=None,
                        buttons=[],
                        group_consecutive_messages=False,
                        placeholder="Ask a question about the articles, or pick an example.",
                        examples=[{"text": q} for q in examples] or None,
                    )
                    with gr.Row(equal_height=True, elem_id="na-ask-row"):
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
                        send = gr.Button("Ask", variant="primary", scale=1, min_width=64, elem_id="na-ask")
                        stop = gr.Button(
                            "Stop", variant="stop", scale=1, min_width=64, interactive=False, elem_id="na-stop"
                        )
                    # the questions taken from the box at the key press or click (ui.style.SEND_JS)
                    outbox = gr.JSON(None, visible=False, elem_id="na-outbox")
                    with gr.Row(equal_height=True, elem_id="na-options"):
                        perspectives = gr.Checkbox(
                            label="Perspectives: for and against", value=False, elem_id="na-perspectives", scale=2
                        )
                        source_filter = gr.Dropdown(
                            choices=source_choices(held),
                            value=[],
                            multiselect=True,
                            label="Only these sources (empty: all articles)",
                            elem_id="na-source-filter",
                            scale=3,
                        )
                with gr.Column(scale=2, min_width=300, elem_id="na-sources-col"):
                    gr.Markdown("### Sources")
                    sources = gr.HTML(
                        render.sources_html(None, library.article),
                        elem_id="na-sources",
                        js_on_load=None,
                        max_height=640,
                    )
            tab_args = {"id": "articles", "elem_id": "na-articles-tab"}
            with gr.Tab(library_tab.tab_label(len(held)), **tab_args) as articles_tab:
                search, articles, to_remove, remove_btn, remove_msg = library_tab.articles_panel(held)
        timer = gr.Timer(REFRESH_S)

        screen = [chatbot, sources, conv_list, stop, rename_box]
        drawn = [chatbot, sources, stop]
        listing = [status, source_filter, articles, to_remove, articles_tab]

        def then_work(event: Any) -> None:
            # no concurrency cap here: a worker waiting for another page's answer must never hold up others
            event.then(h.work, [who], drawn, trigger_mode="multiple", concurrency_limit=None, **PRIVATE)

        sent = {
            "fn": h.submit,
            "inputs": [outbox, who, perspectives, source_filter],
            "outputs": [chatbot, who, conv_list, stop, rename_box],
            "js": SEND_JS,
            "queue": False,
            "trigger_mode": "multiple",
        }
        then_work(msg.submit(**sent, **PRIVATE))
        then_work(send.click(**sent, **PRIVATE))
        then_work(
            chatbot.example_select(
                h.example,
                [who, perspectives, source_filter],
                [chatbot, who, conv_list, stop, rename_box],
                queue=False,
                **PRIVATE,
            )
        )
        then_work(demo.load(h.load, [who], [who, *screen], queue=False, **PRIVATE))
        then_work(conv_list.input(h.switch, [conv_list, who], [who, *screen], queue=False, **PRIVATE))
        # Stop marks the waiting questions stopped and frees the one being answered: its worker sees that at
        # its next step and ends, drawing the page from the store. No Gradio cancel: a cancelled worker is
        # dropped mid-answer, still holding its question. Questions sent while Stop was on its way are answered.
        stop.click(h.stop, [who], [chatbot, stop], queue=False, **PRIVATE).then(
            h.work, [who], drawn, trigger_mode="multiple", concurrency_limit=None, **PRIVATE
        )
        chatbot.select(h.select, [who], [sources], queue=False, **PRIVATE)
        new.click(h.new, [who], [who, *screen], queue=False, **PRIVATE)
        chatbot.clear(h.new, [who], [who, *screen], queue=False, **PRIVATE)
        rename_btn.click(h.rename, [rename_box, who], [conv_list], queue=False, **PRIVATE)
        delete_btn.click(h.ask_delete, [who], [confirm_row, confirm_text], queue=False, **PRIVATE)
        cancel_btn.click(lambda: gr.update(visible=False), None, [confirm_row], queue=False, **PRIVATE)
        confirm_btn.click(h.delete, [who], [who, *screen, confirm_row], queue=False, **PRIVATE)
        export_btn.click(h.export, [who], [exported], **PRIVATE)

        upload.upload(
            h.upload, [upload], [upload, ingest_msg], concurrency_limit=1, concurrency_id="ingest", **PRIVATE
        ).then(refresh, [source_filter, search], listing, queue=False, **PRIVATE)
        remove_btn.click(
            h.remove, [to_remove], [remove_msg], concurrency_limit=1, concurrency_id="ingest", **PRIVATE
        ).then(refresh, [source_filter, search], listing, queue=False, **PRIVATE)
        search.change(lambda q: library_tab.table(entries(), q), [search], [articles], queue=False, **PRIVATE)
        demo.load(refresh, [source_filter, search], listing, queue=False, **PRIVATE)
        timer.tick(tick, [status, source_filter, search], listing, queue=False, **PRIVATE)
        demo.unload(h.leave)
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
