"""Article metadata as a LlamaIndex ``BaseExtractor``: one step of an ingestion pipeline.

It reads each document's text, not its chunks, so it belongs before the splitter (the chunks inherit
the document's metadata). The fields and their formats are ``ArticleMetadata.flat`` plus ``title``:
retrieval filters by ``date`` and ``outlet``, and the catalogue and the web page show the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llama_index.core.extractors import BaseExtractor
from llama_index.core.schema import BaseNode, MetadataMode

from store.metadata import extract_metadata_many


class ArticleMetadataExtractor(BaseExtractor):
    """Title, outlet, outlets named, people, places and date of each node's text (spaCy + outlet table)."""

    show_progress: bool = False
    #: the metadata describes the text; rewriting how nodes print it is not this step's business
    disable_template_rewrite: bool = True

    @classmethod
    def class_name(cls) -> str:
        return "ArticleMetadataExtractor"

    def extract(self, nodes: Sequence[BaseNode]) -> list[dict[str, Any]]:
        """The metadata of every node, computed here and now (no event loop: ingest is synchronous)."""
        texts = [n.get_content(metadata_mode=MetadataMode.NONE) for n in nodes]
        return [{"title": m.title, **m.flat()} for m in extract_metadata_many(texts)]

    async def aextract(self, nodes: Sequence[BaseNode]) -> list[dict[str, Any]]:
        """The same as ``extract``: the work is CPU-bound, so there is nothing to await."""
        return self.extract(nodes)
