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

from assistant.readers import ReaderError  # noqa: E402
from assistant.service import QuestionError, Service  # noqa: E402
from store.chroma import StoreError  # noqa: E402
from ui import render  # noqa: E402
from ui.uploads import add_uploads  # noqa: E402

#: Answers computed at once across all sessions (the rest wait in the queue).
CONCURRENCY = 4
#: Requests waiting in the queue before new ones are turned away.
QUEUE_SIZE = 64

#: Example questions about the seed articles (shown when the corpus holds them).
SEED_EXAMPLES = {
    "003_2c27475b07d2a74f.txt": [
        "What did Jake Sullivan say the US would not allow?",
        "Who is Einar Tangen?",
        "Which photo agency took the picture of the officer adjusting a Russian flag?",
    ],
}

CSS = """
.na-header h1 { margin: 0 0 2px 0; font-size: 1.6rem; }
.na-header p { margin: 0; color: var(--body-text-color-subdued); }
.na-status { font-size: 0.9em; color: var(--body-text-color-subdued); }
.na-cite { color: var(--color-accent); font-weight: 600; white-space: nowrap; }
.na-sources { display: block; font-size: 0.85em; color: var(--body-text-color-subdued); }
.na-sources code { font-size: 0.95em; }
.na-understood { display: block; font-size: 0.82em; font-style: italic; color: var(--body-text-color-subdued); }
.na-refused { color: #b45309; font-weight: 600; }
.na-thinking { color: var(--body-text-color-subdued); font-style: italic; }
#na-chat .message:has(.na-refused) { background: #fff7ed !important; border-color: #fdba74 !important; }
.na-panel-empty { color: var(--body-text-color-subdued); padding: 8px 2px; }
.na-panel-q { font-size: 0.9em; color: var(--body-text-color-subdued); margin-bottom: 8px; }
.na-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  margin-bottom: 10px; background: var(--block-background-fill); }
.na-card-refused { border-color: #fdba74; background: #fff7ed; color: #7c2d12; }
.na-card-head { font-weight: 600; }
.na-file { font-family: var(--font-mono); font-size: 0.9em; }
.na-title { font-weight: 600; margin-top: 2px; }
.na-meta { font-size: 0.8em; color: var(--body-text-color-subdued); margin-top: 2px; }
.na-warn { font-size: 0.85em; color: #b45309; margin-top: 4px; }
.na-passage { margin: 8px 0 6px 0; padding: 4px 10px; border-left: 3px solid var(--color-accent);
  font-size: 0.9em; line-height: 1.45; white-space: pre-wrap; color: var(--body-text-color); }
.na-gap { display: block; height: 0.5em; }
.na-card mark { background: #fde68a; color: #1f2937; padding: 0 1px; border-radius: 2px; }
.na-about { font-size: 0.8em; color: var(--body-text-color-subdued); margin-top: 2px; }
.na-outlet { font-weight: 600; }
.na-support { color: #15803d; font-weight: 600; }
.na-contra { color: #b91c1c; font-weight: 600; }
.na-role { font-size: 0.75em; font-weight: 600; margin-left: 6px; padding: 0 6px; border-radius: 8px;
  border: 1px solid currentColor; }
.na-article summary { cursor: pointer; font-size: 0.85em; color: var(--color-accent); }
.na-article-text { position: relative; max-height: 320px; overflow-y: auto; white-space: pre-wrap;
  font-size: 0.85em; line-height: 1.45; margin-top: 6px; padding: 6px 8px;
  border: 1px solid var(--border-color-primary); border-radius: 6px; }
"""

#: Opening a whole article scrolls its box to the marked passage.
HEAD = """
<script>
document.addEventListener("toggle", (event) => {
  const details = event.target;
  if (!(details instanceof HTMLDetailsElement) || !details.open || !details.classList.contains("na-article")) return;
  const box = details.querySelector(".na-article-text");
  const mark = box && box.querySelector("mark");
  if (mark) box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 3);
}, true);
</script>
"""


def default_examples(corpus_dir: Path) -> list[str]:
    """Example questions that fit the corpus: the seed questions when the seed articles are there."""
    out: list[str] = []
    for name, questions in SEED_EXAMPLES.items():
        if (corpus_dir / name).is_file():
            out.extend(questions)
    return out


def source_choices(corpus_dir: Path, max_bytes: int = 2_000_000) -> list[tuple[str, str]]:
    """The source filter's choices: (label, file name) for every article of the corpus folder.

    The label names the outlet the article states for itself and its headline, so a reader can pick
    "Al Jazeera" without knowing file names; the value is the file name as ingested.
    """
    from store.documents import find_articles, open_problem
    from store.metadata import extract_outlet, extract_title

    out: list[tuple[str, str]] = []
    for path in find_articles(corpus_dir):
        name = path.relative_to(corpus_dir).as_posix()
        if open_problem(path, corpus_dir):  # a named pipe would hang the page; a link out would leak
            continue
        try:
            with path.open(encoding="utf-8", errors="replace") as fh:
                text = fh.read(max_bytes)
        except OSError:
            continue
        outlet, _ = extract_outlet(text)
        title = extract_title(text, max_chars=70)
        label = " · ".join(x for x in (outlet, name) if x) + (f" — {title}" if title else "")
        out.append((label, name))
    return out


def store_failure(exc: BaseException) -> str | None:
    """The message for an error of the store itself met while answering (gone, damaged), else None.

    A database damaged under a running server surfaces as a Chroma error; the user needs to hear that
    it is the store and how to get it back, not a bare "Database error".
    """
    from chromadb.errors import ChromaError

    if isinstance(exc, StoreError):
        return str(exc)
    if isinstance(exc, ChromaError):
        return f"the store cannot be read ({exc}); rebuild it with `news-assistant ingest --rebuild`"
    return None


def _new_conversation() -> dict[str, Any]:
    """One session's conversation: the plain-text turns the service sees, and each answer's record."""
    return {"history": [], "records": {}}


def build_app(service: Service, examples: list[str] | None = None) -> gr.Blocks:
    """The chat page over ``service``; queue and API endpoint included (launch it with ``launch_app``)."""
    setup_offline()
    if examples is None:
        examples = default_examples(service.settings.corpus_dir)
    max_bytes = int(service.settings.max_file_mb * 1e6)

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
                yield "", chat, conv, render.sources_html(data, service.article_text)
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
        return render.sources_html(record, service.article_text) if record is not None else gr.skip()

    def pick_example(evt: gr.SelectData) -> str:
        value = evt.value
        return value.get("text", "") if isinstance(value, dict) else str(value or "")

    def refresh_sources(selected: list[str] | None = None) -> Any:
        """New choices after a re-ingest (added articles), keeping the selection that still exists."""
        choices = source_choices(service.settings.corpus_dir)
        names = {value for _, value in choices}
        return gr.update(choices=choices, value=[v for v in selected or [] if v in names])

    def new_conversation() -> tuple[Any, ...]:
        return [], _new_conversation(), render.sources_html(None, service.article_text), ""

    def reingest(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        from store.ingest import IngestError

        corpus = service.settings.corpus_dir
        lines: list[str] = []
        if files:
            result = add_uploads([Path(f) for f in files], corpus, max_bytes)
            if result.added:
                lines.append("Added " + ", ".join(f"`{n}`" for n in result.added) + ".")
            if result.same:
                lines.append("Already in the corpus: " + ", ".join(f"`{n}`" for n in result.same) + ".")
            lines += [f"⚠️ {render.md_text(p)}" for p in result.problems]

        def on_progress(done: int, total: int) -> None:
            progress((done, max(total, 1)), desc="Embedding new and changed articles")

        try:
            report = service.ingest(corpus, progress=on_progress)
        except (IngestError, StoreError) as exc:
            lines.append(f"⚠️ Re-ingest failed: {render.md_text(str(exc))}")
            return None, "\n\n".join(lines), status_text()
        lines.append(
            f"Re-ingested: {len(report.added)} added, {len(report.changed)} changed, "
            f"{len(report.removed)} removed, {len(report.unchanged)} unchanged "
            f"({report.new_chunks} new chunks, {report.seconds:.1f} s)."
        )
        lines += [f"⚠️ skipped {render.md_text(str(p))}" for p in report.problems]
        return None, "\n\n".join(lines), status_text()

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
                        choices=source_choices(service.settings.corpus_dir),
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
                    render.sources_html(None, service.article_text),
                    elem_id="na-sources",
                    js_on_load=None,
                    max_height=620,
                )
        with gr.Accordion("Add articles and re-ingest", open=False):
            gr.Markdown(
                f"Upload `.txt` or `.md` articles (UTF-8, at most {service.settings.max_file_mb:g} MB each). "
                f"They are copied into the corpus folder `{render.md_text(str(service.settings.corpus_dir))}` and "
                "only new or changed files are embedded; the chat keeps running."
            )
            upload = gr.File(
                file_count="multiple",
                file_types=[".txt", ".md"],
                type="filepath",
                label="Articles",
                elem_id="na-upload",
            )
            reingest_btn = gr.Button("Add files and re-ingest", variant="secondary", elem_id="na-reingest")
            ingest_msg = gr.Markdown(elem_id="na-ingest-msg")

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
        ).then(refresh_sources, [source_filter], [source_filter], api_visibility="private", queue=False)
        demo.load(status_text, None, [status], api_visibility="private", queue=False)
        demo.load(refresh_sources, [source_filter], [source_filter], api_visibility="private", queue=False)
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
