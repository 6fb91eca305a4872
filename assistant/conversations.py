"""Conversations kept by the product: a small SQLite file in the store folder.

The web chat saves every question the moment it is sent and every answer record when it is
finished, so a conversation survives a page reload and a server restart, and a question sent while
another is being answered waits here (status ``pending``) instead of being dropped. Conversations
belong to an *owner*: an opaque id the browser keeps, so two browsers on one server never see each
other's lists. SQLite (standard library) keeps this free of new dependencies; one connection per
call keeps it safe across Gradio's worker threads.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The file in the store folder.
FILE_NAME = "conversations.sqlite3"
#: Longest title kept (a first question longer than this is cut at a word).
TITLE_CHARS = 80

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conversations (
  id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS turns (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  question TEXT NOT NULL, options TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL, record TEXT, created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns(conversation, id);
CREATE INDEX IF NOT EXISTS conversations_by_owner ON conversations(owner, updated);
"""

#: Turn states: waiting for its answer, answered (``record`` holds the answer record), stopped by the
#: reader, or failed (``record`` holds ``{"error": message}``).
PENDING, DONE, STOPPED, FAILED = "pending", "done", "stopped", "failed"


@dataclass
class Turn:
    """One question of a conversation and, once answered, its answer record (FORMATS.md)."""

    id: int
    question: str
    status: str
    record: dict[str, Any] | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Conversation:
    """A conversation's title and its turns in order."""

    id: str
    title: str
    updated: float
    turns: list[Turn] = field(default_factory=list)

    def history(self, before: int | None = None) -> list[dict[str, str]]:
        """The plain-text turns the service sees as the conversation so far (answered turns only)."""
        out: list[dict[str, str]] = []
        for t in self.turns:
            if before is not None and t.id >= before:
                break
            if t.status == DONE and t.record is not None:
                out += [{"role": "user", "content": t.question}, {"role": "assistant", "content": t.record["answer"]}]
        return out


def title_of(question: str) -> str:
    """A conversation's default title: its first question, shortened at a word."""
    text = " ".join(question.split())
    if len(text) <= TITLE_CHARS:
        return text
    return text[: TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"


class ConversationStore:
    """Conversations in ``<store folder>/conversations.sqlite3``; every method is one short transaction."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE_NAME
        self._lock = threading.Lock()  # one writer at a time within this process
        self._create()

    def _create(self) -> None:
        """The folder and the file with its tables (again, if the store folder was deleted meanwhile)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with self._lock, db:
                db.executescript(SCHEMA)
        finally:
            db.close()

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if not self.path.is_file():
            # The store folder was deleted or moved under the running server: start an empty file so the chat
            # goes on (a question is saved and then fails saying how to rebuild the store) instead of every
            # event failing with "unable to open database file".
            self._create()
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA foreign_keys = ON")
        try:
            with self._lock, db:
                yield db
        finally:
            db.close()

    def secret(self) -> str:
        """A random key made once per store: the browser's saved state stays readable after a restart."""
        with self._db() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'browser_secret'").fetchone()
            if row:
                return str(row[0])
            value = secrets.token_hex(32)
            db.execute("INSERT INTO meta (key, value) VALUES ('browser_secret', ?)", (value,))
            return value

    # -- conversations ----------------------------------------------------------------------------
    def list(self, owner: str) -> list[tuple[str, str]]:
        """``(id, title)`` of the owner's conversations, the most recently used first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT id, title FROM conversations WHERE owner = ? ORDER BY updated DESC, created DESC", (owner,)
            ).fetchall()
        return [(str(i), str(t)) for i, t in rows]

    def get(self, owner: str, cid: str | None) -> Conversation | None:
        """The conversation with its turns, or None if the owner has none of that id."""
        if not cid:
            return None
        with self._db() as db:
            row = db.execute(
                "SELECT id, title, updated FROM conversations WHERE id = ? AND owner = ?", (cid, owner)
            ).fetchone()
            if row is None:
                return None
            turns = db.execute(
                "SELECT id, question, status, record, options FROM turns WHERE conversation = ? ORDER BY id", (cid,)
            ).fetchall()
        return Conversation(
            id=row[0],
            title=row[1],
            updated=row[2],
            turns=[Turn(t[0], t[1], t[2], json.loads(t[3]) if t[3] else None, json.loads(t[4] or "{}")) for t in turns],
        )

    def rename(self, owner: str, cid: str, title: str) -> bool:
        title = " ".join((title or "").split())[:TITLE_CHARS]
        if not title:
            return False
        with self._db() as db:
            cur = db.execute("UPDATE conversations SET title = ? WHERE id = ? AND owner = ?", (title, cid, owner))
            return cur.rowcount == 1

    def delete(self, owner: str, cid: str) -> bool:
        with self._db() as db:
            cur = db.execute("DELETE FROM conversations WHERE id = ? AND owner = ?", (cid, owner))
            return cur.rowcount == 1

    # -- turns ------------------------------------------------------------------------------------
    def add_question(self, owner: str, cid: str, question: str, options: dict[str, Any] | None = None) -> int | None:
        """Save a question as pending (answered in order), creating the conversation on its first
        question (titled by it); None if another owner holds that conversation id."""
        now = time.time()
        with self._db() as db:
            row = db.execute("SELECT owner FROM conversations WHERE id = ?", (cid,)).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO conversations (id, owner, title, created, updated) VALUES (?, ?, ?, ?, ?)",
                    (cid, owner, title_of(question) or "New conversation", now, now),
                )
            elif row[0] != owner:
                return None
            cur = db.execute(
                "INSERT INTO turns (conversation, question, options, status, created) VALUES (?, ?, ?, ?, ?)",
                (cid, question, json.dumps(options or {}), PENDING, now),
            )
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, cid))
            return int(cur.lastrowid or 0)

    def next_pending(self, cid: str) -> Turn | None:
        with self._db() as db:
            row = db.execute(
                "SELECT id, question, status, record, options FROM turns WHERE conversation = ? AND status = ? "
                "ORDER BY id LIMIT 1",
                (cid, PENDING),
            ).fetchone()
        return Turn(row[0], row[1], row[2], None, json.loads(row[4] or "{}")) if row else None

    def stamp(self, cid: str) -> tuple[int, int, int]:
        """A cheap mark of the conversation's turns (how many, the last, how many pending): it changes
        when a question is sent, answered or stopped, so a page redraws from the store only then."""
        with self._db() as db:
            row = db.execute(
                "SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(SUM(status = ?), 0) FROM turns WHERE conversation = ?",
                (PENDING, cid),
            ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def finish(self, turn_id: int, status: str, record: dict[str, Any] | None) -> None:
        """Store a turn's outcome (only a pending turn changes: a stopped one stays stopped)."""
        with self._db() as db:
            db.execute(
                "UPDATE turns SET status = ?, record = ? WHERE id = ? AND status = ?",
                (status, json.dumps(record, ensure_ascii=False) if record is not None else None, turn_id, PENDING),
            )

    def stop_pending(self, cid: str) -> int:
        """Mark every question still waiting in the conversation as stopped; how many there were."""
        with self._db() as db:
            cur = db.execute(
                "UPDATE turns SET status = ? WHERE conversation = ? AND status = ?", (STOPPED, cid, PENDING)
            )
            return cur.rowcount
