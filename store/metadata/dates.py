"""Dates: the article's own date, where its text states one (a Published line, or its first lines).

The lines are chosen by where an article states its date; the date in a line is a DATE entity of
spaCy's recogniser that ``dateparser`` reads as a full day (``nlp.dates``).
"""

from __future__ import annotations

import re
from typing import Any

from nlp.dates import full_date, parse_full_date

#: Lines that state when the article was written, wherever they stand.
_DATE_LINE = re.compile(r"^\s*(?:published|updated|posted|date|dated|last updated|first published)\b", re.IGNORECASE)
#: A photo's caption or credit: its date is the photo's, not the article's.
_CAPTION = re.compile(r"\[(?:file|photo)\b|\bphoto:|\bcredit:", re.IGNORECASE)
#: How many of the first non-empty lines may carry the date, and how long such a line may be.
FIRST_LINES, MAX_LINE_CHARS = 4, 200


def date_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of the lines that may state the article's date, in the order they are tried.

    Dated lines ("Published: …") first, then the first few short lines; never a photo caption, and
    never the body, whose dates are events.
    """
    lines: list[tuple[int, int]] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        if raw.strip():
            lines.append((pos, pos + len(raw.rstrip("\r\n"))))
        pos += len(raw)
    dated = [span for span in lines if _DATE_LINE.match(text[span[0] : span[1]])]
    first = [span for span in lines[:FIRST_LINES] if span[1] - span[0] < MAX_LINE_CHARS]
    return [span for span in dated + first if not _CAPTION.search(text[span[0] : span[1]])]


def extract_date(text: str, doc: Any = None) -> str:
    """The article's date (ISO) when it states one: a Published/Updated line, or a date on the first lines.

    ``doc`` is the spaCy parse of the text's head when the caller has one; lines past it (or all lines,
    without one) are parsed on their own by the entity pipeline.
    """
    for start, end in date_lines(text):
        if doc is not None and end <= len(doc.text):
            found = full_date(doc, start, end)
        else:
            from nlp.pipeline import entity_docs

            found = full_date(entity_docs([text[start:end]])[0])
        # spaCy does not always tag an ISO date ("Published: 2022-12-21"): the line's rest, read whole
        found = found or parse_full_date(_DATE_LINE.sub("", text[start:end]))
        if found:
            return found
    return ""
