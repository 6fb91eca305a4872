"""The reader's view of a perspectives result: who is named for each side, and the one-sentence bottom line.

Built only from the question and the groups found: the question's own claim (its auxiliary moved after
its subject: "Did Chelsea bid for X?" -> "Chelsea did bid for X"), the speakers the cited sentences
state ("a club spokesman", "US officials"), else the outlet or title of the article that says it.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.perspectives.declarative import declarative
from assistant.perspectives.evidence import Group
from assistant.text import NUMBER_WORDS, STOPWORDS

__all__ = ["bottom_line", "declarative", "join", "label", "marks", "who"]

#: a speaker phrase longer than this many words is named by its article instead
MAX_SPEAKER_WORDS = 6
#: names per side in the bottom line, and characters of a title used as a name
MAX_NAMES = 3
TITLE_CHARS = 60
#: words that end a speaker phrase without being part of it ("Trump's lawyer has", "Trump has repeatedly")
_TRAILING = frozenset(["has", "have", "had", "is", "are", "was", "were", "also", "repeatedly", "previously", "again"])
_NOT_SPEAKER = frozenset(
    ["in", "on", "at", "after", "before", "when", "which", "who", "whom", "as", "while", "but", "if", "that", "what"]
)
#: longest quotation of a sentence in the bottom line, in words
QUOTE_WORDS = 18


def label(source: str, meta: dict[str, dict[str, Any]]) -> str:
    """How the answer names an article: its outlet where the text states one, else its title (never a file name)."""
    m = meta.get(source, {})
    if m.get("outlet"):
        return str(m["outlet"])
    title = " ".join(str(m.get("title") or "").split())
    if not title:
        return "an untitled article"
    if len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return f"“{title}”"


def join(names: list[str]) -> str:
    names = list(dict.fromkeys(n for n in names if n))
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _speaker(phrase: str) -> str:
    """A speaker phrase short enough for the bottom line ("Liu Pengyu, a spokesman for …" -> "Liu Pengyu"),
    or "" for one that is no speaker ("In a statement", "which officials")."""
    words = phrase.split(",")[0].split()
    while words and words[-1].lower() in _TRAILING:
        words.pop()
    if not words or words[0].lower() in _NOT_SPEAKER:
        return ""
    if words[0].lower() in STOPWORDS | NUMBER_WORDS and (
        len(words[0]) == 1 or words[0][1:].islower()
    ):  # "a Globex spokeswoman", "both …", not "US"
        words[0] = words[0].lower()
    return " ".join(words) if len(words) <= MAX_SPEAKER_WORDS else ""


def _plural(phrase: str) -> bool:
    from assistant.answering.nlp import parse_many

    doc = parse_many([phrase])[0]
    return len(doc) > 0 and doc[-1].tag_ in ("NNS", "NNPS") and doc[-1].text.endswith("s")


def who(
    groups: list[Group], meta: dict[str, dict[str, Any]], cite: dict[int, list[int]]
) -> tuple[str, list[int], bool, bool]:
    """Who a side's statements come from (the speakers they state, else their articles' outlets), their
    markers, whether the names take a plural verb ("US officials say", "CNN says"), and whether any is a
    speaker (an article that only reports is not the one who denies).

    An article with neither a stated speaker nor an outlet is named by its title only when nobody else
    is named; beside named sources it is "another report" (a headline in the middle of a list of
    speakers reads as one of them)."""
    members = [m for g in groups for m in g.members]
    named = [m for m in members if _speaker(m.speaker) or meta.get(m.cand.source, {}).get("outlet")]
    named_ids = {id(m) for m in named}  # by identity: statements hold vectors, == would compare them
    unnamed = [m for m in members if named and id(m) not in named_ids]
    names: list[str] = []
    numbers: list[int] = []
    plural = spoken = False
    for m in named or members:
        speaker = _speaker(m.speaker)
        name = speaker or label(m.cand.source, meta)
        same = next((i for i, n in enumerate(names) if _one_side(n, name)), None)
        if same is not None:  # "Chelsea" and "a Chelsea spokesman": one side, named once (the shorter)
            if _core(names[same]) != _core(name):  # "US officials", "a US official": kept as first named
                names[same] = min(names[same], name, key=len)
            numbers.extend(n for n in cite.get(id(m), []) if n not in numbers)
        elif len(names) < MAX_NAMES:
            names.append(name)
            numbers.extend(n for n in cite.get(id(m), []) if n not in numbers)
            plural = plural or bool(speaker and _plural(speaker))
            spoken = spoken or bool(speaker)
    seen = {m.cand.source for m in named}
    others = list(dict.fromkeys(m.cand.source for m in unnamed if m.cand.source not in seen))
    if others:
        names.append("another report" if len(others) == 1 else f"{len(others)} other reports")
    numbers.extend(n for m in unnamed for n in cite.get(id(m), []) if n not in numbers)
    return join(names), sorted(numbers), plural or len(names) > 1 or any(" and " in n for n in names), spoken


def _one_side(a: str, b: str) -> bool:
    """One name is the other's head word run ("a Chelsea spokesman" contains "Chelsea"): the same side."""
    short, long = sorted((a, b), key=len)
    return _core(a) == _core(b) or bool(short[:1].isupper() and re.search(rf"\b{re.escape(short)}\b", long))


def _core(name: str) -> str:
    """A name without its article or plural ending: "a US official" and "US officials" are one."""
    return re.sub(r"^(?:a|an|the)\s+", "", name, flags=re.IGNORECASE).rstrip("s")


def marks(numbers: list[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def _clear(groups: list[Group], reading: str) -> list[Group]:
    """The groups with a statement the parse reads plainly as ``reading`` (``meaning.stance``), first."""
    return sorted(groups, key=lambda g: not any(m.reading == reading for m in g.members))


def _verb(plural: bool, one: str, many: str) -> str:
    return many if plural else one


def bottom_line(
    claim: str, yes: list[Group], no: list[Group], meta: dict[str, dict[str, Any]], cite: dict[int, list[int]]
) -> str:
    """One sentence: who says the claim, who denies it, with their markers; never more than the parse is sure of.

    A side is asserted ("X says …", "Y denies it") only when one of its sentences plainly states it
    (``Statement.reading``: the claim's own verb, the same parties, not negated, hedged or only named as a
    noun); otherwise it is attributed cautiously ("may dispute it", "the articles are unclear"), so a
    misread sentence is never reported as someone's word. ``claim``: the question's claim as a statement
    ("" for a question that asks what, who, how many); ``cite``: each statement's citation numbers, by ``id()``."""
    if claim.endswith("?"):  # a question whose claim could not be put as a statement
        claim = f"yes to “{claim}”"
    yes_clear = bool(claim) and any(m.reading == "affirm" for g in yes for m in g.members)
    no_clear = not claim or any(m.reading == "deny" for g in no for m in g.members)
    yes_who, yes_n, yes_many, _ = who(_clear(yes, "affirm"), meta, cite)
    no_who, no_n, no_many, no_spoken = who(_clear(no, "deny"), meta, cite)
    if not claim or (yes_clear and yes_who):
        said = claim or (_quote(yes[0].rep.cand.text) if yes else "")
        first = f"{yes_who} {_verb(yes_many, 'says', 'say')} {said} {marks(yes_n)}" if yes_who else ""
    elif yes_who:
        first = f"{yes_who} {_verb(yes_many, 'touches', 'touch')} on it without clearly saying so {marks(yes_n)}"
    else:
        first = ""
    if not first:
        first = f"No retrieved article says {claim}" if claim else "No retrieved article says so"
    elif claim and not yes_clear:
        first = f"It is unclear whether {claim}: {first}"
    if no_who and no_clear:
        denies = _verb(no_many, "denies", "deny") if no_spoken or not claim else _verb(no_many, "reports", "report")
        second = f"{no_who} {denies} {'it' if no_spoken or not claim else 'otherwise'} {marks(no_n)}"
    elif no_who:
        second = f"{no_who} may dispute it {marks(no_n)}"
    else:
        second = "no retrieved article denies it" if claim else "no retrieved article disputes it"
    sentence = f"{first.strip()}; {second.strip()}."
    return sentence[0].upper() + sentence[1:]


def _quote(text: str) -> str:
    words = text.strip().rstrip(".").strip('“”"').split()
    short = " ".join(words[:QUOTE_WORDS]) + ("…" if len(words) > QUOTE_WORDS else "")
    return f"“{short}”"
