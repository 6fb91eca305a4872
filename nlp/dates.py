"""Calendar dates in text: spaCy finds the DATE entities, ``dateparser`` reads them.

Only a full date (day, month and year all written) counts: "Monday" or "last year" name no day of the
calendar without knowing when the text was written, and a guessed day is worse than none where the
date decides which articles a question may use.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

#: dateparser's settings: absolute dates only (no "2 days ago" counted from today), all three parts.
_SETTINGS = {
    "PARSERS": ["absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DATES_FROM": "past",
    "STRICT_PARSING": True,
}


@lru_cache(maxsize=4096)
def parse_full_date(text: str) -> str:
    """The ISO date ``text`` writes out in full ("14 March 2022", "Jan. 5, 2023", "2023-01-05"), or ""."""
    import dateparser

    cleaned = " ".join(text.split()).strip(" ,.;:()[]")
    if not any(ch.isdigit() for ch in cleaned):
        return ""
    try:
        found = dateparser.parse(cleaned, languages=["en"], settings=_SETTINGS)
    except (ValueError, OverflowError):
        return ""
    if found is None or not 1900 <= found.year <= 2099:
        return ""
    return date(found.year, found.month, found.day).isoformat()


def full_date(doc: Any, start: int = 0, end: int | None = None) -> str:
    """The first full date among the DATE entities of a spaCy ``doc`` that start between ``start`` and ``end``.

    An entity may run past ``end``: spaCy sometimes takes the line break after a date into it.
    """
    stop = len(doc.text) if end is None else end
    for ent in doc.ents:
        if ent.label_ == "DATE" and start <= ent.start_char < stop:
            found = parse_full_date(doc.text[ent.start_char : min(ent.end_char, stop)])
            if found:
                return found
    return ""
