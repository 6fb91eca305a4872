"""Places: the countries, regions and cities spaCy's recogniser tags (GPE, LOC), most mentioned first.

Other names of one place ("US", "U.S.", "America") are folded by a table of data (``places.json``), and
a place inside an outlet's name ("The New York Times") is no place the article names.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

TABLE = Path(__file__).with_name("places.json")
PLACE_LABELS = frozenset({"GPE", "LOC"})


@lru_cache(maxsize=1)
def place_aliases() -> dict[str, str]:
    """Another name of a place -> the one name it is listed under."""
    return json.loads(TABLE.read_text(encoding="utf-8"))["aliases"]


def place_name(text: str) -> str:
    """One name a place: the alias table's, without "the" or a possessive ("the U.S.'s" -> "United States")."""
    name = " ".join(text.split()).strip(' ,;:"“”()')
    for suffix in ("’s", "'s"):
        name = name.removesuffix(suffix)
    aliases = place_aliases()
    if name in aliases:
        return aliases[name]
    if name.lower().startswith("the "):
        name = name[4:]
    return aliases.get(name, name)


def extract_places(
    doc: Any, outlet_spans: list[tuple[int, int]] | None = None, people: list[str] | None = None, limit: int = 15
) -> list[str]:
    """The places ``doc`` names, most mentioned first.

    None inside ``outlet_spans`` (character spans), none that is a word of a person's name in
    ``people`` (the recogniser takes a surname alone for a town now and then), no acronym of three
    letters or fewer the alias table does not know ("UC", "ER").
    """
    counts: Counter[str] = Counter()
    order: dict[str, int] = {}
    spans = outlet_spans or []
    names = {w for person in people or [] for w in person.split()}
    for ent in doc.ents:
        if ent.label_ not in PLACE_LABELS or "\n" in ent.text.strip():
            continue
        if any(s < ent.end_char and ent.start_char < e for s, e in spans):
            continue
        name = place_name(ent.text)
        if name.isupper() and len(name) > 3:  # a wire dateline's "WASHINGTON"
            name = place_name(name.title())
        if name and name[0].isupper() and name not in names and not (name.isupper() and len(name) <= 3):
            counts[name] += 1
            order.setdefault(name, ent.start_char)
    return [p for p, _ in sorted(counts.items(), key=lambda kv: (-kv[1], order[kv[0]]))][:limit]
