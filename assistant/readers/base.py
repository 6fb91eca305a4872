"""What every reader of the engine shares as a LlamaIndex synthesizer.

The readers answer from nodes with exact character offsets, not from bare text chunks, and use no
prompt templates of LlamaIndex's own; this base says so once, so each reader only writes ``synthesize``.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.response_synthesizers import BaseSynthesizer
from llama_index.core.schema import NodeWithScore, TextNode


class OffsetSynthesizer(BaseSynthesizer):
    """A ``BaseSynthesizer`` whose ``synthesize`` takes offset-bearing nodes; plain text is wrapped as nodes."""

    def _get_prompts(self) -> dict[str, Any]:
        return {}

    def _update_prompts(self, prompts: dict[str, Any]) -> None:
        return None

    def get_response(self, query_str: str, text_chunks: Any, **kwargs: Any) -> str:
        """Plain-text use (no files, no offsets): the answer text for these chunks."""
        nodes = [NodeWithScore(node=TextNode(text=t, start_char_idx=0), score=1.0) for t in text_chunks]
        return str(self.synthesize(query_str, nodes).response)

    async def aget_response(self, query_str: str, text_chunks: Any, **kwargs: Any) -> str:
        return self.get_response(query_str, text_chunks, **kwargs)
