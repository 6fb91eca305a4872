"""Rendering: the numbered citations and answer text of a perspectives result, and its terminal lines."""

from __future__ import annotations

from typing import Any

from assistant.grounding import CitationList
from assistant.perspectives.evidence import Group, Perspectives
from assistant.records import AnswerRecord, Citation, Claim


def source_metadata(nodes: list[Any]) -> dict[str, dict[str, Any]]:
    """Each retrieved file's ingest metadata (title, outlet, date …), by file name."""
    out: dict[str, dict[str, Any]] = {}
    for n in nodes:
        meta = n.node.metadata
        out.setdefault(meta.get("source", ""), meta)
    return out


def add_source_metadata(citations: list[Citation], nodes: list[Any]) -> list[Citation]:
    """Fill each citation's title, outlet and date from its file's metadata (where the text states them)."""
    meta = source_metadata(nodes)
    for c in citations:
        m = meta.get(c.source, {})
        c.title = c.title or m.get("title") or None
        c.outlet = m.get("outlet") or None
        c.date = m.get("date") or None
    return citations


def label(source: str, meta: dict[str, dict[str, Any]]) -> str:
    """How the answer names a file: its outlet where the text states one, else its file name."""
    outlet = meta.get(source, {}).get("outlet")
    return f"{outlet} ({source})" if outlet else source


def _join(names: list[str]) -> str:
    names = list(dict.fromkeys(names))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _shown(group: Group) -> str:
    """The sentence that states a group's fact: its best one, or a fuller one that contains all its words."""
    rep = group.rep
    fuller = [m for m in group.members if rep.raw <= m.raw]
    return max(fuller, key=lambda m: len(m.cand.text)).cand.text.strip()


def compose(result: Perspectives, nodes: list[Any]) -> tuple[str, list[Citation], list[Claim]]:
    """Number the citations and write the answer: each claim, who supports it, who contradicts it."""
    meta = source_metadata(nodes)
    cites = CitationList()

    def cite(group: Group) -> list[int]:
        numbers = []
        for s in group.members:
            c, m = s.cand, meta.get(s.cand.source, {})
            numbers.append(
                cites.number(
                    c.source,
                    c.start,
                    c.end,
                    c.text,
                    s.relevance,
                    title=c.title or m.get("title") or None,
                    outlet=m.get("outlet") or None,
                    date=m.get("date") or None,
                )
            )
        return list(dict.fromkeys(numbers))

    paragraphs: list[str] = []
    claims: list[Claim] = []
    for i, cg in enumerate(result.claims):
        supporting = cite(cg.claim)
        head = "" if i == 0 else "Also: "
        shown = _shown(cg.claim)
        text = (
            f"{head}Supported by {_join([label(s, meta) for s in cg.claim.sources])}: "
            f"{shown} {''.join(f'[{n}]' for n in supporting)}"
        )
        contradicting: list[int] = []
        if cg.contradicting:
            parts = []
            for g in cg.contradicting:
                numbers = cite(g)
                contradicting.extend(numbers)
                parts.append(f"{_shown(g)} {''.join(f'[{n}]' for n in numbers)}")
            files = [label(s, meta) for g in cg.contradicting for s in g.sources]
            text += f"\nContradicted by {_join(files)}: " + " ".join(parts)
        elif i == 0:
            text += "\nNo retrieved article contradicts this."
        paragraphs.append(text)
        claims.append(Claim(claim=cg.claim.rep.cand.text.strip(), supporting=supporting, contradicting=contradicting))
    return "\n\n".join(paragraphs), cites.items, claims


def text_lines(record: AnswerRecord) -> list[tuple[str, str]]:
    """A perspectives record for the terminal: (rich style, plain text) lines."""
    lines: list[tuple[str, str]] = []
    for para in record.answer.split("\n"):
        lines.append(("yellow" if record.refused else "bold", para) if para else ("", ""))
    if not record.citations:
        return lines
    lines.append(("", ""))
    for i, claim in enumerate(record.claims or [], 1):
        marks = "".join(f"[{n}]" for n in claim.supporting)
        against = "".join(f"[{n}]" for n in claim.contradicting) or "none found"
        lines.append(("cyan", f"Claim {i}: supported by {marks}; contradicted by {against}"))
    lines.append(("", ""))
    for c in record.citations:
        about = " · ".join(x for x in (c.outlet, c.date) if x)
        lines.append(("cyan", f"[{c.n}] {c.source}" + (f" — {about}" if about else "") + f"  chars {c.start}–{c.end}"))
        if c.title:
            lines.append(("dim", f"    {c.title}"))
        lines.append(("", f"    “{c.quote}”"))
    return lines
