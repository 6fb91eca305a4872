"""The answer as it grows, for the web chat and the CLI.

A generative reader's tokens arrive as the model writes them: each sentence is grounded as soon as
it is complete, and one that fails is shown struck through with the reason, never kept. The
extractive reader's answer is whole at once and is shown word by word.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from assistant.records import AnswerRecord


def stream_answer(ask: Callable[[Callable[..., None]], AnswerRecord]) -> Iterator[tuple[str, AnswerRecord | None]]:
    """Run ``ask(on_event)`` in a thread; yield ``(text so far, None)`` as events arrive, then
    ``(record.answer, record)``. An error of ``ask`` is raised here, in the caller's thread."""
    events: queue.Queue[tuple[Any, ...]] = queue.Queue()
    done = object()
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["record"] = ask(lambda *e: events.put(e))
        except BaseException as exc:  # re-raised in the caller's thread
            result["error"] = exc
        finally:
            events.put((done,))

    worker = threading.Thread(target=run, name="answer", daemon=True)
    worker.start()
    view = StreamView()
    while True:
        event = events.get()
        if event[0] is done:
            break
        if view.add(*event):
            yield view.text(), None
    worker.join()
    if "error" in result:
        raise result["error"]
    record: AnswerRecord = result["record"]
    if not view.streamed:
        text = ""
        for word in record.answer.split(" "):
            text = f"{text} {word}" if text else word
            yield text, None
    yield record.answer, record


class StreamView:
    """The growing answer as a reader sees it: kept sentences, withdrawn ones struck through, the
    sentence being written."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pending = ""
        self.streamed = False

    def add(self, kind: str, text: str = "", reason: str = "") -> bool:
        self.streamed = True
        if kind == "token":
            self.pending = text
        elif kind == "kept":
            self.parts.append(text)
            self.pending = ""
        elif kind == "withdrawn":
            self.parts.append(f"~~{text}~~ (withdrawn: {reason})")
            self.pending = ""
        else:
            return False
        return True

    def text(self) -> str:
        return " ".join([*self.parts, self.pending]).strip()
