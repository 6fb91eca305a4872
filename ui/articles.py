"""What the page shows of the store's articles: the source filter, the article list, example questions.

Everything here is built from the service's ``sources()`` (the store's catalogue), never from a
folder on disk, so a server started anywhere shows what its store holds.
"""

from __future__ import annotations

from typing import Any

#: Example questions about the seed articles (shown when the store holds them).
SEED_EXAMPLES = {
    "003_2c27475b07d2a74f.txt": [
        "What did Jake Sullivan say the US would not allow?",
        "Who is Einar Tangen?",
        "Which photo agency took the picture of the officer adjusting a Russian flag?",
    ],
}
#: Columns of the article list.
ARTICLE_COLUMNS = ["name", "title", "outlet", "date", "chunks", "from", "ingested"]


def default_examples(entries: list[Any]) -> list[str]:
    """Example questions that fit the store: the seed questions when the seed articles are in it."""
    names = {e.name for e in entries}
    return [q for name, questions in SEED_EXAMPLES.items() if name in names for q in questions]


def source_choices(entries: list[Any]) -> list[tuple[str, str]]:
    """The source filter's choices: (label, name) for every article in the store.

    The label names the outlet the article states for itself and its headline, so a reader can pick
    "Al Jazeera" without knowing file names; the value is the name as ingested.
    """
    out = []
    for e in entries:
        title = e.title if len(e.title) <= 70 else e.title[:69].rstrip() + "…"
        label = " · ".join(x for x in (e.outlet, e.name) if x) + (f" — {title}" if title else "")
        out.append((label, e.name))
    return out


def article_rows(entries: list[Any]) -> list[list[Any]]:
    """One row per article for the list under "Articles in the store"."""
    rows = []
    for e in entries:
        pub = e.public()
        rows.append(
            [pub["name"], pub["title"], pub["outlet"], pub["date"], pub["chunks"], pub["origin"], pub["ingested"]]
        )
    return rows
