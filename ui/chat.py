"""The chat's conversation logic: questions saved on send, answered in order, never lost.

A question is written to the conversation store (``assistant.conversations``) the moment it is sent,
as *pending*; a worker then answers the conversation's pending questions one after the other, so a
second question sent while the first is answered waits its turn instead of being dropped, and a
reload or a restarted server finds it again. Which question is being answered right now is kept in
memory (``Live``): only this process can be answering it, and its partial text is what any page
showing that conversation draws. The page is always drawn from the store plus that partial text,
so several events writing the chatbot at once draw the same thing.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from assistant.conversations import DONE, FAILED, PENDING, STOPPED, Conversation, ConversationStore, Turn
from assistant.services.ask import AskService
from assistant.services.library import LibraryService, store_failure
from assistant.services.perspectives import PerspectivesService
from ui import messages, render

#: Seconds a page follows another event's answer that shows no progress before it stops waiting.
FOLLOW_S = 120.0


@dataclass
class Answering:
    """The question of a conversation being answered now, and its text so far."""

    turn: int
    partial: str = ""


class Live:
    """Which turn each conversation is answering in this process (one at a time, in order)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._now: dict[str, Answering] = {}

    def claim(self, store: ConversationStore, cid: str) -> Turn | None:
        """The next pending question of ``cid`` for this worker, unless another worker answers ``cid`` now."""
        with self._lock:
            if cid in self._now:
                return None
            turn = store.next_pending(cid)
            if turn is not None:
                self._now[cid] = Answering(turn.id)
            return turn

    def get(self, cid: str) -> Answering | None:
        with self._lock:
            return self._now.get(cid)

    def stop(self, store: ConversationStore, cid: str) -> None:
        """Mark the conversation's waiting questions stopped and forget the one being answered, in one
        step with ``claim``: a worker cannot claim a question between the two and answer it after Stop."""
        with self._lock:
            store.stop_pending(cid)
            self._now.pop(cid, None)

    def release(self, cid: str, turn: int) -> None:
        """Forget ``turn`` (answered, failed or stopped), unless a newer worker holds the conversation."""
        with self._lock:
            if (a := self._now.get(cid)) is not None and a.turn == turn:
                del self._now[cid]


def new_id() -> str:
    """A conversation id made before its first question, so two questions sent at once share it."""
    return uuid.uuid4().hex


def who_of(who: dict[str, Any] | None) -> dict[str, Any]:
    """The browser's saved state: its owner id and its current conversation (made when missing)."""
    who = dict(who or {})
    who.setdefault("owner", None)
    who["owner"] = who["owner"] or uuid.uuid4().hex
    who["current"] = who.get("current") or new_id()
    return who


class Chat:
    """Draws conversations and answers their questions through the ask and perspectives services."""

    def __init__(
        self,
        answers: AskService,
        perspectives: PerspectivesService,
        library: LibraryService,
        store: ConversationStore,
    ) -> None:
        self.answers = answers
        self.perspectives_service = perspectives
        self.library = library
        self.store = store
        self.live = Live()

    # -- drawing ----------------------------------------------------------------------------------
    def conversation(self, who: dict[str, Any]) -> Conversation | None:
        return self.store.get(who["owner"], who["current"])

    def messages(self, conv: Conversation | None) -> list[dict[str, str]]:
        """The chatbot's messages: every question, then its answer, its partial text or its place in line."""
        out: list[dict[str, str]] = []
        if conv is None:
            return out
        now = self.live.get(conv.id)
        ahead = 1 if now is not None else 0
        for t in conv.turns:
            out.append({"role": "user", "content": render.md_text(t.question)})
            if t.status == DONE and t.record is not None:
                content = messages.answer_message(t.record, t.id)
            elif t.status == FAILED:
                content = messages.error_message((t.record or {}).get("error", "Could not answer."))
            elif t.status == STOPPED:
                content = messages.stopped_message()
            elif now is not None and now.turn == t.id:
                content = messages.partial_message(now.partial) if now.partial else messages.waiting_message(0)
            else:
                content = messages.waiting_message(ahead)
                ahead += 1
            out.append({"role": "assistant", "content": content})
        return out

    def panel(self, conv: Conversation | None, turn_id: int | None = None) -> str:
        """The sources panel for one turn (default: the latest answered one)."""
        done = [t for t in (conv.turns if conv else []) if t.status == DONE and t.record is not None]
        chosen = next((t for t in done if t.id == turn_id), None) if turn_id is not None else None
        chosen = chosen or (done[-1] if done else None)
        if chosen is None:
            return render.sources_html(None, self.library.article)
        return render.sources_html(chosen.record, self.library.article, chosen.id)

    def choices(self, who: dict[str, Any]) -> list[tuple[str, str]]:
        return [(title, cid) for cid, title in self.store.list(who["owner"])]

    # -- questions --------------------------------------------------------------------------------
    def submit(
        self, questions: str | list[str] | None, who: dict[str, Any], perspectives: bool, sources: list[str] | None
    ) -> Any:
        """Save sent questions (one, or several the page took from the box since its last send) as
        pending, in order; returns the conversation drawn with them (the worker answers them)."""
        who = who_of(who)
        if isinstance(questions, str) or questions is None:
            questions = [questions or ""]
        texts = [q.strip() for q in questions if isinstance(q, str) and q.strip()]
        if not texts:
            return None, who
        options = {"perspectives": bool(perspectives), "sources": list(sources or [])}
        for question in texts:
            if self.store.add_question(who["owner"], who["current"], question, options) is None:
                who["current"] = new_id()  # a conversation of another browser: start a new one
                self.store.add_question(who["owner"], who["current"], question, options)
        return self.conversation(who), who

    def _answers(self, conv: Conversation, turn: Turn) -> Iterator[tuple[str, Any]]:
        """The answer as it grows: streamed for a plain question; whole for perspectives or a source filter."""
        history = conv.history(before=turn.id)
        sources = list(turn.options.get("sources") or [])
        if turn.options.get("perspectives"):
            record = self.perspectives_service.perspectives(turn.question, history, sources=sources or None)
            yield record.answer, record
        elif sources:
            record = self.answers.ask(turn.question, history, sources=sources)
            yield record.answer, record
        else:
            yield from self.answers.stream(turn.question, history)

    def work(self, owner: str, cid: str) -> Iterator[tuple[Conversation | None, int | None]]:
        """Answer the conversation's pending questions in order, yielding ``(conversation, answered turn)``
        whenever what the page shows changes; follows another worker's answer when one is running."""
        import time

        while True:
            turn = self.live.claim(self.store, cid)
            if turn is None:
                if self.live.get(cid) is None:
                    return
                shown, since = None, time.monotonic()
                while (now := self.live.get(cid)) is not None:  # another event answers: follow it
                    if (now.turn, now.partial) != shown:
                        shown, since = (now.turn, now.partial), time.monotonic()
                        yield self.store.get(owner, cid), None
                    if time.monotonic() - since > FOLLOW_S:
                        return  # that answer makes no progress: stop following (its page may be gone)
                    time.sleep(0.2)
                yield self.store.get(owner, cid), None
                continue
            try:
                conv = self.store.get(owner, cid)
                if conv is None:
                    return
                yield conv, None
                shown, seen = conv, self.store.stamp(cid)
                for partial, record in self._answers(conv, turn):
                    if record is None:
                        if (now := self.live.get(cid)) is None or now.turn != turn.id:
                            return  # stopped
                        now.partial = partial
                        if (stamp := self.store.stamp(cid)) != seen:  # a question sent meanwhile stays drawn
                            shown, seen = self.store.get(owner, cid) or shown, stamp
                        yield shown, None
                        continue
                    self.store.finish(turn.id, DONE, record.to_dict())
            except Exception as exc:  # the question fails, the conversation goes on
                reason = store_failure(exc) or str(exc)
                self.store.finish(turn.id, FAILED, {"error": f"Could not answer: {reason}"})
            finally:
                self.live.release(cid, turn.id)
            yield self.store.get(owner, cid), turn.id

    def stop(self, owner: str, cid: str) -> Conversation | None:
        """Stop answering: the question being answered and those waiting are marked stopped."""
        self.live.stop(self.store, cid)
        return self.store.get(owner, cid)

    def pending(self, conv: Conversation | None) -> bool:
        return conv is not None and any(t.status == PENDING for t in conv.turns)
