"""Speakers: who a sentence reports as saying it, and the side (as the text names it) that speaker speaks for."""

from __future__ import annotations

import re

_SPEECH = (
    r"said|says|say|told|tells|added|denied|denies|deny|rejects|rejected|accused|accuses|warned|called|calls|"
    r"insisted|claimed|claims|stated|argued|believe|believes|fear|fears|criticised|criticized"
)
_SPEECH_RE = re.compile(rf"\b(?:{_SPEECH})\b")
_ACCORDING_RE = re.compile(
    r"\baccording to ((?:the |a |an )?[^,.;:“\"]{2,80})((?:,\s*[^,.;:“\"]{2,80})?)", re.IGNORECASE
)
_INVERTED_RE = re.compile(r",[”\"’]?\s*(?:said|says)\s+([^,.;:“\"]{2,60})[.!?]?\s*$")
_APPOSITIVE_START = frozenset(
    ["a", "an", "senior", "former", "who", "deputy", "chief", "spokesman", "spokeswoman", "spokesperson"]
)
_NAME_RUN_RE = re.compile(r"\b(?:[A-Z][\w.’'-]*)(?:\s+[A-Z][\w.’'-]*)*")
_PRONOUNS = frozenset(["he", "she", "they", "it", "we", "that", "there", "i", "you"])


def _appositive(clause: str) -> bool:
    """A comma clause describing the name before it ("a spokesman for the Chinese Embassy")."""
    first = clause.strip().split(" ", 1)[0].lower() if clause.strip() else ""
    return first in _APPOSITIVE_START


def speaker_of(text: str) -> str:
    """Who a sentence reports as saying it ("Kremlin spokesman Dmitry Peskov", "US officials"), or ``""``.

    "according to X", "…, says X" at the end, or the subject before the first reporting verb, with
    the appositive that describes it ("Liu Pengyu, a spokesman for the Chinese Embassy").
    """
    m = _ACCORDING_RE.search(text)
    if m:
        extra = m.group(2)
        return (m.group(1) + (extra if extra and _appositive(extra.lstrip(", ")) else "")).strip()
    m = _INVERTED_RE.search(text)
    if m and m.group(1).split(" ", 1)[0].lower() not in _PRONOUNS:
        return m.group(1).strip()
    m = _SPEECH_RE.search(text)
    if not m:
        return ""
    clauses = [c for c in re.split(r",\s+", text[: m.start()].strip()) if c]
    if not clauses:
        return ""
    subject = clauses.pop()
    while clauses and _appositive(subject):
        subject = f"{clauses.pop()}, {subject}"
    subject = re.sub(r"^(?:and|but|so|also|meanwhile)\s+", "", subject.strip(), flags=re.IGNORECASE)
    subject = re.sub(r"\s+(?:also|publicly|later|then|bluntly)$", "", subject)
    subject = re.sub(r"\s+(?:on|last|this|over the)\s+\w+$", "", subject)  # "Beijing on Monday"
    if subject.split(" ", 1)[0].lower() in _PRONOUNS:
        return ""
    return subject if 0 < len(subject.split()) <= 16 else ""


def party_of(speaker: str) -> str:
    """Who a speaker phrase speaks for, as the text names it: its first run of capitalised words
    ("Kremlin spokesman Dmitry Peskov" -> "kremlin", "US officials" -> "us", "a City spokesman" ->
    "city"), else the phrase itself, lower-cased; ``""`` for no speaker. Two statements with the same
    key are one side."""
    m = _NAME_RUN_RE.search(re.sub(r"^(?:a|an|the)\s+", "", speaker.strip(), flags=re.IGNORECASE))
    key = m.group(0) if m else speaker
    return " ".join(key.lower().split())
