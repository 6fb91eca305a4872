"""Offline article metadata: title, the article's own outlet, outlets named, people, places, date.

spaCy's recogniser (``nlp``, the base language layer) finds people, places and dates; the outlet
rules and names are a table of data (``outlets.json``). Each field is left empty when the text does
not state it, because a wrong outlet in a citation is worse than none. One module a field; this
module gathers them into an ``ArticleMetadata``, and ``extractor`` offers the same as a LlamaIndex
``BaseExtractor`` for many articles at once (one ``nlp.pipe`` over them all).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from store.metadata.dates import extract_date
from store.metadata.outlets import canonical_outlet, extract_outlet, outlet_spans, outlets_named
from store.metadata.people import extract_people, mask_people
from store.metadata.places import extract_places, place_aliases
from store.metadata.title import extract_title

__all__ = [
    "HEAD_CHARS",
    "METADATA_VERSION",
    "SCAN_CHARS",
    "ArticleMetadata",
    "canonical_outlet",
    "extract_date",
    "extract_metadata",
    "extract_metadata_many",
    "extract_outlet",
    "extract_title",
    "outlets_named",
    "place_aliases",
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


#: Which extraction made an article's metadata (kept in its catalogue entry). Ingest reads the metadata of
#: new and changed texts only; an article whose text is unchanged is read again only when this differs,
#: so re-ingesting an unchanged folder costs no parsing, and a new extractor refreshes every article once
#: (its chunks keep their stored vectors). Change it whenever the extracted fields can change.
METADATA_VERSION = "spacy-entities-1"
#: Outlets are looked for in this much of a long file (regexes: cheap, but the cost grows with the text).
SCAN_CHARS = 200_000
#: spaCy reads this much of each article: its people and places are named early (the lede, the first
#: paragraphs), bylines and datelines stand at the top, and parsing costs ~linear time in the text.
HEAD_CHARS = 4_000


def _from_doc(text: str, doc: Any) -> ArticleMetadata:
    """Every field of one article, given the spaCy parse of its head."""
    people = extract_people(doc, text[:SCAN_CHARS])
    masked = mask_people(text, doc, people)
    outlet, basis = extract_outlet(text, masked)
    return ArticleMetadata(
        title=extract_title(text),
        outlet=outlet,
        outlet_basis=basis,
        outlets_named=outlets_named(masked[:SCAN_CHARS]),
        people=people,
        places=extract_places(doc, outlet_spans(masked[:HEAD_CHARS]), people),
        date=extract_date(text, doc),
    )


def extract_metadata_many(texts: Iterable[str], batch_size: int = 32) -> list[ArticleMetadata]:
    """Every field of every article, their heads parsed together (``nlp.pipe``: far faster than one by one).

    One batch of docs is alive at a time: a doc keeps its token vectors (~300 KB for a 4,000-character
    head), so a folder's worth of docs held at once cost ~0.5 GB at 1,400 articles."""
    from nlp.pipeline import entity_docs

    texts = list(texts)
    out: list[ArticleMetadata] = []
    for i in range(0, len(texts), batch_size):
        batch = texts[i : i + batch_size]
        docs = entity_docs((t[:HEAD_CHARS] for t in batch), batch_size=batch_size)
        out += [_from_doc(text, doc) for text, doc in zip(batch, docs, strict=True)]
    return out


def extract_metadata(text: str) -> ArticleMetadata:
    """Every field of one article (tens of milliseconds: spaCy reads its head)."""
    return extract_metadata_many([text])[0]
