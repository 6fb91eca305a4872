"""People: the full names spaCy's recogniser tags PERSON, most mentioned first.

A person is kept by full name (two to four capitalised words): a lone surname is a mention of the
full name it ends (or starts: Chinese names put the family name first), never a person of its own.
The same names are masked before outlets are looked for, so "Evan Spiegel told analysts" names no
magazine.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from store.metadata.outlets import all_outlets_re, is_outlet_name

#: Lower-case words inside a name ("Erik ten Hag", "Ludwig van Beethoven", "Mohammed bin Salman").
PARTICLES = frozenset({"al", "bin", "da", "de", "del", "der", "di", "du", "el", "la", "le", "ten", "ter", "van", "von"})
_POSSESSIVE = re.compile(r"[’']s?$")
_WORD = re.compile(r"[A-Z][^\W\d_]*(?:[’'.-][^\W\d_]*)*")


def _clean(name: str) -> str:
    """A PERSON entity's text without a possessive, a photo credit's agency or edge punctuation.

    ("Hamlin’s" -> "Hamlin", "Jason Lee/Reuters" -> "Jason Lee")
    """
    words = name.split("/")[0].split()
    for i, word in enumerate(words):  # "Maria Bartiromo’s Fox" -> "Maria Bartiromo"
        if _POSSESSIVE.search(word):
            words = [*words[:i], _POSSESSIVE.sub("", word)]
            break
    return " ".join(words).strip(' ,.;:–—-"“”()')


def _is_full_name(name: str) -> bool:
    """Two to four capitalised words, not an outlet, not ending in an acronym ("Bookmark CNN") nor
    starting with one of three letters or more ("BBC Sport")."""
    words = name.split()
    return (
        2 <= len(words) <= 4
        and all(_WORD.fullmatch(w) or (0 < i < len(words) - 1 and w in PARTICLES) for i, w in enumerate(words))
        and not words[-1].isupper()
        and not (words[0].isupper() and len(words[0]) > 2)
        and not is_outlet_name(name)
    )


def person_mentions(doc: Any) -> list[tuple[str, int, int]]:
    """(cleaned name, start, end) of every PERSON entity on one line of a spaCy ``doc``."""
    found = []
    for ent in doc.ents:
        if ent.label_ == "PERSON" and "\n" not in ent.text:
            name = _clean(ent.text)
            at = ent.text.find(name.split()[0]) if name else -1
            if at >= 0:
                found.append((name, ent.start_char + at, ent.start_char + at + len(name)))
    return found


def extract_people(doc: Any, text: str, limit: int = 20) -> list[str]:
    """The full names of the people ``doc`` names, most mentioned first (full name or either end alone).

    ``text`` is the whole article: a surname used alone past the parsed head still counts.
    """
    mentions = person_mentions(doc)
    first_seen: dict[str, int] = {}
    for name, start, _end in mentions:
        if _is_full_name(name):
            first_seen.setdefault(name, start)
    words = Counter(re.findall(r"[A-Za-z][A-Za-z’'.-]*[A-Za-z]|[A-Za-z]", text))

    def mentioned(name: str) -> int:
        return max(words[name.split()[0]], words[name.split()[-1]])

    people = sorted(first_seen, key=lambda n: (-mentioned(n), first_seen[n]))
    return people[:limit]


def mask_people(text: str, doc: Any, people: list[str]) -> str:
    """``text`` with people's names blanked (same length, lines kept), so no outlet is read off one.

    Blanked: every PERSON entity of ``doc`` but the outlets' names in it, and anywhere in the text,
    each full name in ``people`` and its surname used alone.
    """
    chars = list(text)

    def blank(start: int, end: int) -> None:
        for i in range(start, min(end, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "

    for _name, start, end in person_mentions(doc):
        kept = start  # an outlet inside a PERSON entity ("Bookmark CNN’s") stays, unless a surname below
        for m in all_outlets_re().finditer(text, start, end):
            blank(kept, m.start())
            kept = m.end()
        blank(kept, end)
    words = {w for name in people for w in (name, name.split()[-1]) if len(w) > 1}
    if words:
        rx = re.compile(
            r"(?<![A-Za-z])(?:"
            + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
            + r")(?![A-Za-z])"
        )
        for m in rx.finditer(text):
            blank(*m.span())
    return "".join(chars)
