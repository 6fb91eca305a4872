"""Turn selected evidence into an answer with ``[n]`` markers and verified citations.

Shared by every reader: markers are numbered 1..k in order of first use, every marker has a
citation, every citation is used, and every quote is checked against the stored passage text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.records import Citation

REFUSAL = "The articles don't say."


@dataclass
class Evidence:
    """One sentence of one file that supports the answer, with near-identical statements elsewhere."""

    text: str
    source: str
    start: int
    end: int
    score: float
    title: str | None = None
    also: list[Evidence] = field(default_factory=list)


@dataclass
class Grounded:
    answer: str
    citations: list[Citation]


def number_citations(evidence: list[Evidence]) -> Grounded:
    """Compose the extractive answer: each evidence sentence followed by its citation markers."""
    citations: list[Citation] = []
    seen: dict[tuple[str, int, int], int] = {}
    parts: list[str] = []
    for ev in evidence:
        markers = []
        for item in [ev, *ev.also]:
            key = (item.source, item.start, item.end)
            if key not in seen:
                seen[key] = len(citations) + 1
                citations.append(
                    Citation(
                        n=seen[key],
                        source=item.source,
                        start=item.start,
                        end=item.end,
                        quote=item.text,
                        score=round(float(item.score), 4),
                        title=item.title,
                    )
                )
            markers.append(f"[{seen[key]}]")
        parts.append(f"{ev.text.strip()} {''.join(dict.fromkeys(markers))}")
    return Grounded(answer=" ".join(parts), citations=citations)


def refusal_text(question: str) -> str:
    return f"{REFUSAL} None of the ingested articles answers: “{question.strip()}”"
