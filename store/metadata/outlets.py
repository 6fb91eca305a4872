"""Outlets: the news outlets articles name, and the article's own outlet where its text states one.

The outlets, their aliases and the credit-line patterns are data (``outlets.json``), so adding an
outlet or a way of crediting one changes no code. An article that *quotes* an outlet ("the minister
told CNN on Sunday", "CNN reported that") is not taken to be that outlet's; the outlet comes from an
explicit line (``Source: …``, a copyright line, a byline, a wire dateline) or, failing those, from the
way an outlet's own reporting is worded ("officials familiar with the talks told CNN"). Callers mask
people's names first (``store.metadata.people.mask_people``): an outlet never comes from a surname.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

TABLE = Path(__file__).with_name("outlets.json")


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    """``outlets.json``, read once."""
    return json.loads(TABLE.read_text(encoding="utf-8"))


def _alias_pattern(alias: str, not_followed_by: list[str]) -> str:
    tail = "".join(f"(?!{re.escape(t)})" for t in not_followed_by)
    return re.escape(alias) + tail


@lru_cache(maxsize=1)
def _patterns() -> dict[str, str]:
    """Canonical outlet name -> a regex alternation of its aliases (longest first)."""
    data = table()
    exclusions: dict[str, list[str]] = data.get("not_followed_by", {})
    return {
        name: "|".join(_alias_pattern(a, exclusions.get(a, [])) for a in sorted(aliases, key=len, reverse=True))
        for name, aliases in data["outlets"].items()
    }


def _whole(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z])(?:{pattern})(?![A-Za-z])")


@lru_cache(maxsize=1)
def _outlet_res() -> dict[str, re.Pattern[str]]:
    return {name: _whole(pat) for name, pat in _patterns().items()}


@lru_cache(maxsize=1)
def _any_outlet() -> str:
    return "|".join(f"(?:{p})" for p in _patterns().values())


@lru_cache(maxsize=1)
def all_outlets_re() -> re.Pattern[str]:
    """Any known outlet's name, as a whole word."""
    return _whole(_any_outlet())


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    """The line rules of the table, compiled once."""
    data, any_outlet = table(), _any_outlet()
    flags = re.IGNORECASE | re.MULTILINE
    return {
        "credit": [(basis, re.compile(p, flags)) for basis, p in data["credit_lines"].items()],
        "byline": re.compile(data["byline"], flags),
        "dateline": re.compile(rf"^[A-Z][A-Za-z .,'’-]{{0,60}}\(({any_outlet})\)\s*[-–—]", re.MULTILINE),
        "told": re.compile(rf"\b{data['anonymous_sources']}\b[^.!?\n]{{0,90}}?\btold\s+({any_outlet})"),
    }


def canonical_outlet(name: str) -> str | None:
    """The canonical name of a known outlet mentioned in ``name``, or None."""
    for canon, rx in _outlet_res().items():
        if rx.search(name):
            return canon
    return None


def is_outlet_name(text: str) -> bool:
    """True when ``text`` is, as a whole, one of the outlets' names ("Al Jazeera", not "Evan Spiegel")."""
    return any(rx.fullmatch(text.strip()) for rx in _outlet_res().values())


def _named_outlet(fragment: str) -> str:
    """An outlet named in a credit line: a known one, else the line up to 'and' / a comma."""
    known = canonical_outlet(fragment)
    if known:
        return known
    head = re.split(r"\s+(?:and|with|&)\s+|[,;|/]", fragment, maxsplit=1)[0].strip(" .:-–—")
    return head if 0 < len(head.split()) <= 6 else ""


def extract_outlet(text: str, masked: str | None = None) -> tuple[str, str]:
    """The article's own outlet and how it was found, or ``("", "")``.

    Explicit lines win (source line, copyright line, byline, wire dateline). Failing those, an
    outlet that anonymous officials or sources "told" is the article's own reporting, unless the
    text also reports it as someone else's ("CNN reported that", "first reported by the FT").
    ``masked`` is the text with people's names blanked: lines are found in ``text``, names read in
    ``masked``, so "By Jane Doe, BBC News" is the BBC's and "By Evan Spiegel" no magazine's.
    """
    data, rules = table(), _rules()
    masked = text if masked is None else masked
    for basis, rx in rules["credit"]:
        for m in reversed(list(rx.finditer(text))):
            name = _named_outlet(masked[m.start(1) : m.end(1)])
            if name:
                return name, basis
    for m in rules["byline"].finditer(text[: data["byline_within_chars"]]):
        name = canonical_outlet(masked[m.start() : m.end()])
        if name:
            return name, "byline"
    text = masked
    m = rules["dateline"].search(text[: data["dateline_within_chars"]])
    if m:
        name = canonical_outlet(m.group(1))
        if name:
            return name, "dateline"
    told = Counter(c for c in (canonical_outlet(m.group(1)) for m in rules["told"].finditer(text)) if c)
    own = []
    for name in told:
        pat = _patterns()[name]
        if not any(re.search(p.format(o=pat), text) for p in data["reported_by_others"]):
            own.append(name)
    if len(own) == 1:
        return own[0], f"self-reference (sources told {own[0]})"
    return "", ""


def outlets_named(text: str) -> list[str]:
    """Every known outlet the text mentions (quoted, credited or its own), most mentioned first."""
    counts = Counter(canonical_outlet(m.group(0)) for m in all_outlets_re().finditer(text))
    return [name for name, _n in counts.most_common() if name]


def outlet_spans(text: str) -> list[tuple[int, int]]:
    """Where the text names an outlet ("The New York Times" names no place)."""
    return [m.span() for m in all_outlets_re().finditer(text)]
