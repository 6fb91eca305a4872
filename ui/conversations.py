"""A conversation as a Markdown file: every question, its answer and the numbered sources it cites.

The export is for reading and quoting elsewhere, so each answer keeps its ``[n]`` markers and lists
them under it with title, outlet, date, file and the quoted sentence (the same text the copy button
gives for one answer).
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from assistant.conversations import DONE, FAILED, STOPPED, Conversation
from ui.messages import copy_text


def conversation_markdown(conv: Conversation) -> str:
    """The whole conversation as Markdown, citations included."""
    out = [f"# {conv.title}", "", f"_Exported from news-assistant on {time.strftime('%Y-%m-%d %H:%M')}._", ""]
    for i, t in enumerate(conv.turns, 1):
        out += [f"## {i}. {t.question}", ""]
        if t.status == DONE and t.record is not None:
            if t.record.get("standalone_question"):
                out += [f"_Understood as: {t.record['standalone_question']}_", ""]
            if t.record.get("direct_answer") and not t.record.get("refused"):
                out += [f"**{t.record['direct_answer']}**", ""]
            answer, _, sources = copy_text(t.record).partition("\n\nSources:\n")
            out += [answer, ""]
            if sources:
                out += ["Sources:", ""]
                files = {int(c["n"]): c for c in t.record.get("citations") or []}
                for line in sources.split("\n"):
                    n = int(line[1 : line.index("]")])
                    c = files.get(n, {})
                    out.append(f"- {line} (`{c.get('source', '')}`, characters {c.get('start')}–{c.get('end')})")
                out.append("")
        elif t.status == FAILED:
            out += [f"_{(t.record or {}).get('error', 'Could not answer.')}_", ""]
        elif t.status == STOPPED:
            out += ["_Stopped before the answer was finished._", ""]
        else:
            out += ["_Not answered yet._", ""]
    return "\n".join(out).rstrip() + "\n"


def export_file(conv: Conversation) -> Path:
    """Write the conversation's Markdown to a fresh temporary file (what the download serves)."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", conv.title).strip("-")[:50] or "conversation"
    path = Path(tempfile.mkdtemp(prefix="news-assistant-")) / f"{stem}.md"
    path.write_text(conversation_markdown(conv), encoding="utf-8")
    return path
