"""Follow-up rewriting by the generative reader's own model (LlamaIndex's condense-question prompt).

The rules in ``assistant.condense`` decide *whether* a question depends on the conversation (a
self-contained question is never rewritten, never sent to the model); where it does, a model that can
follow instructions writes the standalone question better than the rules can ("How long did they
meet?" → "How long did Jake Sullivan and Yang Jiechi meet?"). A small model may ramble or answer
instead of rewriting, so its rewrite is kept only if it looks like that question: one line, a question,
of a sensible length, keeping the follow-up's own content words; otherwise the rules' rewrite stands.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.answering.nlp import content_keys, tokens

#: a rewrite longer than this many times the follow-up plus its rules' rewrite is an answer, not a question
MAX_GROWTH = 3
MAX_HISTORY_CHARS = 1200


def history_text(history: list[dict[str, str]]) -> str:
    """The conversation as LlamaIndex's condense prompt expects it ("user: …" / "assistant: …" lines)."""
    from llama_index.core.base.llms.generic_utils import messages_to_history_str
    from llama_index.core.llms import ChatMessage

    msgs = [ChatMessage(role=h.get("role") or "user", content=(h.get("content") or "")[:400]) for h in history]
    return messages_to_history_str(msgs)[-MAX_HISTORY_CHARS:]


def acceptable(rewrite: str, question: str, rules: str) -> str | None:
    """The model's rewrite as one clean question, or None when it is not a rewrite of ``question``."""
    line = next((ln.strip() for ln in rewrite.strip().splitlines() if ln.strip()), "")
    line = re.sub(r"^(standalone question|question)\s*:\s*", "", line, flags=re.I).strip(" \"'“”")
    if not line.endswith("?") or "(context" in line.lower() or "<" in line:
        return None
    words = len(line.split())
    if words < 3 or words > MAX_GROWTH * max(len(question.split()), len(rules.split())):
        return None
    own, new = set(content_keys(tokens(question))), set(content_keys(tokens(line)))
    if own and not own & new:
        return None  # the follow-up's own words are gone: another question
    if not new - own:
        return None  # nothing taken from the conversation: the follow-up echoed, not rewritten
    return line


def condense_with_llm(llm: Any, question: str, history: list[dict[str, str]], rules: str) -> tuple[str, str]:
    """``(standalone question, "llm" | "rules")``: the model's rewrite when acceptable, else the rules'."""
    from llama_index.core.chat_engine.condense_question import DEFAULT_PROMPT

    try:
        raw = str(llm.predict(DEFAULT_PROMPT, question=question, chat_history=history_text(history)))
    except Exception:  # a failing model leaves the rules' rewrite, never a failed question
        return rules, "rules"
    line = acceptable(raw, question, rules)
    return (line, "llm") if line else (rules, "rules")
