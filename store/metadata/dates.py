"""Dates: the article's own date, where its text states one (a Published line, or its first lines)."""

from __future__ import annotations

import re
from datetime import date

MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH_RE = (
    r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE_PATTERNS = [
    re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b"),
    re.compile(rf"\b{_MONTH_RE}\.? (\d{{1,2}}),? ((?:19|20)\d\d)\b"),
    re.compile(rf"\b(\d{{1,2}}) {_MONTH_RE}\.?,? ((?:19|20)\d\d)\b"),
]
_DATE_LINE = re.compile(r"^\s*(?:published|updated|posted|date|dated|last updated|first published)\b", re.IGNORECASE)


def _month(name: str) -> int:
    return next(i + 1 for i, m in enumerate(MONTHS) if m.startswith(name.lower()[:3]))


def _parse_date(m: re.Match, kind: int) -> str:
    try:
        if kind == 0:
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        elif kind == 1:
            mo, d, y = _month(m.group(1)), int(m.group(2)), int(m.group(3))
        else:
            d, mo, y = int(m.group(1)), _month(m.group(2)), int(m.group(3))
        return date(y, mo, d).isoformat()
    except (ValueError, StopIteration):
        return ""


def extract_date(text: str) -> str:
    """The article's date (ISO) when it states one: a Published/Updated line, or a date on the first lines.

    Dates inside photo captions (a line with a ``[File: …]`` or ``Photo:`` credit) are the photo's,
    and dates in the body are events, so neither counts.
    """
    lines = [ln for ln in text.splitlines() if ln.strip()]
    ordered = [ln for ln in lines if _DATE_LINE.match(ln)] + [ln for ln in lines[:4] if len(ln) < 200]
    for line in ordered:
        if re.search(r"\[(?:file|photo)\b|\bphoto:|\bcredit:", line, re.IGNORECASE):
            continue
        for kind, rx in enumerate(_DATE_PATTERNS):
            m = rx.search(line)
            if m:
                found = _parse_date(m, kind)
                if found:
                    return found
    return ""
