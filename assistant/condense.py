"""Rewrite a follow-up question into a standalone one, using the conversation so far.

Without an LLM this is done the way a careful reader would: a pronoun that points back ("he",
"their", "that meeting") is resolved to the names of the previous question, and the previous
question's subject is added as context, so retrieval does not run on the literal last message.
"""

from __future__ import annotations

import re

from assistant.text import STOPWORDS

PERSON_PRONOUNS = {"he": "", "she": "", "him": "", "her": "'s", "his": "'s", "hers": "'s"}
PLURAL_PRONOUNS = {"they", "them", "their", "theirs"}
REFERRING = re.compile(
    r"\b(he|she|him|her|his|hers|they|them|their|theirs|it|its|this|that|these|those|there|then|the same)\b",
    re.IGNORECASE,
)
NAME_RE = re.compile(r"\b([A-Z][a-z’'\-]+(?:\s+(?:[A-Z]\.|[A-Z][a-z’'\-]+))+)")


def names_in(text: str) -> list[str]:
    """Multi-word capitalised names (e.g. 'Jake Sullivan'), first seen first."""
    found: list[str] = []
    for m in NAME_RE.finditer(text):
        name = m.group(1)
        words = name.split()
        while words and words[0].lower() in STOPWORDS | {"what", "who", "did", "how", "why", "when", "where"}:
            words = words[1:]
        if len(words) >= 2:
            found.append(" ".join(words))
    return list(dict.fromkeys(found))


def needs_context(question: str) -> bool:
    q = question.strip()
    return bool(REFERRING.search(q)) or len(q.split()) <= 4 or q.lower().startswith(("and ", "what about", "how about"))


def condense(question: str, history: list[dict[str, str]] | None) -> str:
    """A standalone version of ``question``; unchanged when there is no history or no back-reference."""
    if not history:
        return question.strip()
    users = [h.get("content", "") for h in history if h.get("role") == "user" and h.get("content")]
    if not users or not needs_context(question):
        return question.strip()
    previous = users[-1]
    names = names_in(previous)
    if not names:
        for turn in reversed(history):
            names = names_in(turn.get("content", ""))
            if names:
                break
    rewritten = question.strip()
    if names and re.search(r"\b(he|she|him|her|his|hers)\b", rewritten, re.IGNORECASE):
        person = names[0]

        def swap(m: re.Match[str]) -> str:
            return person + PERSON_PRONOUNS[m.group(1).lower()]

        rewritten = re.sub(r"\b(he|she|him|her|his|hers)\b", swap, rewritten, count=1, flags=re.IGNORECASE)
        return rewritten
    context = previous.strip().rstrip("?.!")
    return f"{rewritten} (context: {context})"
