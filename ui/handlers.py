"""The web chat's event handlers: what each button, box and list does, over ``ui.chat.Chat``.

Kept apart from the layout (``ui.app``) so each reads on its own. Every handler takes the browser's
saved state ``who`` (owner id, current conversation) and returns it when it changes; ``viewing``
remembers which conversation each open page shows, so an answer still being written for a
conversation the page has left goes on being saved without being drawn over the other one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from assistant.services.library import LibraryService
from ui import library_tab
from ui.chat import Chat, new_id, who_of
from ui.conversations import export_file


class Handlers:
    """Callbacks for one app; ``viewing`` maps a page (Gradio session) to the conversation it shows."""

    def __init__(self, library: LibraryService, chat: Chat) -> None:
        self.library = library
        self.chat = chat
        self.viewing: dict[str, str] = {}
        self._pages: dict[str, dict[str, str]] = {}

    def who(self, who: dict[str, Any] | None, request: gr.Request | None) -> dict[str, Any]:
        """The browser's saved state, completed the same way for every event of one page: events sent
        before the page's saved state came back (a question sent at once, two sent together) land in
        the same new conversation instead of each making its own."""
        page = self._pages.setdefault(request.session_hash if request is not None else "", who_of(None))
        who = dict(who or {})
        who["owner"] = who.get("owner") or page["owner"]
        who["current"] = who.get("current") or page["current"]
        return who

    def _view(self, request: gr.Request | None, who: dict[str, Any]) -> None:
        if request is not None and request.session_hash:
            self.viewing[request.session_hash] = who["current"]

    def _list(self, who: dict[str, Any]) -> Any:
        choices = self.chat.choices(who)
        value = who["current"] if any(v == who["current"] for _, v in choices) else None
        return gr.update(choices=choices, value=value)

    def _screen(self, who: dict[str, Any]) -> tuple[Any, ...]:
        """Chatbot, sources panel, conversation list, Stop and the rename box for the current conversation."""
        conv = self.chat.conversation(who)
        return (
            self.chat.messages(conv),
            self.chat.panel(conv),
            self._list(who),
            gr.update(interactive=self.chat.pending(conv)),
            gr.update(value=conv.title if conv else ""),
        )

    def leave(self, request: gr.Request) -> None:
        """A page closed: forget what this process kept for it."""
        session = request.session_hash if request is not None else None
        if session:
            self._pages.pop(session, None)
            self.viewing.pop(session, None)

    # -- conversations ----------------------------------------------------------------------------
    def load(self, who: dict[str, Any] | None, request: gr.Request) -> tuple[Any, ...]:
        who = self.who(who, request)
        self._view(request, who)
        return (who, *self._screen(who))

    def switch(self, cid: str | None, who: dict[str, Any] | None, request: gr.Request) -> tuple[Any, ...]:
        who = self.who(who, request)
        if cid:
            who["current"] = cid
        self._view(request, who)
        return (who, *self._screen(who))

    def new(self, who: dict[str, Any] | None, request: gr.Request) -> tuple[Any, ...]:
        who = self.who(who, request)
        who["current"] = new_id()
        self._view(request, who)
        return (who, *self._screen(who))

    def rename(self, title: str, who: dict[str, Any] | None, request: gr.Request) -> Any:
        who = self.who(who, request)
        if not self.chat.store.rename(who["owner"], who["current"], title):
            gr.Warning("Ask a first question before naming the conversation, and give it a name.")
        return self._list(who)

    def ask_delete(self, who: dict[str, Any] | None, request: gr.Request) -> tuple[Any, ...]:
        conv = self.chat.conversation(self.who(who, request))
        if conv is None:
            return gr.update(visible=False), ""
        n = len(conv.turns)
        text = f"Delete “{conv.title}” and its {n} question{'s' if n != 1 else ''}? This cannot be undone."
        return gr.update(visible=True), text

    def delete(self, who: dict[str, Any] | None, request: gr.Request) -> tuple[Any, ...]:
        who = self.who(who, request)
        self.chat.stop(who["owner"], who["current"])
        self.chat.store.delete(who["owner"], who["current"])
        left = self.chat.choices(who)
        who["current"] = left[0][1] if left else new_id()
        self._view(request, who)
        return (who, *self._screen(who), gr.update(visible=False))

    def export(self, who: dict[str, Any] | None, request: gr.Request) -> Any:
        conv = self.chat.conversation(self.who(who, request))
        if conv is None:
            gr.Warning("Nothing to export yet: ask a question first.")
            return gr.update(visible=False)
        return gr.update(value=str(export_file(conv)), visible=True)

    # -- questions --------------------------------------------------------------------------------
    def submit(
        self,
        questions: list[str] | str | None,
        who: dict[str, Any] | None,
        perspectives: bool,
        sources: list[str] | None,
        request: gr.Request,
    ) -> tuple[Any, ...]:
        """Save the questions the page took from the box (``ui.style.SEND_JS``); the worker event that
        follows answers them."""
        conv, who = self.chat.submit(questions, self.who(who, request), perspectives, sources)
        self._view(request, who)
        if conv is None:
            return gr.skip(), who, gr.skip(), gr.skip(), gr.skip()
        return self.chat.messages(conv), who, self._list(who), gr.update(interactive=True), conv.title

    def example(
        self,
        who: dict[str, Any] | None,
        perspectives: bool,
        sources: list[str] | None,
        evt: gr.SelectData,
        request: gr.Request,
    ) -> tuple[Any, ...]:
        value = evt.value
        question = value.get("text", "") if isinstance(value, dict) else str(value or "")
        return self.submit([question], who, perspectives, sources, request)

    def work(self, who: dict[str, Any] | None, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """Answer the conversation's waiting questions, drawing them while this page shows that conversation."""
        who = self.who(who, request)
        owner, cid = who["owner"], who["current"]
        page = request.session_hash if request is not None else None

        def shown() -> bool:
            return page is None or self.viewing.get(page, cid) == cid

        steps = self.chat.work(owner, cid)
        try:
            for conv, answered in steps:
                if shown():
                    panel = self.chat.panel(conv, answered) if answered is not None else gr.skip()
                    yield self.chat.messages(conv), panel, gr.update(interactive=True)
        finally:
            steps.close()  # a cancelled or abandoned event releases the question it was answering
        if shown():
            conv = self.chat.conversation(who)
            yield self.chat.messages(conv), gr.skip(), gr.update(interactive=self.chat.pending(conv))

    def stop(self, who: dict[str, Any] | None, request: gr.Request) -> tuple[Any, ...]:
        who = self.who(who, request)
        conv = self.chat.stop(who["owner"], who["current"])
        return self.chat.messages(conv), gr.update(interactive=False)

    def select(self, who: dict[str, Any] | None, evt: gr.SelectData, request: gr.Request) -> Any:
        """Clicking an answer (or one of its [n] links) shows that answer's sources in the panel."""
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        conv = self.chat.conversation(self.who(who, request))
        if conv is None or not isinstance(index, int) or index // 2 >= len(conv.turns):
            return gr.skip()
        return self.chat.panel(conv, conv.turns[index // 2].id)

    # -- the store --------------------------------------------------------------------------------
    def summary(self) -> str:
        try:
            return library_tab.summary_markdown(self.library.sources(), self.library.status())
        except Exception as exc:  # a summary must never break the page
            return f"status unavailable: {exc}"

    def upload(self, files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        if not files:
            return None, ""
        return None, library_tab.ingest_files(self.library, list(files), progress)

    def remove(self, names: list[str] | None) -> str:
        return library_tab.remove(self.library, names)
