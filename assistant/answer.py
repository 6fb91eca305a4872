"""What the query engine returns: a typed, finished answer (a LlamaIndex ``Response``, with fields).

The reader (a response synthesizer) fills in what it decided: the evidence or the refusal and why,
the answer's sentences and the direct answer, which reader wrote it and what a generative one
withdrew. ``AnswerEngine`` (``assistant.engine``) then finishes it in one place: numbered citations
with verified quotes and source metadata, the refusal text, the retrieved chunks (a perspectives
answer comes with its citations numbered by claim, and its claims and bottom line). The ask service
turns it into an ``AnswerRecord`` field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from llama_index.core.base.response.schema import Response
from llama_index.core.schema import NodeWithScore

from assistant.grounding import Evidence
from assistant.records import Citation, Claim


@dataclass
class Answer(Response):
    """``response`` is the answer's plain text (no markers); ``source_nodes`` the nodes the reader read."""

    #: the reader's decision: evidence to cite (best first), or a refusal, and why (the record's ``grounding``)
    evidence: list[Evidence] = field(default_factory=list)
    refused: bool = False
    reason: str = ""
    confidence: float = 0.0
    #: the answer as ``[(sentence, [evidence])]`` (generated, or the extractive reader's direct answer
    #: first); None: the evidence sentences themselves are the answer
    sentences: list[tuple[str, list[Evidence]]] | None = None
    #: the short answer the extractive reader leads with (a name, number, date)
    direct_answer: str | None = None
    #: the reader that wrote the final text ("extractive", or a generative reader's name)
    reader: str = "extractive"
    #: why a generative reader's model gave no answer (the text is then extractive)
    reader_error: str | None = None
    #: generated sentences grounding withdrew: ``{"text", "reason"}``
    withdrawn: list[dict[str, str]] = field(default_factory=list)
    #: a generative reader's raw line and the seconds it took
    generated: str | None = None
    generation_s: float | None = None
    #: perspectives mode (``assistant.perspectives.pipeline``): the claims, with the numbers of the
    #: citations for and against each (empty when refused), and the bottom line; None for a plain answer
    claims: list[Claim] | None = None
    bottom_line: str | None = None
    # -- set by ``AnswerEngine`` -----------------------------------------------------------------
    #: the chunks as retrieved, in rank order, before the postprocessors turned them into sentences
    retrieved: list[NodeWithScore] = field(default_factory=list)
    #: the finished answer text with ``[n]`` markers (or the refusal text), and its citations
    text: str = ""
    citations: list[Citation] = field(default_factory=list)
