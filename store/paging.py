"""Reading a whole Chroma collection a page at a time (imports nothing of the project: every store
module may use it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

#: Records per ``get`` when a whole collection is read. Chroma binds SQL variables per record returned
#: (SQLite refuses past its limit: a 10,000-article store, ~105,000 chunks, failed "too many SQL
#: variables" when read in one ``get``), and what a page allocates stays with the process: building
#: the retrieval index of that store peaked at 1.35 GB with pages of 5,000, 1.09 GB with 2,000 and
#: 1.01 GB with 1,000 (70 s against 61 s).
GET_PAGE = 1_000


def pages(collection: Any, include: list[str], where: dict[str, Any] | None = None) -> Iterator[dict[str, list[Any]]]:
    """Every record of ``collection`` (ids and the ``include`` fields), ``GET_PAGE`` records per page: a
    caller that keeps a little of each record never holds the whole collection."""
    offset = 0
    while True:
        got = collection.get(include=include, where=where, limit=GET_PAGE, offset=offset)
        ids = list(got.get("ids") or [])
        page: dict[str, list[Any]] = {"ids": ids}
        for key in include:
            values = got.get(key)
            page[key] = [] if values is None else list(values)
        yield page
        if len(ids) < GET_PAGE:
            return
        offset += GET_PAGE


def get_all(collection: Any, include: list[str], where: dict[str, Any] | None = None) -> dict[str, list[Any]]:
    """``collection.get`` of every record (ids and the ``include`` fields), read ``GET_PAGE`` at a time."""
    out: dict[str, list[Any]] = {"ids": [], **{k: [] for k in include}}
    for page in pages(collection, include, where):
        for key, values in page.items():
            out[key] += values
    return out
