"""Light-weight, offline article metadata: title, the article's own outlet, people, places, date.

No model and no network: rules over the text, plus a small gazetteer. Each field is left empty
when the text does not state it, because a wrong outlet in a citation is worse than none. One module
a field: ``title``, ``outlets`` (the article's own outlet, and every outlet it names), ``places``,
``people`` and ``dates``; this module gathers them into an ``ArticleMetadata``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from store.metadata.dates import extract_date
from store.metadata.outlets import OUTLETS, canonical_outlet, extract_outlet, outlets_named
from store.metadata.people import extract_people
from store.metadata.places import PLACE_ALIASES, PLACES, extract_places
from store.metadata.title import extract_title

__all__ = [
    "OUTLETS",
    "PLACES",
    "PLACE_ALIASES",
    "SCAN_CHARS",
    "ArticleMetadata",
    "canonical_outlet",
    "extract_date",
    "extract_metadata",
    "extract_outlet",
    "extract_people",
    "extract_places",
    "extract_title",
    "outlets_named",
    "split_list",
]


@dataclass
class ArticleMetadata:
    """What the text says about itself. Empty strings / lists mean "not stated"."""

    title: str = ""
    outlet: str = ""
    outlet_basis: str = ""
    outlets_named: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    date: str = ""

    def flat(self) -> dict[str, str]:
        """Scalar fields for a Chroma metadata record (lists joined with ``"; "``)."""
        return {
            "outlet": self.outlet,
            "outlet_basis": self.outlet_basis,
            "outlets_named": "; ".join(self.outlets_named),
            "people": "; ".join(self.people),
            "places": "; ".join(self.places),
            "date": self.date,
        }


def split_list(value: object) -> list[str]:
    """The inverse of ``flat`` for one list field."""
    return [p.strip() for p in str(value or "").split(";") if p.strip()]


#: People and places are looked for in this much of a long file (the cost grows with the text).
SCAN_CHARS = 200_000


def extract_metadata(text: str) -> ArticleMetadata:
    """Every field at once (a few milliseconds per article)."""
    outlet, basis = extract_outlet(text)
    head = text[:SCAN_CHARS]
    return ArticleMetadata(
        title=extract_title(text),
        outlet=outlet,
        outlet_basis=basis,
        outlets_named=outlets_named(head),
        people=extract_people(head),
        places=extract_places(head),
        date=extract_date(text),
    )
