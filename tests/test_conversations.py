"""Conversations kept by the product (``assistant.conversations``) and their Markdown export (``ui.conversations``).

Real SQLite files in a temp store folder; a "restart" is a new ``ConversationStore`` on the same folder.
"""

from __future__ import annotations

from pathlib import Path

from assistant.conversations import DONE, PENDING, STOPPED, ConversationStore

RECORD = {
    "question": "Which agency took the photo?",
    "answer": "Reuters took it, the caption says. [1]",
    "direct_answer": "Reuters",
    "refused": False,
    "citations": [
        {
            "n": 1,
            "source": "003_x.txt",
            "start": 10,
            "end": 40,
            "quote": "[File: Jason Lee/Reuters]",
            "title": "Russia seeking military aid",
            "outlet": "Al Jazeera",
            "date": "2022-03-14",
        }
    ],
}


def test_questions_are_kept_in_order_and_survive_a_restart(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    first = store.add_question("me", "c1", "Which agency took the photo?", {"perspectives": False})
    second = store.add_question("me", "c1", "And when?")
    assert first is not None and second is not None and first < second
    assert store.next_pending("c1").id == first  # answered in the order sent
    store.finish(first, DONE, RECORD)
    assert store.next_pending("c1").id == second

    again = ConversationStore(tmp_path)  # a restarted server
    conv = again.get("me", "c1")
    assert conv is not None and conv.title == "Which agency took the photo?"
    assert [t.status for t in conv.turns] == [DONE, PENDING]
    assert conv.turns[0].record["direct_answer"] == "Reuters"
    assert conv.history() == [
        {"role": "user", "content": "Which agency took the photo?"},
        {"role": "assistant", "content": RECORD["answer"]},
    ]
    assert again.secret() == store.secret()  # the browser's saved state stays readable


def test_owners_rename_delete_and_stop(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    store.add_question("me", "c1", "First question " * 10)
    store.add_question("me", "c2", "Second")
    assert store.add_question("you", "c1", "Not yours") is None  # another browser's conversation
    assert store.get("you", "c1") is None and store.list("you") == []
    assert [cid for cid, _ in store.list("me")] == ["c2", "c1"]  # the most recent first
    assert len(store.list("me")[1][1]) <= 80 and store.list("me")[1][1].endswith("…")

    assert store.rename("me", "c1", "  Kites  ") and store.get("me", "c1").title == "Kites"
    assert not store.rename("me", "c1", "   ") and not store.rename("you", "c1", "Mine")

    turn = store.add_question("me", "c2", "Third")
    assert store.stop_pending("c2") == 2
    store.finish(turn, DONE, RECORD)  # an answer arriving after Stop is not kept
    assert {t.status for t in store.get("me", "c2").turns} == {STOPPED}

    assert not store.delete("you", "c1") and store.delete("me", "c1")
    assert store.get("me", "c1") is None and [cid for cid, _ in store.list("me")] == ["c2"]


def test_markdown_export_and_copy_text_carry_the_citations(tmp_path: Path) -> None:
    from ui.conversations import conversation_markdown, export_file
    from ui.messages import copy_text

    store = ConversationStore(tmp_path)
    turn = store.add_question("me", "c1", RECORD["question"])
    store.finish(turn, DONE, RECORD)
    store.add_question("me", "c1", "And who else?")
    conv = store.get("me", "c1")

    copied = copy_text(RECORD)
    assert copied.startswith(RECORD["answer"])
    assert "[1] Russia seeking military aid (Al Jazeera, 2022-03-14) — “[File: Jason Lee/Reuters]”" in copied

    md = conversation_markdown(conv)
    assert md.startswith("# Which agency took the photo?")
    assert "## 1. Which agency took the photo?" in md and "**Reuters**" in md
    assert "- [1] Russia seeking military aid (Al Jazeera, 2022-03-14)" in md and "`003_x.txt`, characters 10–40" in md
    assert "## 2. And who else?" in md and "_Not answered yet._" in md
    path = export_file(conv)
    assert path.suffix == ".md" and path.read_text(encoding="utf-8") == md
